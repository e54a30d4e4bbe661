/**
 * The transactional workflows on DynamoDB Local: effects, refusals that write nothing, and the
 * capacity each consumes against docs/access-patterns.md.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type AppEnvironment, prepareAppEnvironment } from '../fixtures/app-environment';
import { expectDocumented } from '../fixtures/documented-capacity';
import { scenarioItems } from '../fixtures/store-scenario';

let env: AppEnvironment;
let accounts: typeof import('../../lambdas/data/accounts');
let workflows: typeof import('../../lambdas/data/order-workflows');
let orders: typeof import('../../lambdas/data/orders');
let capacity: typeof import('../../lambdas/shared/capacity');
let documents: typeof import('../../lambdas/data/client')['documents'];
let tableName: string;

beforeAll(async () => {
  env = await prepareAppEnvironment();
  await env.seed(scenarioItems());
  accounts = await import('../../lambdas/data/accounts');
  workflows = await import('../../lambdas/data/order-workflows');
  orders = await import('../../lambdas/data/orders');
  capacity = await import('../../lambdas/shared/capacity');
  ({ documents, tableName } = await import('../../lambdas/data/client'));
});

afterAll(() => env.client.destroy());

let token = 0;
const nextToken = () => `token-${process.pid}-${++token}`;

async function item(PK: string, SK: string): Promise<Record<string, unknown> | undefined> {
  return (await documents.send(new GetCommand({ TableName: tableName, Key: { PK, SK }, ConsistentRead: true }))).Item;
}

const stockOf = async (sku: string) => (await item(`PRODUCT#${sku}`, 'PRODUCT'))?.stock;

describe('registration and email changes', () => {
  test('#16 registering writes the customer and claims the email', async () => {
    const customer = await expectDocumented(19, 'registerCustomer', () =>
      accounts.registerCustomer('c-zoe', { email: ' Zoe@Example.com', name: 'Zoe', marketingOptIn: true }, nextToken()),
    );
    expect(customer).toMatchObject({ email: 'zoe@example.com', orderCount: 0, version: 1 });
    expect(await item('EMAIL#zoe@example.com', 'EMAIL')).toMatchObject({ customerId: customer.customerId });
  });

  test('a second registration with the email, in any case, is a conflict and writes nothing', async () => {
    await expect(
      accounts.registerCustomer(
        'c-zoe-2',
        { email: 'ZOE@example.com', name: 'Other', marketingOptIn: false },
        nextToken(),
      ),
    ).rejects.toMatchObject({ name: 'ConflictError', details: { field: 'email', reason: 'EmailTaken' } });
  });

  test('#17 changing the email swaps the markers and bumps the version', async () => {
    const customer = await accounts.registerCustomer(
      'c-yan',
      { email: 'yan@example.com', name: 'Yan', marketingOptIn: false },
      nextToken(),
    );
    const changed = await expectDocumented(20, 'changeCustomerEmail', () =>
      accounts.changeCustomerEmail(customer.customerId, 'yan@new.example'),
    );
    expect(changed).toMatchObject({ email: 'yan@new.example', version: 2 });
    expect(await item('EMAIL#yan@example.com', 'EMAIL')).toBeUndefined();
    expect(await item('EMAIL#yan@new.example', 'EMAIL')).toMatchObject({ customerId: customer.customerId });
    expect(await item(`CUSTOMER#${customer.customerId}`, 'PROFILE')).toMatchObject({
      email: 'yan@new.example',
      version: 2,
    });
  });

  test('changing to a taken email is a conflict and changes nothing', async () => {
    const customer = await accounts.registerCustomer(
      'c-xia',
      { email: 'xia@example.com', name: 'Xia', marketingOptIn: false },
      nextToken(),
    );
    await expect(accounts.changeCustomerEmail(customer.customerId, 'zoe@example.com')).rejects.toMatchObject({
      name: 'ConflictError',
      details: { reason: 'EmailTaken' },
    });
    expect(await item('EMAIL#xia@example.com', 'EMAIL')).toMatchObject({ customerId: customer.customerId });
    expect(await item(`CUSTOMER#${customer.customerId}`, 'PROFILE')).toMatchObject({
      email: 'xia@example.com',
      version: 1,
    });
  });

  test('changing the email of an unknown customer is not found', async () => {
    await expect(accounts.changeCustomerEmail('nobody', 'n@example.com')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });
});

describe('placing orders', () => {
  test('#18 a one-line order decrements stock and adds to the customer, all at once', async () => {
    const before = await item('CUSTOMER#c-2', 'PROFILE');
    const placed = await expectDocumented(21, 'placeOrder', () =>
      workflows.placeOrder('c-2', [{ sku: 'PEN-10', quantity: 3 }], nextToken()),
    );
    expect(placed.order).toMatchObject({ status: 'PLACED', orderTotalCents: 3 * 1_100, lineCount: 1, version: 1 });
    expect(await stockOf('PEN-10')).toBe(97);
    expect(await item('CUSTOMER#c-2', 'PROFILE')).toMatchObject({
      orderCount: (before?.orderCount as number) + 1,
      lifetimeValueCents: (before?.lifetimeValueCents as number) + 3_300,
    });
    const read = await orders.getOrderWithLines('c-2', placed.order.orderId, { consistentRead: true });
    expect(read).toEqual(placed);
  });

  test('#19 a three-line order', async () => {
    const placed = await expectDocumented(22, 'placeOrder', () =>
      workflows.placeOrder(
        'c-2',
        [
          { sku: 'PEN-11', quantity: 1 },
          { sku: 'PEN-12', quantity: 2 },
          { sku: 'BOOK-2', quantity: 1 },
        ],
        nextToken(),
      ),
    );
    expect(placed.lines.map((l) => [l.sku, l.unitPriceCents])).toEqual([
      ['PEN-11', 1_200],
      ['PEN-12', 1_300],
      ['BOOK-2', 1_502],
    ]);
  });

  test('not enough stock: 409 naming the SKU and what remains, and nothing is written', async () => {
    const before = await item('CUSTOMER#c-3', 'PROFILE');
    await expect(
      workflows.placeOrder(
        'c-3',
        [
          { sku: 'PEN-13', quantity: 1 },
          { sku: 'BOOK-3', quantity: 21 },
        ],
        nextToken(),
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      details: { reason: 'OutOfStock', sku: 'BOOK-3', requested: 21, available: 20 },
    });
    expect(await stockOf('PEN-13')).toBe(100);
    expect(await item('CUSTOMER#c-3', 'PROFILE')).toEqual(before);
    expect((await orders.listCustomerOrders('c-3', { limit: 10 })).items).toEqual([]);
  });

  test('an unknown product or customer is not found, and nothing is written', async () => {
    await expect(workflows.placeOrder('c-3', [{ sku: 'GONE-1', quantity: 1 }], nextToken())).rejects.toMatchObject({
      name: 'NotFoundError',
      resource: 'Product',
    });
    await expect(workflows.placeOrder('nobody', [{ sku: 'PEN-14', quantity: 1 }], nextToken())).rejects.toMatchObject({
      name: 'NotFoundError',
      resource: 'Customer',
    });
    expect(await stockOf('PEN-14')).toBe(100);
  });

  test('a price that changes between quote and order is a conflict', async () => {
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const send = documents.send.bind(documents);
    const spy = jest.spyOn(documents, 'send').mockImplementation((async (command: never) => {
      if ((command as { constructor: { name: string } }).constructor.name === 'TransactWriteCommand') {
        await send(
          new UpdateCommand({
            TableName: tableName,
            Key: { PK: 'PRODUCT#PEN-15', SK: 'PRODUCT' },
            UpdateExpression: 'SET priceCents = :p',
            ExpressionAttributeValues: { ':p': 9_999 },
          }) as never,
        );
        spy.mockRestore();
      }
      return send(command);
    }) as never);
    await expect(workflows.placeOrder('c-3', [{ sku: 'PEN-15', quantity: 1 }], nextToken())).rejects.toMatchObject({
      name: 'ConflictError',
      details: { reason: 'PriceChanged', sku: 'PEN-15', priceCents: 9_999 },
    });
    spy.mockRestore();
    expect(await stockOf('PEN-15')).toBe(100);
  });

  test('more lines than a transaction holds are refused before anything is read', async () => {
    const lines = Array.from({ length: workflows.MAX_ORDER_LINES + 1 }, (_, i) => ({ sku: `S-${i}`, quantity: 1 }));
    const { usage } = await capacity.metered(() =>
      workflows.placeOrder('c-3', lines, nextToken()).catch((error: Error) => error),
    );
    expect(usage.requests).toBe(0);
    await expect(workflows.placeOrder('c-3', lines, nextToken())).rejects.toMatchObject({
      name: 'ValidationError',
      issues: [{ field: 'body.lines', rule: expect.stringContaining('at most 49 lines') }],
    });
  });

  test('a SKU listed twice is refused', async () => {
    await expect(
      workflows.placeOrder(
        'c-3',
        [
          { sku: 'PEN-16', quantity: 1 },
          { sku: 'PEN-16', quantity: 2 },
        ],
        nextToken(),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('order status, cancellation and the checkout snapshot', () => {
  let orderId: string;

  beforeAll(async () => {
    orderId = (
      await workflows.placeOrder(
        'c-4',
        [
          { sku: 'PEN-20', quantity: 2 },
          { sku: 'PEN-21', quantity: 1 },
        ],
        nextToken(),
      )
    ).order.orderId;
  });

  test('#20 the checkout snapshot reads order, customer and stock together', async () => {
    const summary = await expectDocumented(23, 'getCheckoutSummary', () =>
      workflows.getCheckoutSummary('c-4', orderId),
    );
    expect(summary).toMatchObject({
      order: { orderId, status: 'PLACED' },
      customer: { customerId: 'c-4', orderCount: 1 },
      stock: [
        { sku: 'PEN-20', stock: 98 },
        { sku: 'PEN-21', stock: 99 },
      ],
    });
  });

  test('#21 paying moves the order to PAID and into the shipping queue', async () => {
    const paid = await expectDocumented(24, 'changeOrderStatus', () =>
      workflows.changeOrderStatus('c-4', orderId, { status: 'PAID', expectedVersion: 1 }),
    );
    expect(paid).toMatchObject({ status: 'PAID', version: 2, paidAt: expect.any(String) });
    const queue = await orders.listOrdersAwaitingShipment({ limit: 100 });
    expect(queue.items.map((o) => o.orderId)).toContain(orderId);
  });

  test('a stale version is a 409 with the current version', async () => {
    await expect(
      workflows.changeOrderStatus('c-4', orderId, { status: 'SHIPPED', expectedVersion: 1 }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      details: { reason: 'VersionConflict', currentVersion: 2, status: 'PAID' },
    });
  });

  test('a move that skips a step is a 409 naming the status', async () => {
    await expect(
      workflows.changeOrderStatus('c-4', orderId, { status: 'DELIVERED', expectedVersion: 2 }),
    ).rejects.toMatchObject({ name: 'ConflictError', details: { reason: 'InvalidTransition', status: 'PAID' } });
  });

  test('#22 cancelling a paid order restocks every line and leaves the shipping queue', async () => {
    const cancelled = await expectDocumented(25, 'cancelOrder', () =>
      workflows.cancelOrder('c-4', orderId, nextToken()),
    );
    expect(cancelled).toMatchObject({ status: 'CANCELLED', version: 3, cancelledAt: expect.any(String) });
    expect(await stockOf('PEN-20')).toBe(100);
    expect(await stockOf('PEN-21')).toBe(100);
    expect((await item('CUSTOMER#c-4', 'PROFILE'))?.lifetimeValueCents).toBe(0);
    const queue = await orders.listOrdersAwaitingShipment({ limit: 100 });
    expect(queue.items.map((o) => o.orderId)).not.toContain(orderId);
    const header = await item('CUSTOMER#c-4', `ORDER#${orderId}`);
    expect(header).not.toHaveProperty('shipQueue');
  });

  test('cancelling again changes nothing', async () => {
    const again = await workflows.cancelOrder('c-4', orderId, nextToken());
    expect(again).toMatchObject({ status: 'CANCELLED', version: 3 });
    expect(await stockOf('PEN-20')).toBe(100);
  });

  test('a shipped order cannot be cancelled', async () => {
    const placed = await workflows.placeOrder('c-5', [{ sku: 'PEN-22', quantity: 1 }], nextToken());
    const id = placed.order.orderId;
    await workflows.changeOrderStatus('c-5', id, { status: 'PAID', expectedVersion: 1 });
    await workflows.changeOrderStatus('c-5', id, { status: 'SHIPPED', expectedVersion: 2 });
    await expect(workflows.cancelOrder('c-5', id, nextToken())).rejects.toMatchObject({
      name: 'ConflictError',
      details: { reason: 'NotCancellable', status: 'SHIPPED' },
    });
    expect(await stockOf('PEN-22')).toBe(99);
  });

  test('an unknown order is not found', async () => {
    await expect(workflows.cancelOrder('c-5', 'NOPE', nextToken())).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(
      workflows.changeOrderStatus('c-5', 'NOPE', { status: 'PAID', expectedVersion: 1 }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    expect(await workflows.getCheckoutSummary('c-5', 'NOPE')).toBeUndefined();
  });
});
