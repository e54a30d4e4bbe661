/**
 * The Catalog function's routes with API Gateway events, on DynamoDB Local. They take the table
 * path, as without DAX: no DAX emulator exists (docs/dax.md says what is tested instead).
 */
import { invoke, walkPages } from '../fixtures/api-events';
import { apiSuite, issuesOf } from '../fixtures/api-suite';
import { products } from '../fixtures/store-scenario';

const api = apiSuite(() => import('../../lambdas/handlers/api/catalog'));

describe('GET /products/{sku}, on the table (no DAX emulator exists)', () => {
  const route = 'GET /products/{sku}';

  test('200 with the product', async () => {
    const response = await invoke(api.handler, route, { pathParameters: { sku: 'PEN-03' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toEqual(products[3]);
  });

  test('404 naming the product', async () => {
    const response = await invoke(api.handler, route, { pathParameters: { sku: 'NOPE-1' } });
    expect(response).toMatchObject({ statusCode: 404, body: { error: 'NotFound', resource: 'Product', id: 'NOPE-1' } });
  });

  test.each([
    ['lower case', 'pen-01'],
    ['the key separator', 'PEN#01'],
    ['too long', `P${'X'.repeat(40)}`],
  ])('400 for a SKU in %s', async (_case, sku) => {
    const response = await invoke(api.handler, route, { pathParameters: { sku } });
    expect(response.statusCode).toBe(400);
    expect(issuesOf(response.body)).toEqual([
      { field: 'path.sku', rule: 'must be 1 to 40 upper-case letters, digits or "-"' },
    ]);
  });

  test('400 for an unexpected query parameter', async () => {
    const response = await invoke(api.handler, route, {
      pathParameters: { sku: 'PEN-01' },
      queryStringParameters: { x: '1' },
    });
    expect(response.statusCode).toBe(400);
    expect(issuesOf(response.body)).toEqual([{ field: 'query', rule: 'is not accepted by this route' }]);
  });
});

describe('GET /products, on the table (no DAX emulator exists)', () => {
  const route = 'GET /products';

  test('200 with the products found and the SKUs missing', async () => {
    const response = await invoke(api.handler, route, { queryStringParameters: { skus: 'BOOK-2,PEN-00,GONE-1' } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({ products: [products[32], products[0]], missing: ['GONE-1'] });
  });

  test('400 when skus is missing', async () => {
    const response = await invoke(api.handler, route, { queryStringParameters: {} });
    expect(response.statusCode).toBe(400);
    expect(issuesOf(response.body)).toEqual([
      { field: 'query.skus', rule: 'is required: a comma-separated list of SKUs' },
    ]);
  });

  test('400 naming the position of a bad SKU', async () => {
    const response = await invoke(api.handler, route, { queryStringParameters: { skus: 'PEN-00,bad sku' } });
    expect(issuesOf(response.body)).toEqual([
      { field: 'query.skus.1', rule: 'must be 1 to 40 upper-case letters, digits or "-"' },
    ]);
  });

  test('400 for more than 100 SKUs', async () => {
    const skus = Array.from({ length: 101 }, (_, i) => `S-${i}`).join(',');
    const response = await invoke(api.handler, route, { queryStringParameters: { skus } });
    expect(issuesOf(response.body)).toEqual([{ field: 'query.skus', rule: 'must list at most 100 SKUs' }]);
  });
});

describe('GET /categories/{category}/products, on the table (no DAX emulator exists)', () => {
  const route = 'GET /categories/{category}/products';

  test('200 with a page, cheapest first', async () => {
    const response = await invoke<{ items: { priceCents: number }[]; cursor?: string }>(api.handler, route, {
      pathParameters: { category: 'stationery' },
      queryStringParameters: { minPrice: '1000', maxPrice: '1500', limit: '3' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body.items.map((p) => p.priceCents)).toEqual([1_000, 1_100, 1_200]);
    expect(response.body.cursor).toEqual(expect.any(String));
  });

  test('pagination walks the whole category without duplicates or gaps', async () => {
    const { keys, pages } = await walkPages<{ sku: string }>(
      api.handler,
      route,
      { pathParameters: { category: 'stationery' }, queryStringParameters: { limit: '7' } },
      (p) => p.sku,
    );
    expect(keys).toEqual(products.filter((p) => p.category === 'stationery').map((p) => p.sku));
    expect(new Set(keys).size).toBe(keys.length);
    expect(pages).toBe(5);
  });

  test('200 with no items for an empty category', async () => {
    const response = await invoke(api.handler, route, { pathParameters: { category: 'garden' } });
    expect(response).toMatchObject({ statusCode: 200, body: { items: [] } });
    expect(response.body).not.toHaveProperty('cursor');
  });

  test.each<[string, Record<string, string>, { field: string; rule: string }]>([
    ['a non-numeric limit', { limit: 'ten' }, { field: 'query.limit', rule: 'must be a number' }],
    ['a zero limit', { limit: '0' }, { field: 'query.limit', rule: 'must be at least 1' }],
    ['a limit over 100', { limit: '101' }, { field: 'query.limit', rule: 'must be at most 100' }],
    ['a fractional limit', { limit: '2.5' }, { field: 'query.limit', rule: 'must be a whole number' }],
    ['a negative price', { minPrice: '-1' }, { field: 'query.minPrice', rule: 'must not be negative' }],
    [
      'an inverted range',
      { minPrice: '500', maxPrice: '100' },
      { field: 'query.minPrice', rule: 'must not be above maxPrice' },
    ],
    [
      'a forged cursor',
      { cursor: 'eyJ4IjoxfQ.AAAA' },
      { field: 'query.cursor', rule: 'must be a cursor this API returned for the same request, less than a day ago' },
    ],
    ['an unknown parameter', { sort: 'desc' }, { field: 'query', rule: 'Unrecognized key: "sort"' }],
  ])('400 for %s', async (_case, query, issue) => {
    const response = await invoke(api.handler, route, {
      pathParameters: { category: 'stationery' },
      queryStringParameters: query,
    });
    expect(response.statusCode).toBe(400);
    expect(issuesOf(response.body)).toEqual([issue]);
  });

  test('400 for a bad category', async () => {
    const response = await invoke(api.handler, route, { pathParameters: { category: 'Office Supplies' } });
    expect(issuesOf(response.body)).toEqual([
      { field: 'path.category', rule: 'must be 1 to 40 lower-case letters, digits or "-"' },
    ]);
  });

  test('a cursor from another price range is refused', async () => {
    const first = await invoke<{ cursor: string }>(api.handler, route, {
      pathParameters: { category: 'stationery' },
      queryStringParameters: { limit: '2' },
    });
    const response = await invoke(api.handler, route, {
      pathParameters: { category: 'stationery' },
      queryStringParameters: { limit: '2', minPrice: '100', cursor: first.body.cursor },
    });
    expect(response.statusCode).toBe(400);
  });
});

test('an unknown route is a 404, not a crash', async () => {
  const response = await invoke(api.handler, 'GET /nothing');
  expect(response.statusCode).toBe(404);
});
