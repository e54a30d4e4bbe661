/**
 * BatchGetItem's unprocessed keys: DynamoDB Local never leaves keys unprocessed, so this behaviour
 * is driven here by a stub at the SDK boundary. The integration test covers the same function
 * against the engine.
 */
import type { BatchGetCommand } from '@aws-sdk/lib-dynamodb';

let getProducts: typeof import('../../../lambdas/data/catalog').getProducts;
let documents: typeof import('../../../lambdas/data/client').documents;

beforeAll(async () => {
  // The data layer reads its configuration at load time, as it does in Lambda.
  Object.assign(process.env, {
    TABLE_NAME: 'unit-table',
    CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:unit',
    AWS_REGION: 'eu-west-1',
  });
  ({ getProducts } = await import('../../../lambdas/data/catalog'));
  ({ documents } = await import('../../../lambdas/data/client'));
});

const product = (sku: string) => ({ sku, name: sku, category: 'c', priceCents: 1, stock: 1, description: '' });
const key = (sku: string) => ({ PK: `PRODUCT#${sku}`, SK: 'PRODUCT' });

afterEach(() => jest.restoreAllMocks());

test('keys left unprocessed are asked for again until every one is answered', async () => {
  const send = jest
    .spyOn(documents, 'send')
    .mockResolvedValueOnce({
      Responses: { 'unit-table': [product('A')] },
      UnprocessedKeys: { 'unit-table': { Keys: [key('B'), key('C')] } },
    } as never)
    .mockResolvedValueOnce({
      Responses: { 'unit-table': [product('B')] },
      UnprocessedKeys: { 'unit-table': { Keys: [key('C')] } },
    } as never)
    .mockResolvedValueOnce({ Responses: { 'unit-table': [product('C')] }, UnprocessedKeys: {} } as never);

  const result = await getProducts(['C', 'B', 'A']);

  expect(result).toEqual({ products: [product('C'), product('B'), product('A')], missing: [] });
  const asked = send.mock.calls.map(
    ([command]) => (command as BatchGetCommand).input.RequestItems?.['unit-table']?.Keys,
  );
  expect(asked).toEqual([[key('C'), key('B'), key('A')], [key('B'), key('C')], [key('C')]]);
});

test('keys still unprocessed after every attempt end in a 503-mapped error, not a partial answer', async () => {
  jest.spyOn(documents, 'send').mockResolvedValue({
    Responses: { 'unit-table': [] },
    UnprocessedKeys: { 'unit-table': { Keys: [key('A')] } },
  } as never);
  jest.spyOn(Math, 'random').mockReturnValue(0);

  await expect(getProducts(['A'])).rejects.toMatchObject({ name: 'ServiceUnavailableError', retryAfterSeconds: 1 });
  expect(documents.send).toHaveBeenCalledTimes(6);
});
