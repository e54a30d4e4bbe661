import { dailyProductSalesItem, dailySalesItem } from '../../lambdas/model/keys';
import { invoke, walkPages } from '../fixtures/api-events';
import { apiSuite, issuesOf } from '../fixtures/api-suite';
import { customers, orders } from '../fixtures/store-scenario';

const api = apiSuite(() => import('../../lambdas/handlers/api/admin'));

const BY_STATUS = 'GET /admin/orders';
const QUEUE = 'GET /admin/orders/awaiting-shipment';
const EXPORT = 'GET /admin/customers/marketing-export';
const wholeDay = { from: '2026-11-01T00:00:00Z', to: '2026-11-01T23:59:59Z' };

describe('GET /admin/orders', () => {
  test.each(['PLACED', 'PAID', 'SHIPPED', 'DELIVERED'] as const)(
    'pagination over every shard returns each %s order once, oldest first',
    async (status) => {
      const { keys } = await walkPages<{ orderId: string; statusSince: string }>(
        api.handler,
        BY_STATUS,
        { queryStringParameters: { status, ...wholeDay, limit: '2' } },
        (o) => o.orderId,
      );
      const expected = orders
        .filter((o) => o.status === status)
        .sort((a, b) => a.statusSince.localeCompare(b.statusSince))
        .map((o) => o.orderId);
      expect(keys).toEqual(expected);
    },
  );

  test('200 with nothing for a status no order has', async () => {
    const response = await invoke(api.handler, BY_STATUS, {
      queryStringParameters: { status: 'CANCELLED', ...wholeDay },
    });
    expect(response).toMatchObject({ statusCode: 200, body: { items: [] } });
  });

  test.each<[string, Record<string, string>, { field: string; rule: string }[]]>([
    [
      'an unknown status',
      { status: 'LOST', ...wholeDay },
      [{ field: 'query.status', rule: 'must be one of PLACED, PAID, SHIPPED, DELIVERED, CANCELLED' }],
    ],
    [
      'a local time',
      { status: 'PAID', from: '2026-11-01T00:00:00', to: wholeDay.to },
      [{ field: 'query.from', rule: 'must be an ISO-8601 instant in UTC, e.g. 2026-11-01T10:00:00Z' }],
    ],
    [
      'an inverted window',
      { status: 'PAID', from: wholeDay.to, to: wholeDay.from },
      [{ field: 'query.from', rule: 'must not be after to' }],
    ],
    [
      'missing bounds',
      { status: 'PAID' },
      [
        { field: 'query.from', rule: 'must be an ISO-8601 instant in UTC, e.g. 2026-11-01T10:00:00Z' },
        { field: 'query.to', rule: 'must be an ISO-8601 instant in UTC, e.g. 2026-11-01T10:00:00Z' },
      ],
    ],
  ])('400 for %s', async (_case, query, issues) => {
    const response = await invoke(api.handler, BY_STATUS, { queryStringParameters: query });
    expect(response.statusCode).toBe(400);
    expect(issuesOf(response.body)).toEqual(issues);
  });
});

describe('GET /admin/orders/awaiting-shipment', () => {
  test('pagination walks the queue, longest waiting first', async () => {
    const { keys } = await walkPages<{ orderId: string }>(
      api.handler,
      QUEUE,
      { queryStringParameters: { limit: '2' } },
      (o) => o.orderId,
    );
    expect(keys).toEqual(
      orders
        .filter((o) => o.status === 'PAID')
        .sort((a, b) => (a.paidAt ?? '').localeCompare(b.paidAt ?? ''))
        .map((o) => o.orderId),
    );
  });

  test('400 for a bad limit', async () => {
    const response = await invoke(api.handler, QUEUE, { queryStringParameters: { limit: '-5' } });
    expect(issuesOf(response.body)).toEqual([{ field: 'query.limit', rule: 'must be at least 1' }]);
  });
});

