/**
 * `npm run seed` against DynamoDB Local: a small data set written by the seed's batch writer, in the
 * seed's order, into a table created from the template, then read back through the app's data layer
 * and turned into daily sales by the real stream consumers through the local pump.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Order } from '../../lambdas/model/entities';
import { type SeedReport, seedTable } from '../../local/seed';
import { type Dataset, generateDataset, type SeedItems, seedItemsOf } from '../../local/seed/dataset';
import { prepareStreamsEnvironment, type StreamsEnvironment } from '../fixtures/streams';

const NOW = '2026-11-01T10:00:00.000Z';
const ALL_PRICES = { minPriceCents: 0, maxPriceCents: 9_999_999_999 };

let env: StreamsEnvironment;
let catalog: typeof import('../../lambdas/data/catalog');
let orders: typeof import('../../lambdas/data/orders');
let customers: typeof import('../../lambdas/data/customers');
let sales: typeof import('../../lambdas/data/sales');
let documents: typeof import('../../lambdas/data/client')['documents'];
let dataset: Dataset;
let items: SeedItems;
let report: SeedReport;
const progress = new Map<string, { total: number; added: number; finished: boolean }>();

beforeAll(async () => {
  env = await prepareStreamsEnvironment({ catchEvents: false });
  catalog = await import('../../lambdas/data/catalog');
  orders = await import('../../lambdas/data/orders');
  customers = await import('../../lambdas/data/customers');
  sales = await import('../../lambdas/data/sales');
  ({ documents } = await import('../../lambdas/data/client'));

  dataset = generateDataset({ products: 50, customers: 20, orders: 100, randomSeed: 7, now: NOW });
  items = seedItemsOf(dataset, Number(process.env.STATUS_SHARDS));
  report = await seedTable(env.client, env.tableName, items, {
    progress: (phase, total) => {
      const counted = { total, added: 0, finished: false };
      progress.set(phase, counted);
      return {
        add: (count) => {
          counted.added += count;
        },
        finish: () => {
          counted.finished = true;
        },
      };
    },
  });
}, 60_000);

afterAll(() => env.destroy());

const count = (values: readonly Order[], status: Order['status']) => values.filter((o) => o.status === status);
const newestFirst = (a: Order, b: Order) => b.placedAt.localeCompare(a.placedAt);

test('every item is written once, in three phases whose progress adds up', async () => {
  // Act
  const byType = new Map<string, number>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({ TableName: env.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) byType.set(item.entityType, (byType.get(item.entityType) ?? 0) + 1);
    start = page.LastEvaluatedKey;
  } while (start !== undefined);

  // Assess
  expect(Object.fromEntries(byType)).toEqual({
    Product: 50,
    Customer: 20,
    EmailMarker: 20,
    Order: 100,
    OrderLine: dataset.orderLines.length,
  });
  const cancelled = count(dataset.orders, 'CANCELLED').length;
  expect(cancelled).toBeGreaterThan(0);
  expect(report.written).toBe(50 + 40 + 100 + dataset.orderLines.length + cancelled);
  expect(Object.fromEntries(progress)).toEqual({
    products: { total: 50, added: 50, finished: true },
    customers: { total: 40, added: 40, finished: true },
    orders: {
      total: dataset.orderLines.length + cancelled + 100,
      added: dataset.orderLines.length + cancelled + 100,
      finished: true,
    },
  });
});

test('a category lists its products cheapest first, as the catalog reads them', async () => {
  // Prepare
  const category = dataset.categories[3] as string;

  // Act
  const page = await catalog.listProductsByCategory({ category, ...ALL_PRICES }, { limit: 100 });

  // Assess
  const expected = dataset.products
    .filter((p) => p.category === category)
    .sort((a, b) => a.priceCents - b.priceCents || a.sku.localeCompare(b.sku));
  expect(expected.length).toBeGreaterThan(1);
  expect(page.items).toEqual(expected);
});

test("a customer's profile, orders newest first, largest orders and an order with its lines read back", async () => {
  // Prepare
  const customer = [...dataset.customers].sort((a, b) => b.orderCount - a.orderCount)[0];
  if (customer === undefined) throw new Error('no customers');
  const own = dataset.orders.filter((o) => o.customerId === customer.customerId);
  const cancelled = count(dataset.orders, 'CANCELLED')[0] as Order;

  // Act
  const profile = await customers.getCustomer(customer.customerId);
  const listed = await orders.listCustomerOrders(customer.customerId, { limit: 100 });
  const largest = await orders.listLargestOrders(customer.customerId, { limit: 100 });
  const withLines = await orders.getOrderWithLines(cancelled.customerId, cancelled.orderId, { consistentRead: true });

  // Assess
  expect(profile).toEqual(customer);
  expect(customer.orderCount).toBe(own.length);
  expect(listed.items).toEqual([...own].sort(newestFirst));
  expect(largest.items.map((o) => o.orderTotalCents)).toEqual(own.map((o) => o.orderTotalCents).sort((a, b) => b - a));
  expect(withLines?.order).toEqual(cancelled);
  expect(withLines?.lines).toEqual(
    expect.arrayContaining(dataset.orderLines.filter((l) => l.orderId === cancelled.orderId)),
  );
  expect(withLines?.lines).toHaveLength(cancelled.lineCount);
});

test('the status index and the shipping queue hold the orders the workflows would have put there', async () => {
  // Prepare
  const paid = count(dataset.orders, 'PAID').map((o) => o.orderId);
  const window = { from: '2026-01-01T00:00:00.000Z', to: NOW };

  // Act
  const byStatus = await orders.listOrdersByStatus({ status: 'PAID', ...window }, { limit: 100 });
  const cancelled = await orders.listOrdersByStatus({ status: 'CANCELLED', ...window }, { limit: 100 });
  const queue = await orders.listOrdersAwaitingShipment({ limit: 100 });

  // Assess: cancelled orders were paid before they were cancelled, and left the queue and the PAID shards
  expect(paid.length).toBeGreaterThan(0);
  expect(byStatus.items.map((o) => o.orderId).sort()).toEqual([...paid].sort());
  expect(queue.items.map((o) => o.orderId).sort()).toEqual([...paid].sort());
  expect(cancelled.items.map((o) => o.orderId).sort()).toEqual(
    count(dataset.orders, 'CANCELLED')
      .map((o) => o.orderId)
      .sort(),
  );
});

describe('the stream consumers', () => {
  /** Each day's expected figures: orders placed that day and not cancelled. */
  function expectedSales() {
    const days = new Map<string, { day: string; orderCount: number; unitsSold: number; revenueCents: number }>();
    for (const order of dataset.orders) {
      const day = order.placedAt.slice(0, 10);
      const figures = days.get(day) ?? { day, orderCount: 0, unitsSold: 0, revenueCents: 0 };
      days.set(day, figures);
      if (order.status === 'CANCELLED') continue;
      figures.orderCount += 1;
      figures.revenueCents += order.orderTotalCents;
      for (const line of dataset.orderLines.filter((l) => l.orderId === order.orderId)) {
        figures.unitsSold += line.quantity;
      }
    }
    return [...days.values()];
  }

  // As the API reads them: a day whose orders were all cancelled within one of the aggregator's
  // windows nets to nothing and has no figure item, which reads as zeros.
  const salesOfEveryDay = () =>
    Promise.all(
      expectedSales().map(
        async ({ day }) => (await sales.getDailySales(day)) ?? { day, orderCount: 0, unitsSold: 0, revenueCents: 0 },
      ),
    );

  test('build daily sales from the seeded orders, net of the cancelled ones', async () => {
    // Act
    await env.pump.drain({ timeoutMs: 90_000 });

    // Assess
    expect(await salesOfEveryDay()).toEqual(expectedSales());
    expect(await env.takeFailures('SalesAggregator')).toEqual([]);
  }, 120_000);

  test('see nothing when the same data set is seeded again, and the figures stay as they were', async () => {
    // Prepare
    const receivedCounts = () => Object.entries(env.received).map(([consumer, records]) => [consumer, records.length]);
    const before = receivedCounts();

    // Act
    const again = await seedTable(env.client, env.tableName, items);
    await env.pump.drain({ timeoutMs: 90_000 });

    // Assess: the cancelled orders' earlier states are not written over them again, and an unchanged
    // put leaves no stream record (the order publisher would see any change to an order header)
    expect(again.written).toBe(report.written - count(dataset.orders, 'CANCELLED').length);
    expect(env.received.OrderEvents.length).toBeGreaterThanOrEqual(100);
    expect(receivedCounts()).toEqual(before);
    expect(await salesOfEveryDay()).toEqual(expectedSales());
  }, 120_000);
});
