/**
 * Who may do what, through the API handlers on DynamoDB Local: a shopper acts on their own
 * customer id only, the back office's routes refuse a shopper, a registration belongs to the
 * signed-in shopper, and a retry after a commit whose answer was lost gets the first result.
 * Every refusal is checked to have written nothing, by reading both tables whole.
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { routeList } from '../../lambdas/model/api-catalogue';
import { FUNCTION_GROUPS, type FunctionGroup } from '../../lambdas/model/api-routes';
import { type ApiHandler, type Caller, type EventParts, invoke } from '../fixtures/api-events';
import { type AppEnvironment, prepareAppEnvironment } from '../fixtures/app-environment';
import { undocumentedRequests } from '../fixtures/documented-capacity';
import { aProduct } from '../fixtures/entities';
import { scenarioItems } from '../fixtures/store-scenario';

let env: AppEnvironment;
const handlers = {} as Record<FunctionGroup, ApiHandler>;
let documents: typeof import('../../lambdas/data/client')['documents'];
let tableName: string;

beforeAll(async () => {
  env = await prepareAppEnvironment();
  const { productItem } = await import('../../lambdas/model/keys');
  await env.seed([...scenarioItems(), productItem(aProduct({ sku: 'CRASH-1', stock: 10, priceCents: 900 }))]);
  for (const group of Object.keys(FUNCTION_GROUPS) as FunctionGroup[]) {
    handlers[group] = (await import(`../../lambdas/handlers/api/${group.toLowerCase()}`)).handler;
  }
  ({ documents, tableName } = await import('../../lambdas/data/client'));
});

afterAll(() => env.client.destroy());
afterEach(() => jest.restoreAllMocks());

/** Shopper B owns the scenario's orders; shopper A tries to reach them. */
const A = 'c-2';
const B = 'c-1';

/** Every item of both tables, in a stable order: what "nothing written" is checked against. */
async function everything(): Promise<string[]> {
  const items: string[] = [];
  for (const table of [env.tableName, env.idempotencyTableName]) {
    let start: Record<string, never> | undefined;
    do {
      const page = await env.client.send(
        new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []).map((item) => `${table} ${JSON.stringify(item, Object.keys(item).sort())}`));
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start !== undefined);
  }
  return items.sort();
}

const routeOf = (key: string) => {
  const route = routeList().find((r) => r.route === key);
  if (route === undefined) throw new Error(`no route ${key}`);
  return route;
};

/** Call a route through its function's handler. */
const call = <T = Record<string, unknown>>(routeKey: string, parts: EventParts) =>
  invoke<T>(handlers[routeOf(routeKey).group], routeKey, parts);

/** A well-formed request to each shopper route naming customer `customerId`, as the route expects it. */
function requestTo(routeKey: string, customerId: string, caller: Caller): EventParts {
  const path: Record<string, string> = { customerId };
  if (routeKey.includes('{orderId}')) path.orderId = 'o-000';
  if (routeKey.includes('{sku}')) path.sku = 'PEN-03';
  const bodies: Record<string, unknown> = {
    'POST /customers/{customerId}/cart/lines': { sku: 'PEN-03', quantity: 1 },
    'PUT /customers/{customerId}/cart/lines/{sku}': { quantity: 2 },
    'PUT /customers/{customerId}/email': { email: 'taken-over@example.com' },
    'POST /customers/{customerId}/orders': { lines: [{ sku: 'PEN-03', quantity: 1 }] },
  };
  return {
    pathParameters: path,
    ...(routeKey in bodies ? { body: bodies[routeKey] } : {}),
    ...(routeOf(routeKey).idempotent === true ? { headers: { 'idempotency-key': randomUUID() } } : {}),
    caller,
  };
}

const shopperRoutes = routeList()
  .filter((r) => r.audience === 'shopper' && r.route.includes('{customerId}'))
  .map((r) => r.route);
const adminRoutes = routeList()
  .filter((r) => r.audience === 'admin')
  .map((r) => r.route);

