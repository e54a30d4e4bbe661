/**
 * The fulfilment workflow end to end on this machine: the state machine from the template, the
 * real step handlers, DynamoDB Local.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type AppEnvironment, prepareAppEnvironment } from '../fixtures/app-environment';
import { aProduct } from '../fixtures/entities';
import { awsError, failNext } from '../fixtures/faults';
import { type LocalWorkflow, localFulfilment } from '../fixtures/fulfilment';
import { scenarioItems } from '../fixtures/store-scenario';

let env: AppEnvironment;
let workflow: LocalWorkflow;
let workflows: typeof import('../../lambdas/data/order-workflows');
let documents: typeof import('../../lambdas/data/client')['documents'];
let tableName: string;

beforeAll(async () => {
  // Orders above 100.00 are declined by the payment step in this test.
  env = await prepareAppEnvironment({ CARD_LIMIT_CENTS: '10000' });
  const { productItem } = await import('../../lambdas/model/keys');
  await env.seed([...scenarioItems(), productItem(aProduct({ sku: 'WF-1', stock: 10, priceCents: 3_000 }))]);
  workflow = await localFulfilment();
  workflows = await import('../../lambdas/data/order-workflows');
  ({ documents, tableName } = await import('../../lambdas/data/client'));
});

afterAll(() => env.client.destroy());
afterEach(() => jest.restoreAllMocks());

let token = 0;
const place = (customerId: string, quantity: number) =>
  workflows.placeOrder(customerId, [{ sku: 'WF-1', quantity }], `fulfilment-test-${++token}`);
const get = async (PK: string, SK: string) =>
  (await documents.send(new GetCommand({ TableName: tableName, Key: { PK, SK }, ConsistentRead: true }))).Item;

test('the definition pays, ships, and compensates on any failure', () => {
  expect(Object.keys(workflow.definition.States).sort()).toEqual([
    'Compensate',
    'Fulfilled',
    'FulfilmentFailed',
    'Pay',
    'Ship',
  ]);
  expect(workflow.definition.States.Pay?.Catch?.[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'Compensate' });
});

test('happy path: placed → paid → shipped', async () => {
  const { order } = await place('c-1', 2);
  const execution = await workflow.run({ customerId: 'c-1', orderId: order.orderId });
  expect(execution.status).toBe('SUCCEEDED');
  expect(execution.history.map((h) => `${h.state}:${h.type}`)).toEqual([
    'Pay:TaskSucceeded',
    'Ship:TaskSucceeded',
    'Fulfilled:Succeed',
  ]);
  expect(execution.output).toMatchObject({
    payment: { status: 'PAID', version: 2 },
    shipment: { status: 'SHIPPED', version: 3 },
  });
  expect(await get('CUSTOMER#c-1', `ORDER#${order.orderId}`)).toMatchObject({ status: 'SHIPPED', version: 3 });
  expect((await get('PRODUCT#WF-1', 'PRODUCT'))?.stock).toBe(8);
});

test('each step is idempotent: running the whole workflow again changes nothing', async () => {
  const { order } = await place('c-2', 1);
  await workflow.run({ customerId: 'c-2', orderId: order.orderId });
  const again = await workflow.run({ customerId: 'c-2', orderId: order.orderId });
  expect(again.status).toBe('SUCCEEDED');
  expect(await get('CUSTOMER#c-2', `ORDER#${order.orderId}`)).toMatchObject({ status: 'SHIPPED', version: 3 });
});

test('compensation path: a declined payment cancels the order and restocks it', async () => {
  const stockBefore = (await get('PRODUCT#WF-1', 'PRODUCT'))?.stock as number;
  const { order } = await place('c-3', 4);
  expect((await get('PRODUCT#WF-1', 'PRODUCT'))?.stock).toBe(stockBefore - 4);

  const execution = await workflow.run({ customerId: 'c-3', orderId: order.orderId });

  expect(execution).toMatchObject({ status: 'FAILED', error: 'FulfilmentFailed' });
  expect(execution.history.map((h) => `${h.state}:${h.type}:${h.error ?? ''}`)).toEqual([
    'Pay:TaskFailed:PaymentDeclined',
    'Compensate:TaskSucceeded:',
    'FulfilmentFailed:Fail:FulfilmentFailed',
  ]);
  expect(await get('CUSTOMER#c-3', `ORDER#${order.orderId}`)).toMatchObject({ status: 'CANCELLED' });
  expect((await get('PRODUCT#WF-1', 'PRODUCT'))?.stock).toBe(stockBefore);
});

test('a transient failure is retried, not compensated', async () => {
  const { order } = await place('c-4', 1);
  failNext(documents, 'UpdateCommand', 2, () =>
    awsError('ProvisionedThroughputExceededException', 'Throughput exceeds the current capacity'),
  );
  const execution = await workflow.run({ customerId: 'c-4', orderId: order.orderId });
  expect(execution.status).toBe('SUCCEEDED');
  expect(execution.history.filter((h) => h.type === 'TaskFailed').map((h) => h.error)).toEqual([
    'ServiceUnavailableError',
    'ServiceUnavailableError',
  ]);
  expect(await get('CUSTOMER#c-4', `ORDER#${order.orderId}`)).toMatchObject({ status: 'SHIPPED' });
});

test('a step given a malformed input fails without writing', async () => {
  const execution = await workflow.run({ customerId: 'c#1', orderId: '' });
  expect(execution.history[0]).toMatchObject({ state: 'Pay', type: 'TaskFailed', error: 'ValidationError' });
});
