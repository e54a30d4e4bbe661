/**
 * Cursor sealing and opening as pure functions of a signing key and the clock; the key's source
 * (Secrets Manager) is replaced at that boundary. Integration tests cover the same cursors end to end.
 */
jest.mock('../../../lambdas/shared/secrets', () => ({
  RotatingSecret: class {
    async currentValue() {
      return 'unit-test-signing-key';
    }
    async someValue(accepts: (value: string) => boolean) {
      return accepts('unit-test-signing-key');
    }
  },
}));

let pagination: typeof import('../../../lambdas/data/pagination');

beforeAll(async () => {
  process.env.CURSOR_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:unit';
  pagination = await import('../../../lambdas/data/pagination');
});

const invalid = { name: 'ValidationError', issues: [{ field: 'query.cursor', rule: expect.any(String) }] };
const NOW = Date.parse('2026-11-01T10:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;

test('a sealed cursor opens to its position, for the same scope, within a day', async () => {
  const cursor = await pagination.sealCursor('scope-a', { PK: 'CUSTOMER#c-1', SK: 'ORDER#o-1' }, NOW);
  await expect(pagination.openCursor('scope-a', cursor, NOW + DAY - 1_000)).resolves.toEqual({
    PK: 'CUSTOMER#c-1',
    SK: 'ORDER#o-1',
  });
});

test('a cursor expires after a day', async () => {
  const cursor = await pagination.sealCursor('scope-a', { k: 1 }, NOW);
  await expect(pagination.openCursor('scope-a', cursor, NOW + DAY + 1_000)).rejects.toMatchObject(invalid);
});

test('a cursor is refused for another scope, or with any byte changed', async () => {
  const cursor = await pagination.sealCursor('scope-a', { k: 1 }, NOW);
  await expect(pagination.openCursor('scope-b', cursor, NOW)).rejects.toMatchObject(invalid);
  const [payload = '', signature = ''] = cursor.split('.');
  const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
  await expect(pagination.openCursor('scope-a', `${payload}.${flipped}`, NOW)).rejects.toMatchObject(invalid);
  await expect(pagination.openCursor('scope-a', `${payload}x.${signature}`, NOW)).rejects.toMatchObject(invalid);
  await expect(pagination.openCursor('scope-a', `${payload}.${signature}.extra`, NOW)).rejects.toMatchObject(invalid);
});

test('a key cursor must point into the expected partition even when correctly signed', async () => {
  const cursor = await pagination.sealCursor('scope-a', { PK: 'CUSTOMER#c-2', SK: 'x' }, Date.now());
  await expect(
    pagination.openKeyCursor('scope-a', cursor, { attribute: 'PK', value: 'CUSTOMER#c-1' }),
  ).rejects.toMatchObject(invalid);
});