describe("a shopper and another shopper's data", () => {
  beforeAll(async () => {
    // B has a cart line, so that A's attempts on the cart have something to find.
    const added = await call('POST /customers/{customerId}/cart/lines', {
      pathParameters: { customerId: B },
      body: { sku: 'PEN-03', quantity: 1 },
    });
    expect(added.statusCode).toBe(200);
  });

  test('every shopper route with a customer id in its path is checked here', () => {
    expect(shopperRoutes).toHaveLength(12);
  });

  test.each(shopperRoutes)('%s: shopper A naming shopper B gets 403 and nothing is written', async (routeKey) => {
    const before = await everything();
    const response = await call(routeKey, requestTo(routeKey, B, { shopper: A }));
    expect(response).toEqual({
      statusCode: 403,
      headers: expect.any(Object),
      body: { error: 'Forbidden', message: 'The signed-in shopper may act only on their own customer id' },
    });
    expect(await everything()).toEqual(before);
  });

  test.each(shopperRoutes)(
    '%s: a request without a shopper token gets 403 and nothing is written',
    async (routeKey) => {
      const before = await everything();
      for (const caller of ['anonymous', 'iam'] as const) {
        const response = await call(routeKey, requestTo(routeKey, B, caller));
        expect(response).toMatchObject({ statusCode: 403, body: { error: 'Forbidden' } });
      }
      expect(await everything()).toEqual(before);
    },
  );

  test('the same requests by shopper B, for B, are served', async () => {
    for (const routeKey of ['GET /customers/{customerId}', 'GET /customers/{customerId}/cart']) {
      expect((await call(routeKey, requestTo(routeKey, B, { shopper: B }))).statusCode).toBe(200);
    }
  });
});

describe("the back office's routes", () => {
  test.each(adminRoutes)('%s: a shopper token gets 403 and nothing is written', async (routeKey) => {
    const path: Record<string, string> = {};
    if (routeKey.includes('{day}')) path.day = '2026-10-25';
    if (routeKey.includes('{sku}')) path.sku = 'PEN-00';
    if (routeKey.includes('{customerId}')) Object.assign(path, { customerId: B, orderId: 'o-000' });
    const before = await everything();
    const response = await call(routeKey, {
      pathParameters: path,
      caller: { shopper: B },
      ...(routeOf(routeKey).idempotent === true
        ? { headers: { 'idempotency-key': randomUUID() }, body: { status: 'PAID', expectedVersion: 1 } }
        : {}),
    });
    expect(response).toMatchObject({ statusCode: 403, body: { error: 'Forbidden' } });
    expect(await everything()).toEqual(before);
  });
});

describe('registration', () => {
  test("creates the profile under the signed-in shopper's id, and a retry gets the first answer", async () => {
    const shopper = `sub-${randomUUID()}`;
    const parts: EventParts = {
      body: { email: `${shopper}@example.com`, name: 'Ada' },
      headers: { 'idempotency-key': randomUUID() },
      caller: { shopper },
    };
    const first = await call('POST /customers', parts);
    expect(first).toMatchObject({ statusCode: 201, body: { customerId: shopper, email: `${shopper}@example.com` } });
    expect(await call('POST /customers', parts)).toEqual(first);
    const profile = await documents.send(
      new GetCommand({ TableName: tableName, Key: { PK: `CUSTOMER#${shopper}`, SK: 'PROFILE' }, ConsistentRead: true }),
    );
    expect(profile.Item).toMatchObject({ customerId: shopper, name: 'Ada' });
  });

  test('a second registration of the same shopper with other details is a 409 and changes nothing', async () => {
    const shopper = `sub-${randomUUID()}`;
    const register = (name: string) =>
      call('POST /customers', {
        body: { email: `${shopper}@example.com`, name },
        headers: { 'idempotency-key': randomUUID() },
        caller: { shopper },
      });
    expect((await register('Ada')).statusCode).toBe(201);
    const before = await everything();
    expect(await register('Eve')).toMatchObject({ statusCode: 409, body: { reason: 'AlreadyRegistered' } });
    // Only the second request's idempotency record came and went (a failure is not kept).
    expect(await everything()).toEqual(before);
  });
});