describe('GET /admin/customers/marketing-export', () => {
  test('rounds of parallel segments walk every opted-in customer exactly once', async () => {
    const { keys } = await walkPages<{ customerId: string }>(
      api.handler,
      EXPORT,
      { queryStringParameters: { limit: '1' } },
      (c) => c.customerId,
    );
    expect(keys.sort()).toEqual(
      customers
        .filter((c) => c.marketingOptIn)
        .map((c) => c.customerId)
        .sort(),
    );
  });

  test('400 for a cursor from another listing', async () => {
    const other = await invoke<{ cursor: string }>(api.handler, QUEUE, { queryStringParameters: { limit: '1' } });
    const response = await invoke(api.handler, EXPORT, { queryStringParameters: { cursor: other.body.cursor } });
    expect(response.statusCode).toBe(400);
    expect(issuesOf(response.body)[0]?.field).toBe('query.cursor');
  });
});

describe('sales figures', () => {
  const DAY = 'GET /admin/sales/{day}';
  const DAY_PRODUCTS = 'GET /admin/sales/{day}/products';
  const PRODUCT = 'GET /admin/products/{sku}/sales';
  const days = ['2026-10-30', '2026-10-31', '2026-11-01'];

  beforeAll(async () => {
    await api.env.seed([
      dailySalesItem({ day: '2026-10-31', orderCount: 3, unitsSold: 7, revenueCents: 12_345 }),
      ...days.flatMap((day, i) => [
        dailyProductSalesItem({ day, sku: 'PEN-01', unitsSold: i + 1, revenueCents: (i + 1) * 250 }),
        dailyProductSalesItem({ day, sku: 'INK-02', unitsSold: 1, revenueCents: 900 }),
      ]),
    ]);
  });

  test("a day's totals, and zeros for a day without orders", async () => {
    const day = await invoke(api.handler, DAY, { pathParameters: { day: '2026-10-31' } });
    expect(day).toMatchObject({
      statusCode: 200,
      body: { day: '2026-10-31', orderCount: 3, unitsSold: 7, revenueCents: 12_345 },
    });
    const quiet = await invoke(api.handler, DAY, { pathParameters: { day: '2026-01-01' } });
    expect(quiet.body).toEqual({ day: '2026-01-01', orderCount: 0, unitsSold: 0, revenueCents: 0 });
  });

  test("a day's products, page by page, by SKU", async () => {
    const { keys, pages } = await walkPages<{ sku: string }>(
      api.handler,
      DAY_PRODUCTS,
      { pathParameters: { day: '2026-11-01' }, queryStringParameters: { limit: '1' } },
      (p) => p.sku,
    );
    expect(keys).toEqual(['INK-02', 'PEN-01']);
    expect(pages).toBeGreaterThanOrEqual(2);
  });

  test("a product's days within a range, oldest first", async () => {
    const response = await invoke<{ items: { day: string; unitsSold: number }[] }>(api.handler, PRODUCT, {
      pathParameters: { sku: 'PEN-01' },
      queryStringParameters: { from: '2026-10-31', to: '2026-11-01' },
    });
    expect(response.body.items.map((i) => [i.day, i.unitsSold])).toEqual([
      ['2026-10-31', 2],
      ['2026-11-01', 3],
    ]);
  });

  test.each<
    [string, string, Record<string, string>, Record<string, string> | undefined, { field: string; rule: string }]
  >([
    [
      'a day that is not a date',
      DAY,
      { day: '2026-13-01' },
      undefined,
      { field: 'path.day', rule: 'must be a UTC day as YYYY-MM-DD, e.g. 2026-11-01' },
    ],
    [
      'a lower-case SKU',
      PRODUCT,
      { sku: 'pen-01' },
      { from: '2026-10-31', to: '2026-11-01' },
      { field: 'path.sku', rule: 'must be 1 to 40 upper-case letters, digits or "-"' },
    ],
    [
      'an inverted range',
      PRODUCT,
      { sku: 'PEN-01' },
      { from: '2026-11-01', to: '2026-10-31' },
      { field: 'query.from', rule: 'must not be after to' },
    ],
  ])('400 for %s', async (_case, route, pathParameters, queryStringParameters, issue) => {
    const response = await invoke(api.handler, route, {
      pathParameters,
      ...(queryStringParameters === undefined ? {} : { queryStringParameters }),
    });
    expect(response.statusCode).toBe(400);
    expect(issuesOf(response.body)).toEqual([issue]);
  });
});
