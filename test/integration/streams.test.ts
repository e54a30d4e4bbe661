/**
 * The stream consumers end to end on this machine: writes through the data functions, the table's
 * real stream in DynamoDB Local, the local pump with the mappings from the template, the real
 * consumer handlers, and EventBridge, S3 and SQS in moto_server.
 */
import { GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Order } from '../../lambdas/model/entities';
import { lambdaContext } from '../fixtures/api-events';
import { aCustomer, anOrder, anOrderLine, aProduct } from '../fixtures/entities';
import { prepareStreamsEnvironment, type StreamsEnvironment } from '../fixtures/streams';

let env: StreamsEnvironment;
let keys: typeof import('../../lambdas/model/keys');
let workflows: typeof import('../../lambdas/data/order-workflows');
let cart: typeof import('../../lambdas/data/cart');
let sales: typeof import('../../lambdas/data/sales');
let documents: typeof import('../../lambdas/data/client')['documents'];
let tableName: string;

beforeAll(async () => {
  env = await prepareStreamsEnvironment();
  keys = await import('../../lambdas/model/keys');
  workflows = await import('../../lambdas/data/order-workflows');
  cart = await import('../../lambdas/data/cart');
  sales = await import('../../lambdas/data/sales');
  ({ documents, tableName } = await import('../../lambdas/data/client'));
  await env.seed([
    keys.customerItem(aCustomer({ customerId: 'c-1', email: 'c1@example.com' })),
    keys.customerItem(aCustomer({ customerId: 'c-2', email: 'c2@example.com' })),
    keys.productItem(aProduct({ sku: 'PEN', priceCents: 250, stock: 100 })),
    keys.productItem(aProduct({ sku: 'INK', priceCents: 700, stock: 100 })),
  ]);
  // The seed's own records are part of the stream; deliver them before the tests start.
  await env.pump.drain();
});

afterAll(() => env.destroy());

