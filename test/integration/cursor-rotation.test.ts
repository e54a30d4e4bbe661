/**
 * Page cursors across a rotation of their signing key, against moto_server's Secrets Manager,
 * which models version stages as AWS does: PutSecretValue makes the new version AWSCURRENT and
 * moves AWSPREVIOUS to the version it replaced, with each version's CreatedDate.
 *
 * Each "container" is the pagination module loaded in a module registry of its own, so it has
 * its own cached key and SDK client, as two Lambda containers would. Times after the rotation are
 * passed in as `now` rather than waited for.
 */
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LOCAL_AWS } from '../../local/engines/dynamodb-local';
import { prepareAppEnvironment } from '../fixtures/app-environment';
import { motoEndpoint } from '../fixtures/engines';

type Pagination = typeof import('../../lambdas/data/pagination');

/** A fresh copy of the pagination module: what a newly started container would load. */
async function startContainer(): Promise<Pagination> {
  let pagination: Pagination | undefined;
  await jest.isolateModulesAsync(async () => {
    pagination = await import('../../lambdas/data/pagination');
  });
  return pagination as Pagination;
}

const MINUTE = 60 * 1000;
const SCOPE = 'listOrdersByCustomer:CUSTOMER#c-1';
const POSITION = { PK: 'CUSTOMER#c-1', SK: 'ORDER#o-1' };
const invalid = { name: 'ValidationError', issues: [{ field: 'query.cursor', rule: expect.any(String) }] };

let secrets: SecretsManagerClient;
let destroyEnvironment: () => void;

/** Replace the key the way the runbook does (put-secret-value), returning when it happened. */
async function rotate(newKey: string): Promise<number> {
  await secrets.send(new PutSecretValueCommand({ SecretId: process.env.CURSOR_SECRET_ARN, SecretString: newKey }));
  return Date.now();
}

beforeAll(async () => {
  const env = await prepareAppEnvironment();
  destroyEnvironment = () => env.client.destroy();
  secrets = new SecretsManagerClient({ ...LOCAL_AWS, endpoint: motoEndpoint() });
});

afterAll(() => {
  secrets.destroy();
  destroyEnvironment();
});

test('cursors keep opening across a rotation, in containers started before and after it', async () => {
  // Prepare: a warm container hands out a cursor, then the key is rotated.
  const before = await startContainer();
  const sealedBefore = await before.sealCursor(SCOPE, POSITION);
  const rotatedAt = await rotate('second-key-for-rotation-test');
  const after = await startContainer();

  // Act and assess: the new container opens the old cursor with AWSPREVIOUS...
  await expect(after.openCursor(SCOPE, sealedBefore)).resolves.toEqual(POSITION);
  // ...and the warm container, still within its cache age, reads the key again before refusing
  // a cursor signed with the new one, then signs with the new key itself.
  const twoMinutesLater = rotatedAt + 2 * MINUTE;
  const sealedAfter = await after.sealCursor(SCOPE, POSITION, twoMinutesLater);
  await expect(before.openCursor(SCOPE, sealedAfter, twoMinutesLater)).resolves.toEqual(POSITION);
  expect(await before.sealCursor(SCOPE, POSITION, twoMinutesLater)).toBe(sealedAfter);
});

test('a cursor signed with the replaced key is refused once the grace window has passed', async () => {
  // Prepare
  const before = await startContainer();
  const sealedBefore = await before.sealCursor(SCOPE, POSITION);
  const rotatedAt = await rotate('third-key-for-rotation-test');
  const after = await startContainer();
  const { graceMs } = after.SIGNING_KEY_ROTATION;

  // Act and assess: within the window it opens, one minute past it (the cursor itself is still
  // within its day) it does not.
  await expect(after.openCursor(SCOPE, sealedBefore, rotatedAt + graceMs - MINUTE)).resolves.toEqual(POSITION);
  await expect(after.openCursor(SCOPE, sealedBefore, rotatedAt + graceMs + MINUTE)).rejects.toMatchObject(invalid);
});

test('rotating twice retires a key at once: it is no longer AWSPREVIOUS', async () => {
  // Prepare: what the runbook says to do when the key may have leaked.
  const before = await startContainer();
  const sealedBefore = await before.sealCursor(SCOPE, POSITION);
  await rotate('fourth-key-for-rotation-test');
  await rotate('fifth-key-for-rotation-test');

  // Act and assess
  const after = await startContainer();
  await expect(after.openCursor(SCOPE, sealedBefore)).rejects.toMatchObject(invalid);
});
