/**
 * The workflows under concurrency and retries, through the HTTP handlers, on DynamoDB Local.
 */
import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type ApiHandler, apiEvent, invoke, lambdaContext } from '../fixtures/api-events';
import { type AppEnvironment, prepareAppEnvironment } from '../fixtures/app-environment';
import { aProduct } from '../fixtures/entities';
import { awsError, callsOf, failNext } from '../fixtures/faults';
import { scenarioItems } from '../fixtures/store-scenario';

let env: AppEnvironment;
let orders: ApiHandler;
let accounts: ApiHandler;
let documents: typeof import('../../lambdas/data/client')['documents'];
let tableName: string;

beforeAll(async () => {
  env = await prepareAppEnvironment();
  const { productItem } = await import('../../lambdas/model/keys');
  await env.seed([
    ...scenarioItems(),
    productItem(aProduct({ sku: 'HOT-1', stock: 50, priceCents: 1_000 })),
    productItem(aProduct({ sku: 'IDEM-1', stock: 10, priceCents: 500 })),
    productItem(aProduct({ sku: 'RETRY-1', stock: 10, priceCents: 700 })),
  ]);
  ({ handler: orders } = await import('../../lambdas/handlers/api/orders'));
  ({ handler: accounts } = await import('../../lambdas/handlers/api/accounts'));
  ({ documents, tableName } = await import('../../lambdas/data/client'));
});

afterAll(() => env.client.destroy());
afterEach(() => jest.restoreAllMocks());

const PLACE = 'POST /customers/{customerId}/orders';
const STATUS = 'PUT /customers/{customerId}/orders/{orderId}/status';

async function product(sku: string) {
  return (
    await documents.send(
      new GetCommand({ TableName: tableName, Key: { PK: `PRODUCT#${sku}`, SK: 'PRODUCT' }, ConsistentRead: true }),
    )
  ).Item;
}