const get = async (key: { PK: string; SK: string }) =>
  (await documents.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

/** Every daily sales item in the table, by key: what "every aggregate" means. */
async function allAggregates(): Promise<Record<string, Record<string, unknown>>> {
  const { Items = [] } = await documents.send(
    new ScanCommand({
      TableName: tableName,
      FilterExpression: 'entityType IN (:total, :product)',
      ExpressionAttributeValues: { ':total': 'DailySales', ':product': 'DailyProductSales' },
      ConsistentRead: true,
    }),
  );
  return Object.fromEntries(Items.map((item) => [`${item.PK}|${item.SK}`, item]));
}

const dayOf = (order: Order) => order.placedAt.slice(0, 10);

describe('end to end', () => {
  let placed: Order[];
  let cancelled: Order;
  let paid: Order;

  beforeAll(async () => {
    placed = [];
    for (const [customerId, lines] of [
      ['c-1', [{ sku: 'PEN', quantity: 2 }]],
      [
        'c-1',
        [
          { sku: 'PEN', quantity: 1 },
          { sku: 'INK', quantity: 3 },
        ],
      ],
      ['c-2', [{ sku: 'INK', quantity: 1 }]],
    ] as const) {
      placed.push((await workflows.placeOrder(customerId, lines, `streams-${placed.length}`)).order);
    }
    const [first, second] = placed as [Order, Order, Order];
    cancelled = await workflows.cancelOrder(second.customerId, second.orderId, 'streams-cancel');
    paid = await workflows.changeOrderStatus(first.customerId, first.orderId, { status: 'PAID', expectedVersion: 1 });

    // Two cart lines: the shopper removes one; the other expires and TTL deletes it.
    await cart.addToCart('c-2', 'PEN', 4);
    await cart.addToCart('c-2', 'INK', 1);
    await cart.removeCartLine('c-2', 'INK');
    const expiring = keys.cartLineKey('c-2', 'PEN');
    await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: expiring,
        // Time passing, as far as TTL is concerned: the line expired a minute ago.
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 60 },
      }),
    );
    // DynamoDB's TTL process would delete it within a few days; locally, the stand-in does it now.
    expect(await env.ttl.sweep()).toBe(1);
    expect(await get(expiring)).toBeUndefined();

    const reports = await env.pump.drain();
    expect(reports.flatMap((r) => r.failedBatches)).toEqual([]);
  });

  test('daily sales count each order on the day it was placed, net of cancellations', async () => {
    const [first, , third] = placed as [Order, Order, Order];
    // Orders placed around midnight UTC may fall on two days; add up what is expected per day.
    const expected = new Map<string, { orderCount: number; unitsSold: number; revenueCents: number }>();
    const count = (order: Order, units: number, revenue: number) => {
      const day = expected.get(dayOf(order)) ?? { orderCount: 0, unitsSold: 0, revenueCents: 0 };
      expected.set(dayOf(order), {
        orderCount: day.orderCount + 1,
        unitsSold: day.unitsSold + units,
        revenueCents: day.revenueCents + revenue,
      });
    };
    count(first, 2, 500);
    count(third, 1, 700);
    for (const [day, figures] of expected) {
      expect(await sales.getDailySales(day)).toEqual({ day, ...figures });
    }
    // The cancelled order placed and then took back its sales: the figures net to zero on its day.
    const day = dayOf(cancelled);
    const products = await sales.listDailyProductSales(day, { limit: 10 });
    const bySku = Object.fromEntries(products.items.map((p) => [p.sku, p]));
    if (dayOf(first) === day && dayOf(third) === day) {
      expect(bySku.PEN).toEqual({ day, sku: 'PEN', unitsSold: 2, revenueCents: 500 });
      expect(bySku.INK).toEqual({ day, sku: 'INK', unitsSold: 1, revenueCents: 700 });
    }
  });

  test('a product’s sales are listed day by day through the overloaded index', async () => {
    const day = dayOf(placed[0] as Order);
    const page = await sales.listProductSales('PEN', { fromDay: day, toDay: day }, { limit: 10 });
    expect(page.items.map((p) => p.sku)).toEqual(['PEN']);
  });

  test('the bus carries one event per order change, in order, with the change in the detail', async () => {
    const events = await env.takeEvents();
    const summary = events.map((e) => [e['detail-type'], e.detail.orderId, e.detail.status]);
    const [first, second, third] = placed as [Order, Order, Order];
    expect(summary).toEqual([
      ['OrderPlaced', first.orderId, 'PLACED'],
      ['OrderPlaced', second.orderId, 'PLACED'],
      ['OrderPlaced', third.orderId, 'PLACED'],
      ['OrderCancelled', second.orderId, 'CANCELLED'],
      ['OrderStatusChanged', first.orderId, 'PAID'],
    ]);
    expect(events.every((e) => e.source === 'order-store.orders')).toBe(true);
    expect(events[4]?.detail).toMatchObject({
      customerId: 'c-1',
      previousStatus: 'PLACED',
      version: paid.version,
      occurredAt: paid.statusSince,
      orderTotalCents: first.orderTotalCents,
    });
    expect(events[0]?.detail).not.toHaveProperty('previousStatus');
    expect(new Set(events.map((e) => e.detail.eventId)).size).toBe(5);
  });

  test('only the line deleted by TTL is archived, with its content, under its day', async () => {
    const archived = await env.archived();
    expect(archived).toHaveLength(1);
    const [object] = archived;
    expect(object?.key).toMatch(/^expired-carts\/day=\d{4}-\d{2}-\d{2}\/[\w-]+\.json$/);
    expect(object?.body).toMatchObject({ customerId: 'c-2', sku: 'PEN', quantity: 4, unitPriceCents: 250 });
    expect(Date.parse(String(object?.body.deletedAt))).toBeGreaterThan(Date.parse(String(object?.body.expiresAt)));
  });

  test('each consumer receives only the records its filter lets through', () => {
    const describe = (r: DynamoDBRecord) => {
      const image = r.dynamodb?.NewImage ?? r.dynamodb?.OldImage;
      return `${r.eventName} ${image?.entityType?.S}${r.eventName === 'MODIFY' ? ` ${r.dynamodb?.NewImage?.status?.S}` : ''}`;
    };
    const kinds = (records: DynamoDBRecord[]) => [...new Set(records.map(describe))].sort();
    // The aggregator gets each placed order's lines too, so that it need not read them back.
    expect(kinds(env.received.SalesAggregator)).toEqual(['INSERT Order', 'INSERT OrderLine', 'MODIFY Order CANCELLED']);
    expect(kinds(env.received.OrderEvents)).toEqual(['INSERT Order', 'MODIFY Order CANCELLED', 'MODIFY Order PAID']);
    expect(kinds(env.received.ExpiredCartArchiver)).toEqual(['REMOVE CartLine']);
    expect(env.received.ExpiredCartArchiver.map((r) => r.userIdentity)).toEqual([
      { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
    ]);
    // Customers, products and cart writes reached no consumer, order lines only the aggregator.
    const lines = (placed as Order[]).reduce((sum, order) => sum + order.lineCount, 0);
    expect(env.received.SalesAggregator).toHaveLength(4 + lines);
    expect(env.received.OrderEvents).toHaveLength(5);
  });

  test('the same batches delivered again leave every aggregate and archive unchanged', async () => {
    const aggregates = await allAggregates();
    const archived = await env.archived();
    const { handler: aggregate } = await import('../../lambdas/handlers/streams/sales-aggregator');
    const { handler: archive } = await import('../../lambdas/handlers/streams/cart-archive');

    // The aggregator's windows, each delivered again as Lambda would after losing its checkpoint:
    // the window's records into a fresh state, then the window's final invocation.
    expect(env.windows.SalesAggregator.length).toBeGreaterThan(0);
    for (const { shardId, window, records } of env.windows.SalesAggregator) {
      const fields = { shardId, window, eventSourceARN: records[0]?.eventSourceARN ?? '' };
      const added = await aggregate(
        { Records: records, ...fields, state: {}, isFinalInvokeForWindow: false },
        lambdaContext(),
      );
      await expect(
        aggregate({ Records: [], ...fields, state: added.state, isFinalInvokeForWindow: true }, lambdaContext()),
      ).resolves.toEqual({ state: {}, batchItemFailures: [] });
    }
    await expect(archive({ Records: env.received.ExpiredCartArchiver }, lambdaContext())).resolves.toEqual({
      batchItemFailures: [],
    });

    expect(await allAggregates()).toEqual(aggregates);
    expect(await env.archived()).toEqual(archived);
  });
});

