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