async function ordersOf(customerId: string) {
  const result = await documents.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :order)',
      ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}`, ':order': 'ORDER#' },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

const headersOf = (key: string) => ({ 'content-type': 'application/json', 'idempotency-key': key });

function placeEvent(customerId: string, key: string, lines: unknown) {
  const event = apiEvent(PLACE, { pathParameters: { customerId }, body: { lines } });
  return { ...event, headers: headersOf(key) };
}

test('200 concurrent orders for a product with 50 in stock: exactly 50 succeed, the rest get 409 naming the SKU', async () => {
  const responses = await Promise.all(
    Array.from({ length: 200 }, () =>
      orders(placeEvent('c-6', randomUUID(), [{ sku: 'HOT-1', quantity: 1 }]), lambdaContext()),
    ),
  );
  const statuses = responses.map((r) => r.statusCode);
  expect(statuses.filter((s) => s === 201)).toHaveLength(50);
  expect(statuses.filter((s) => s === 409)).toHaveLength(150);
  for (const response of responses.filter((r) => r.statusCode === 409)) {
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({
      reason: 'OutOfStock',
      sku: 'HOT-1',
      requested: 1,
      available: 0,
    });
  }
  expect((await product('HOT-1'))?.stock).toBe(0);
  const placed = await ordersOf('c-6');
  const lines = placed.filter((i) => i.entityType === 'OrderLine');
  expect(placed.filter((i) => i.entityType === 'Order')).toHaveLength(50);
  expect(lines.reduce((sum, l) => sum + (l.quantity as number), 0)).toBe(50);
});

test('the same Idempotency-Key sent 5 times at once creates one order and returns identical responses', async () => {
  const key = randomUUID();
  const lines = [{ sku: 'IDEM-1', quantity: 2 }];
  const responses = await Promise.all(
    Array.from({ length: 5 }, () => orders(placeEvent('c-7', key, lines), lambdaContext())),
  );
  expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
  expect(new Set(responses.map((r) => r.body)).size).toBe(1);
  expect((await ordersOf('c-7')).filter((i) => i.entityType === 'Order')).toHaveLength(1);
  expect((await product('IDEM-1'))?.stock).toBe(8);

  const later = await orders(placeEvent('c-7', key, lines), lambdaContext());
  expect(later.body).toBe(responses[0]?.body);
  expect((await product('IDEM-1'))?.stock).toBe(8);
});

test('the same Idempotency-Key with another body is refused with 422 and changes nothing', async () => {
  const key = randomUUID();
  await orders(placeEvent('c-8', key, [{ sku: 'IDEM-1', quantity: 1 }]), lambdaContext());
  const reused = await orders(placeEvent('c-8', key, [{ sku: 'IDEM-1', quantity: 3 }]), lambdaContext());
  expect(reused.statusCode).toBe(422);
  expect(JSON.parse(reused.body ?? '{}')).toEqual({
    error: 'IdempotencyKeyReused',
    message: 'This Idempotency-Key was already used with a different request; use a new key for a new request',
  });
  expect((await product('IDEM-1'))?.stock).toBe(7);
});

test('a mutating request without an Idempotency-Key is a 400 naming the header', async () => {
  const response = await invoke(orders, PLACE, {
    pathParameters: { customerId: 'c-8' },
    body: { lines: [{ sku: 'IDEM-1', quantity: 1 }] },
  });
  expect(response.statusCode).toBe(400);
  expect(response.body).toMatchObject({
    issues: [{ field: 'header.idempotency-key', rule: expect.stringContaining('is required') }],
  });
});

test('50 shoppers registering one email at once: exactly one succeeds', async () => {
  const responses = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      accounts(
        {
          ...apiEvent('POST /customers', {
            body: { email: 'race@example.com', name: `Racer ${i}` },
            caller: { shopper: `racer-${i}` },
          }),
          headers: headersOf(randomUUID()),
        },
        lambdaContext(),
      ),
    ),
  );
  expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
  expect(responses.filter((r) => r.statusCode === 409)).toHaveLength(49);
  const marker = await documents.send(
    new GetCommand({ TableName: tableName, Key: { PK: 'EMAIL#race@example.com', SK: 'EMAIL' } }),
  );
  expect(marker.Item?.customerId).toBe(
    JSON.parse(responses.find((r) => r.statusCode === 201)?.body ?? '{}').customerId,
  );
});

test('two concurrent status changes from the same version: one wins, one gets 409 with the current version', async () => {
  const placed = await orders(placeEvent('c-9', randomUUID(), [{ sku: 'PEN-25', quantity: 1 }]), lambdaContext());
  const { order } = JSON.parse(placed.body ?? '{}') as { order: { orderId: string } };
  const change = () =>
    orders(
      {
        ...apiEvent(STATUS, {
          pathParameters: { customerId: 'c-9', orderId: order.orderId },
          body: { status: 'PAID', expectedVersion: 1 },
        }),
        headers: headersOf(randomUUID()),
      },
      lambdaContext(),
    );
  const [a, b] = await Promise.all([change(), change()]);
  expect([a?.statusCode, b?.statusCode].sort()).toEqual([200, 409]);
  const loser = [a, b].find((r) => r?.statusCode === 409);
  expect(JSON.parse(loser?.body ?? '{}')).toMatchObject({
    reason: 'VersionConflict',
    currentVersion: 2,
    status: 'PAID',
  });
});

describe('transaction conflicts and throttling injected at the SDK boundary', () => {
  const conflict = () =>
    new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: {},
      CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
    });
  const throttled = () => awsError('ThrottlingException', 'Rate exceeded');

  test.each([
    ['conflicts', conflict],
    ['throttling', throttled],
  ])('a few %s are retried and the order succeeds once', async (_kind, error) => {
    const spy = failNext(documents, 'TransactWriteCommand', 3, error);
    const response = await orders(placeEvent('c-10', randomUUID(), [{ sku: 'RETRY-1', quantity: 1 }]), lambdaContext());
    expect(response.statusCode).toBe(201);
    expect(callsOf(spy, 'TransactWriteCommand')).toHaveLength(4);
  });

  test.each([
    ['conflicts', conflict],
    ['throttling', throttled],
  ])(
    '%s that outlast the retry budget end in 503 with Retry-After, and nothing is half-written',
    async (_kind, error) => {
      const before = { stock: (await product('RETRY-1'))?.stock, orders: (await ordersOf('c-11')).length };
      failNext(documents, 'TransactWriteCommand', Number.POSITIVE_INFINITY, error);
      const response = await orders(
        placeEvent('c-11', randomUUID(), [{ sku: 'RETRY-1', quantity: 1 }]),
        lambdaContext(),
      );
      jest.restoreAllMocks();
      expect(response.statusCode).toBe(503);
      expect(response.headers?.['retry-after']).toBe('1');
      expect({ stock: (await product('RETRY-1'))?.stock, orders: (await ordersOf('c-11')).length }).toEqual(before);
    },
  );
});