describe('one malformed record among 100', () => {
  const DAY = '2026-10-01';
  let badSequence: string;
  let badOrderId: string;

  beforeAll(async () => {
    await env.pump.drain();
    await env.takeEvents();
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      const orderId = `bulk-${String(i).padStart(3, '0')}`;
      const placedAt = `${DAY}T12:00:00.000Z`;
      const order = keys.orderItem(anOrder({ orderId, customerId: 'c-1', placedAt, statusSince: placedAt }), 4);
      // Order 50's total is text: no consumer can make sense of it, however often it is retried.
      items.push(i === 50 ? { ...order, orderTotalCents: 'a lot' } : order);
      items.push(
        keys.orderLineItem(anOrderLine({ orderId, customerId: 'c-1', sku: 'PEN', quantity: 2, unitPriceCents: 2_500 })),
      );
    }
    badOrderId = 'bulk-050';
    await env.seed(items);
    await env.pump.drain();
    const bad = env.received.SalesAggregator.find((r) => r.dynamodb?.NewImage?.orderId?.S === badOrderId);
    badSequence = bad?.dynamodb?.SequenceNumber ?? '';
  });

  test('the aggregator counts the 99 others, including those after it', async () => {
    expect(await sales.getDailySales(DAY)).toEqual({
      day: DAY,
      orderCount: 99,
      unitsSold: 198,
      revenueCents: 99 * 5_000,
    });
  });

  test('the bad record alone reaches each failure destination, with its sequence number', async () => {
    expect(badSequence).not.toBe('');
    for (const consumer of ['SalesAggregator', 'OrderEvents'] as const) {
      const failures = await env.takeFailures(consumer);
      expect(failures).toHaveLength(1);
      expect(failures[0]?.DDBStreamBatchInfo).toMatchObject({
        startSequenceNumber: badSequence,
        endSequenceNumber: badSequence,
        batchSize: 1,
      });
      expect(failures[0]?.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted' });
    }
  });

  test('the publisher publishes the 99 others once each, in stream order', async () => {
    const events = await env.takeEvents();
    const ids = events.map((e) => String(e.detail.orderId));
    expect(ids).toHaveLength(99);
    expect(ids).not.toContain(badOrderId);
    expect(ids).toEqual([...ids].sort());
  });
});