describe('a function that dies after its transaction commits, before its answer is stored', () => {
  /** The next transaction commits, then the function "dies": the answer is lost, and the caller retries. */
  function dieAfterNextCommit(): void {
    const send = documents.send.bind(documents);
    let died = false;
    jest.spyOn(documents, 'send').mockImplementation((async (command: never) => {
      const result = await send(command);
      if (!died && (command as { constructor: { name: string } }).constructor.name === 'TransactWriteCommand') {
        died = true;
        throw new Error('the function died after its transaction committed');
      }
      return result;
    }) as never);
  }

  /** The retry reaches DynamoDB after its ten-minute token window: it no longer knows the token. */
  function forgetRequestTokens(): void {
    const send = documents.send.bind(documents);
    jest.spyOn(documents, 'send').mockImplementation((async (command: { input: Record<string, unknown> }) => {
      if (command.constructor.name === 'TransactWriteCommand') delete command.input.ClientRequestToken;
      return send(command as never);
    }) as never);
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
    return (result.Items ?? []).filter((item) => item.entityType === 'Order');
  }

  const stockOf = async (sku: string) =>
    (
      await documents.send(
        new GetCommand({ TableName: tableName, Key: { PK: `PRODUCT#${sku}`, SK: 'PRODUCT' }, ConsistentRead: true }),
      )
    ).Item?.stock;

  test.each([
    ['within DynamoDB’s token window', () => undefined],
    ['after it (the retry’s transaction carries no token DynamoDB remembers)', forgetRequestTokens],
  ])('placing an order: the retry %s answers 201 with the original order, placed once', async (_when, retryWith) => {
    const customer = 'c-3';
    const parts: EventParts = {
      pathParameters: { customerId: customer },
      body: { lines: [{ sku: 'CRASH-1', quantity: 2 }] },
      headers: { 'idempotency-key': randomUUID() },
    };
    const stock = await stockOf('CRASH-1');
    const idsBefore = new Set((await ordersOf(customer)).map((o) => o.orderId));
    const ordersBefore = idsBefore.size;

    dieAfterNextCommit();
    const lost = await call('POST /customers/{customerId}/orders', parts);
    expect(lost).toMatchObject({ statusCode: 500, body: { error: 'InternalError' } });
    const committed = await ordersOf(customer);
    expect(committed).toHaveLength(ordersBefore + 1);
    jest.restoreAllMocks();

    retryWith();
    // A retry a moment later: the first attempt's time is not the retry's.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const retry = await call<{ order: { orderId: string; placedAt: string }; lines: unknown[] }>(
      'POST /customers/{customerId}/orders',
      parts,
    );
    expect(retry.statusCode).toBe(201);
    const placed = committed.find((o) => !idsBefore.has(o.orderId));
    expect(placed).toBeDefined();
    expect(retry.body.order).toMatchObject({ orderId: placed?.orderId, placedAt: placed?.placedAt, status: 'PLACED' });
    expect(retry.body.lines).toEqual([expect.objectContaining({ sku: 'CRASH-1', quantity: 2 })]);
    expect(await ordersOf(customer)).toHaveLength(ordersBefore + 1);
    expect(await stockOf('CRASH-1')).toBe((stock as number) - 2);
  });

  test('the retries make only requests the catalogue documents, so the grants derived from it cover them', async () => {
    const { placeOrder } = await import('../../lambdas/data/order-workflows');
    const { registerCustomer } = await import('../../lambdas/data/accounts');
    const { metered } = await import('../../lambdas/shared/capacity');
    const token = randomUUID().replace(/-/g, '');
    const lines = [{ sku: 'CRASH-1', quantity: 1 }];
    dieAfterNextCommit();
    await expect(placeOrder('c-4', lines, token)).rejects.toThrow('the function died');
    jest.restoreAllMocks();
    const order = await metered(() => placeOrder('c-4', lines, token));
    expect(order.usage.made.map((r) => r.operation)).toEqual(['BatchGetItem', 'Query']);
    expect(undocumentedRequests(21, order.usage.made)).toEqual([]);

    const shopper = `sub-${randomUUID()}`;
    const registration = { email: `${shopper}@example.com`, name: 'Retry', marketingOptIn: false };
    dieAfterNextCommit();
    const registrationToken = randomUUID().replace(/-/g, '');
    await expect(registerCustomer(shopper, registration, registrationToken)).rejects.toThrow('the function died');
    jest.restoreAllMocks();
    const profile = await metered(() => registerCustomer(shopper, registration, registrationToken));
    expect(profile.usage.made.map((r) => r.operation)).toEqual(['GetItem']);
    expect(undocumentedRequests(19, profile.usage.made)).toEqual([]);
  });

  test('registering: the retry answers 201 with the profile the first attempt wrote', async () => {
    const shopper = `sub-${randomUUID()}`;
    const parts: EventParts = {
      body: { email: `${shopper}@example.com`, name: 'Grace', marketingOptIn: true },
      headers: { 'idempotency-key': randomUUID() },
      caller: { shopper },
    };
    dieAfterNextCommit();
    expect((await call('POST /customers', parts)).statusCode).toBe(500);
    jest.restoreAllMocks();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const retry = await call<{ customerId: string; createdAt: string }>('POST /customers', parts);
    const stored = await documents.send(
      new GetCommand({ TableName: tableName, Key: { PK: `CUSTOMER#${shopper}`, SK: 'PROFILE' }, ConsistentRead: true }),
    );
    expect(retry).toMatchObject({ statusCode: 201, body: { customerId: shopper, createdAt: stored.Item?.createdAt } });
  });
});
