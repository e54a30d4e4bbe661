import { invoke } from '../fixtures/api-events';
import { apiSuite, issuesOf } from '../fixtures/api-suite';

const api = apiSuite(() => import('../../lambdas/handlers/api/cart'));

const ADD = 'POST /customers/{customerId}/cart/lines';
const CHANGE = 'PUT /customers/{customerId}/cart/lines/{sku}';
const REMOVE = 'DELETE /customers/{customerId}/cart/lines/{sku}';
const VIEW = 'GET /customers/{customerId}/cart';

const cartOf = async (customerId: string) =>
  (
    await invoke<{ lines: { sku: string; quantity: number }[]; totalCents: number }>(api.handler, VIEW, {
      pathParameters: { customerId },
    })
  ).body;

describe('the cart routes', () => {
  test('add, add more, change, view and remove, with the effect of each visible', async () => {
    const customer = { customerId: 'c-7' };
    const added = await invoke(api.handler, ADD, { pathParameters: customer, body: { sku: 'PEN-02', quantity: 2 } });
    expect(added).toMatchObject({ statusCode: 200, body: { sku: 'PEN-02', quantity: 2, unitPriceCents: 300 } });
    await invoke(api.handler, ADD, { pathParameters: customer, body: { sku: 'PEN-02', quantity: 1 } });
    await invoke(api.handler, ADD, { pathParameters: customer, body: { sku: 'BOOK-3', quantity: 1 } });
    expect(await cartOf('c-7')).toMatchObject({
      lines: [
        { sku: 'BOOK-3', quantity: 1 },
        { sku: 'PEN-02', quantity: 3 },
      ],
      totalCents: 1_503 + 900,
    });

    const changed = await invoke(api.handler, CHANGE, {
      pathParameters: { ...customer, sku: 'PEN-02' },
      body: { quantity: 10 },
    });
    expect(changed).toMatchObject({ statusCode: 200, body: { quantity: 10 } });

    const removed = await invoke(api.handler, REMOVE, { pathParameters: { ...customer, sku: 'BOOK-3' } });
    expect(removed.statusCode).toBe(204);
    expect((await cartOf('c-7')).lines).toEqual([expect.objectContaining({ sku: 'PEN-02', quantity: 10 })]);
  });

  test('an empty cart is 200 with no lines', async () => {
    expect(await cartOf('c-8')).toEqual({ customerId: 'c-8', lines: [], totalCents: 0 });
  });

  test('404 when adding a product that does not exist, and nothing is written', async () => {
    const response = await invoke(api.handler, ADD, {
      pathParameters: { customerId: 'c-9' },
      body: { sku: 'GONE-1', quantity: 1 },
    });
    expect(response).toMatchObject({ statusCode: 404, body: { resource: 'Product', id: 'GONE-1' } });
    expect((await cartOf('c-9')).lines).toEqual([]);
  });

  test('404 when changing or removing a line that is not in the cart', async () => {
    const line = { customerId: 'c-9', sku: 'PEN-01' };
    expect((await invoke(api.handler, CHANGE, { pathParameters: line, body: { quantity: 1 } })).statusCode).toBe(404);
    expect((await invoke(api.handler, REMOVE, { pathParameters: line })).statusCode).toBe(404);
  });

  test('409 naming the SKU when a line would exceed 99 units, and the line is unchanged', async () => {
    await invoke(api.handler, ADD, { pathParameters: { customerId: 'c-10' }, body: { sku: 'PEN-03', quantity: 90 } });
    const response = await invoke(api.handler, ADD, {
      pathParameters: { customerId: 'c-10' },
      body: { sku: 'PEN-03', quantity: 10 },
    });
    expect(response).toMatchObject({
      statusCode: 409,
      body: { error: 'Conflict', sku: 'PEN-03', quantityInCart: 90, maxQuantity: 99 },
    });
    expect((await cartOf('c-10')).lines).toEqual([expect.objectContaining({ quantity: 90 })]);
  });

  test.each<[string, unknown, { field: string; rule: string }[]]>([
    ['a missing quantity', { sku: 'PEN-01' }, [{ field: 'body.quantity', rule: 'must be a number' }]],
    ['a quantity of zero', { sku: 'PEN-01', quantity: 0 }, [{ field: 'body.quantity', rule: 'must be at least 1' }]],
    ['a quantity of 100', { sku: 'PEN-01', quantity: 100 }, [{ field: 'body.quantity', rule: 'must be at most 99' }]],
    [
      'a fractional quantity',
      { sku: 'PEN-01', quantity: 1.5 },
      [{ field: 'body.quantity', rule: 'must be a whole number' }],
    ],
    [
      'a quantity as a string',
      { sku: 'PEN-01', quantity: '2' },
      [{ field: 'body.quantity', rule: 'must be a number' }],
    ],
    [
      'a bad SKU',
      { sku: 'pen', quantity: 1 },
      [{ field: 'body.sku', rule: 'must be 1 to 40 upper-case letters, digits or "-"' }],
    ],
    [
      'an extra field',
      { sku: 'PEN-01', quantity: 1, price: 1 },
      [{ field: 'body', rule: 'Unrecognized key: "price"' }],
    ],
  ])('400 for %s, and nothing is written', async (_case, body, issues) => {
    const response = await invoke(api.handler, ADD, { pathParameters: { customerId: 'c-11' }, body });
    expect(response.statusCode).toBe(400);
    expect(issuesOf(response.body)).toEqual(issues);
    expect((await cartOf('c-11')).lines).toEqual([]);
  });

  test.each<[string, unknown, string]>([
    ['a missing quantity', {}, 'must be a number'],
    ['a quantity of zero', { quantity: 0 }, 'must be at least 1'],
    ['a quantity of 100', { quantity: 100 }, 'must be at most 99'],
  ])('400 when changing a line with %s, and the line is unchanged', async (_case, body, rule) => {
    await invoke(api.handler, ADD, { pathParameters: { customerId: 'c-12' }, body: { sku: 'PEN-07', quantity: 4 } });
    const response = await invoke(api.handler, CHANGE, { pathParameters: { customerId: 'c-12', sku: 'PEN-07' }, body });
    expect(response.statusCode).toBe(400);
    expect(issuesOf(response.body)).toEqual([{ field: 'body.quantity', rule }]);
    expect((await cartOf('c-12')).lines).toEqual([expect.objectContaining({ sku: 'PEN-07', quantity: 4 })]);
    await invoke(api.handler, REMOVE, { pathParameters: { customerId: 'c-12', sku: 'PEN-07' } });
  });

  test('400 for a body that is not JSON', async () => {
    const response = await invoke(api.handler, ADD, { pathParameters: { customerId: 'c-11' }, rawBody: '{"sku": ' });
    expect(issuesOf(response.body)).toEqual([{ field: 'body', rule: 'must be valid JSON' }]);
  });

  test('400 for a body on a route that takes none', async () => {
    const response = await invoke(api.handler, REMOVE, {
      pathParameters: { customerId: 'c-11', sku: 'PEN-01' },
      body: { x: 1 },
    });
    expect(issuesOf(response.body)).toEqual([{ field: 'body', rule: 'is not accepted by this route' }]);
  });

  test('400 for a bad customer id on every cart route', async () => {
    for (const [route, parts] of [
      [VIEW, { pathParameters: { customerId: 'a#b' } }],
      [ADD, { pathParameters: { customerId: 'a#b' }, body: { sku: 'PEN-01', quantity: 1 } }],
      [CHANGE, { pathParameters: { customerId: 'a#b', sku: 'PEN-01' }, body: { quantity: 1 } }],
      [REMOVE, { pathParameters: { customerId: 'a#b', sku: 'PEN-01' } }],
    ] as const) {
      const response = await invoke(api.handler, route, parts);
      expect(response.statusCode).toBe(400);
      expect(issuesOf(response.body).map((i) => i.field)).toEqual(['path.customerId']);
    }
  });
});
