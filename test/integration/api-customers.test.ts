import { invoke, walkPages } from '../fixtures/api-events';
import { apiSuite, issuesOf } from '../fixtures/api-suite';
import { customers, orders } from '../fixtures/store-scenario';

const api = apiSuite(() => import('../../lambdas/handlers/api/customers'));

const idRule = 'must be 1 to 64 letters, digits, "_", ".", ":" or "-"';

describe('GET /customers/{customerId}', () => {
  const route = 'GET /customers/{customerId}';

  test('200 with the customer, without key attributes', async () => {
    const response = await invoke(api.handler, route, { pathParameters: { customerId: 'c-2' } });
    expect(response).toEqual({ statusCode: 200, headers: expect.any(Object), body: customers[1] });
  });

  test('404 for an unknown customer', async () => {
    const response = await invoke(api.handler, route, { pathParameters: { customerId: 'c-999' } });
    expect(response).toMatchObject({ statusCode: 404, body: { resource: 'Customer', id: 'c-999' } });
  });

  test.each(['c#1', 'c 1', 'x'.repeat(65)])('400 for the customer id %p', async (customerId) => {
    const response = await invoke(api.handler, route, { pathParameters: { customerId } });
    expect(response.statusCode).toBe(400);
    expect(issuesOf(response.body)).toEqual([{ field: 'path.customerId', rule: idRule }]);
  });
});

describe('GET /customers/{customerId}/orders', () => {
  const route = 'GET /customers/{customerId}/orders';

  test('pagination walks every order, newest first, without duplicates or gaps', async () => {
    const { keys, pages } = await walkPages<{ orderId: string }>(
      api.handler,
      route,
      { pathParameters: { customerId: 'c-1' }, queryStringParameters: { limit: '4' } },
      (o) => o.orderId,
    );
    expect(keys).toEqual([...orders].sort((a, b) => b.placedAt.localeCompare(a.placedAt)).map((o) => o.orderId));
    expect(pages).toBe(7);
  });

  test('200 with no orders for a customer who has none', async () => {
    const response = await invoke(api.handler, route, { pathParameters: { customerId: 'c-5' } });
    expect(response).toMatchObject({ statusCode: 200, body: { items: [] } });
  });

  test('400 for a bad limit and a bad id at once, each named', async () => {
    const response = await invoke(api.handler, route, {
      pathParameters: { customerId: 'c#1' },
      queryStringParameters: { limit: '500' },
    });
    expect(issuesOf(response.body)).toEqual([
      { field: 'path.customerId', rule: idRule },
      { field: 'query.limit', rule: 'must be at most 100' },
    ]);
  });

  test('400 for a cursor issued for another customer', async () => {
    const first = await invoke<{ cursor: string }>(api.handler, route, {
      pathParameters: { customerId: 'c-1' },
      queryStringParameters: { limit: '2' },
    });
    const response = await invoke(api.handler, route, {
      pathParameters: { customerId: 'c-3' },
      queryStringParameters: { cursor: first.body.cursor },
    });
    expect(response.statusCode).toBe(400);
    expect(issuesOf(response.body)[0]?.field).toBe('query.cursor');
  });
});

describe('GET /customers/{customerId}/orders/largest', () => {
  const route = 'GET /customers/{customerId}/orders/largest';

  test('pagination walks every order, largest first, without duplicates or gaps', async () => {
    const { keys } = await walkPages<{ orderId: string; orderTotalCents: number }>(
      api.handler,
      route,
      { pathParameters: { customerId: 'c-1' }, queryStringParameters: { limit: '6' } },
      (o) => `${o.orderTotalCents}:${o.orderId}`,
    );
    const totals = keys.map((k) => Number(k.split(':')[0]));
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(new Set(keys).size).toBe(orders.length);
  });

  test('400 for a non-numeric limit', async () => {
    const response = await invoke(api.handler, route, {
      pathParameters: { customerId: 'c-1' },
      queryStringParameters: { limit: 'all' },
    });
    expect(issuesOf(response.body)).toEqual([{ field: 'query.limit', rule: 'must be a number' }]);
  });
});

describe('GET /customers/{customerId}/orders/{orderId}', () => {
  const route = 'GET /customers/{customerId}/orders/{orderId}';

  test.each(['false', 'true'])('200 with the order and its lines (consistent=%s)', async (consistent) => {
    const response = await invoke<{ order: { orderId: string }; lines: unknown[] }>(api.handler, route, {
      pathParameters: { customerId: 'c-1', orderId: 'o-007' },
      queryStringParameters: { consistent },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body.order).toEqual(orders[7]);
    expect(response.body.lines).toHaveLength(2);
  });

  test('404 for an order of another customer', async () => {
    const response = await invoke(api.handler, route, { pathParameters: { customerId: 'c-2', orderId: 'o-007' } });
    expect(response).toMatchObject({ statusCode: 404, body: { resource: 'Order', id: 'o-007' } });
  });

  test('400 for consistent=yes', async () => {
    const response = await invoke(api.handler, route, {
      pathParameters: { customerId: 'c-1', orderId: 'o-007' },
      queryStringParameters: { consistent: 'yes' },
    });
    expect(issuesOf(response.body)).toEqual([{ field: 'query.consistent', rule: 'must be true or false' }]);
  });
});

describe('errors from below the handler', () => {
  test('throttling that outlasts the SDK retries is a 503 with Retry-After', async () => {
    const { documents } = await import('../../lambdas/data/client');
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
    const spy = jest.spyOn(documents, 'send').mockRejectedValueOnce(throttled as never);
    const response = await invoke(api.handler, 'GET /customers/{customerId}', {
      pathParameters: { customerId: 'c-1' },
    });
    spy.mockRestore();
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body).toEqual({ error: 'ServiceUnavailable', message: 'The table is busy; try again shortly' });
  });

  test('an unexpected error is a 500 with a request id and nothing internal', async () => {
    const { documents } = await import('../../lambdas/data/client');
    const internal = new Error(
      'ValidationException: arn:aws:dynamodb:eu-west-1:111111111111:table/secret-name at line 42',
    );
    const spy = jest.spyOn(documents, 'send').mockRejectedValueOnce(internal as never);
    const response = await invoke(api.handler, 'GET /customers/{customerId}', {
      pathParameters: { customerId: 'c-1' },
    });
    spy.mockRestore();
    expect(response).toMatchObject({
      statusCode: 500,
      body: { error: 'InternalError', message: 'Something went wrong on our side', requestId: 'aws-request-1' },
    });
    expect(JSON.stringify(response.body)).not.toMatch(/arn:|secret-name|line 42|ValidationException/);
  });
});
