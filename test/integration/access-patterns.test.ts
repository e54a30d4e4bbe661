/**
 * Every access pattern of docs/access-patterns.md against DynamoDB Local, on a table created from
 * the template: seeded data, results in order, and the consumed capacity DynamoDB reports equal
 * to the documented figure. The catalogue's reads (#2 to #4) take the table path here, as they do
 * in every function without a DAX cluster: no DAX emulator exists, and the DAX path is tested
 * against a fake client (test/lambdas/data/dax-reads.test.ts; docs/dax.md).
 */
import { type AppEnvironment, prepareAppEnvironment } from '../fixtures/app-environment';
import { expectDocumented } from '../fixtures/documented-capacity';
import {
  customers,
  dailyProductSales,
  dailySales,
  orders,
  products,
  salesDays,
  scenarioItems,
} from '../fixtures/store-scenario';

type Data = {
  capacity: typeof import('../../lambdas/shared/capacity');
  catalog: typeof import('../../lambdas/data/catalog');
  customers: typeof import('../../lambdas/data/customers');
  orders: typeof import('../../lambdas/data/orders');
  cart: typeof import('../../lambdas/data/cart');
  sales: typeof import('../../lambdas/data/sales');
};

let env: AppEnvironment;
let data: Data;

beforeAll(async () => {
  env = await prepareAppEnvironment();
  await env.seed(scenarioItems());
  data = {
    capacity: await import('../../lambdas/shared/capacity'),
    catalog: await import('../../lambdas/data/catalog'),
    customers: await import('../../lambdas/data/customers'),
    orders: await import('../../lambdas/data/orders'),
    cart: await import('../../lambdas/data/cart'),
    sales: await import('../../lambdas/data/sales'),
  };
});

afterAll(() => env.client.destroy());

const byNewest = [...orders].sort((a, b) => b.placedAt.localeCompare(a.placedAt));
const byTotal = [...orders].sort((a, b) => b.orderTotalCents - a.orderTotalCents);

describe('access patterns on DynamoDB Local', () => {
  test('#1 get a customer', async () => {
    const customer = await expectDocumented(1, 'getCustomer', () => data.customers.getCustomer('c-1'));
    expect(customer).toEqual(customers[0]);
    expect(await data.customers.getCustomer('c-404')).toBeUndefined();
  });

  test('#2 get a product, public fields only (the table path: no DAX emulator exists)', async () => {
    const product = await expectDocumented(2, 'getProduct', () => data.catalog.getProduct('PEN-01'));
    expect(product).toEqual(products[1]);
    expect(Object.keys(product ?? {}).sort()).toEqual([
      'category',
      'description',
      'name',
      'priceCents',
      'sku',
      'stock',
    ]);
  });

  test('#3 a category within a price range, cheapest first, paginated (the table path: no DAX emulator exists)', async () => {
    const range = { category: 'stationery', minPriceCents: 500, maxPriceCents: 2_000 };
    const first = await expectDocumented(3, 'listProductsByCategory', () =>
      data.catalog.listProductsByCategory(range, { limit: 10 }),
    );
    expect(first.items.map((p) => p.priceCents)).toEqual([500, 600, 700, 800, 900, 1_000, 1_100, 1_200, 1_300, 1_400]);
    const second = await data.catalog.listProductsByCategory(range, { limit: 10, cursor: first.cursor });
    expect(second.items.map((p) => p.priceCents)).toEqual([1_500, 1_600, 1_700, 1_800, 1_900, 2_000]);
    expect(second.cursor).toBeUndefined();
  });

  test('#4 many products at once, in the order asked, missing ones named (the table path: no DAX emulator exists)', async () => {
    const batch = await expectDocumented(4, 'getProducts', () =>
      data.catalog.getProducts(['BOOK-1', 'PEN-02', 'PEN-01']),
    );
    expect(batch.products.map((p) => p.sku)).toEqual(['BOOK-1', 'PEN-02', 'PEN-01']);
    expect(await data.catalog.getProducts(['PEN-01', 'NOPE', 'PEN-01'])).toMatchObject({ missing: ['NOPE'] });
  });

  test('#4 more than 100 SKUs are split into several requests', async () => {
    const skus = [...products.map((p) => p.sku), ...Array.from({ length: 80 }, (_, i) => `GONE-${i}`)];
    const { result, usage } = await data.capacity.metered(() => data.catalog.getProducts(skus));
    expect(result.products).toHaveLength(products.length);
    expect(result.missing).toHaveLength(80);
    expect(usage.requests).toBe(2);
  });

  test('#5 a customer’s orders, newest first, paginated', async () => {
    const first = await expectDocumented(5, 'listCustomerOrders', () =>
      data.orders.listCustomerOrders('c-1', { limit: 10 }),
    );
    expect(first.items).toEqual(byNewest.slice(0, 10));
    const rest = await data.orders.listCustomerOrders('c-1', { limit: 100, cursor: first.cursor });
    expect(rest.items.map((o) => o.orderId)).toEqual(byNewest.slice(10).map((o) => o.orderId));
  });

  test('#6 a customer’s largest orders (LSI)', async () => {
    const page = await expectDocumented(6, 'listLargestOrders', () =>
      data.orders.listLargestOrders('c-1', { limit: 10 }),
    );
    expect(page.items).toEqual(
      byTotal.slice(0, 10).map(({ orderId, status, placedAt, orderTotalCents }) => ({
        orderId,
        status,
        placedAt,
        orderTotalCents,
      })),
    );
  });

  test('#7 an order with its lines in one query', async () => {
    const result = await expectDocumented(7, 'getOrderWithLines', () => data.orders.getOrderWithLines('c-1', 'o-003'));
    expect(result?.order).toEqual(orders[3]);
    expect(result?.lines.map((l) => [l.sku, l.quantity])).toEqual([
      ['PEN-00', 1],
      ['PEN-01', 2],
    ]);
    expect(await data.orders.getOrderWithLines('c-1', 'o-999')).toBeUndefined();
    expect(await data.orders.getOrderWithLines('c-2', 'o-003')).toBeUndefined();
  });

  test('#8 the same, strongly consistent, at twice the cost', async () => {
    const result = await expectDocumented(8, 'getOrderWithLines', () =>
      data.orders.getOrderWithLines('c-1', 'o-003', { consistentRead: true }),
    );
    expect(result?.lines).toHaveLength(2);
  });

  test('#9 orders in a status within a window, merged across shards, oldest first', async () => {
    const window = { status: 'PLACED' as const, from: '2026-11-01T10:00:00.000Z', to: '2026-11-01T14:00:00.000Z' };
    const expected = orders
      .filter((o) => o.status === 'PLACED' && o.statusSince >= window.from && o.statusSince <= window.to)
      .map((o) => o.orderId);
    expect(expected.length).toBeGreaterThan(4);
    const first = await expectDocumented(9, 'listOrdersByStatus', () =>
      data.orders.listOrdersByStatus(window, { limit: 10 }),
    );
    expect(first.items.map((o) => o.orderId)).toEqual(expected.slice(0, 10));

    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await data.orders.listOrdersByStatus(window, { limit: 2, cursor });
      walked.push(...page.items.map((o) => o.orderId));
      cursor = page.cursor;
    } while (cursor !== undefined);
    expect(walked).toEqual(expected);
  });

  test('#10 the sparse shipping queue, longest waiting first', async () => {
    const page = await expectDocumented(10, 'listOrdersAwaitingShipment', () =>
      data.orders.listOrdersAwaitingShipment({ limit: 10 }),
    );
    const paid = orders
      .filter((o) => o.status === 'PAID')
      .sort((a, b) => (a.paidAt ?? '').localeCompare(b.paidAt ?? ''));
    expect(page.items.map((o) => o.orderId)).toEqual(paid.map((o) => o.orderId));
  });

  describe('the cart', () => {
    test('#12 add a line, then more units of it', async () => {
      const line = await expectDocumented(12, 'addToCart', () => data.cart.addToCart('c-2', 'PEN-04', 2));
      expect(line).toMatchObject({ customerId: 'c-2', sku: 'PEN-04', quantity: 2, unitPriceCents: 500 });
      expect(line.expiresAt).toBeGreaterThan(Date.now() / 1000 + 6 * 86_400);
      expect(await expectDocumented(12, 'addToCart', () => data.cart.addToCart('c-2', 'PEN-04', 3))).toMatchObject({
        quantity: 5,
      });
    });

    test('#11 view the cart with its total', async () => {
      await data.cart.addToCart('c-2', 'BOOK-0', 1);
      const cart = await expectDocumented(11, 'getCart', () => data.cart.getCart('c-2'));
      expect(cart.lines.map((l) => [l.sku, l.quantity])).toEqual([
        ['BOOK-0', 1],
        ['PEN-04', 5],
      ]);
      expect(cart.totalCents).toBe(1_500 + 5 * 500);
    });

    test('#13 change a line’s quantity', async () => {
      const line = await expectDocumented(13, 'changeCartLineQuantity', () =>
        data.cart.changeCartLineQuantity('c-2', 'PEN-04', 9),
      );
      expect(line.quantity).toBe(9);
    });

    test('#14 remove a line', async () => {
      await expectDocumented(14, 'removeCartLine', () => data.cart.removeCartLine('c-2', 'PEN-04'));
      expect((await data.cart.getCart('c-2')).lines.map((l) => l.sku)).toEqual(['BOOK-0']);
    });

    test('a line can hold at most 99 units', async () => {
      await data.cart.addToCart('c-3', 'PEN-05', 98);
      await expect(data.cart.addToCart('c-3', 'PEN-05', 2)).rejects.toMatchObject({
        name: 'ConflictError',
        details: { sku: 'PEN-05', quantityInCart: 98, maxQuantity: 99 },
      });
    });

    test('unknown products and lines are not found', async () => {
      await expect(data.cart.addToCart('c-3', 'NOPE', 1)).rejects.toMatchObject({ name: 'NotFoundError' });
      await expect(data.cart.changeCartLineQuantity('c-3', 'PEN-09', 1)).rejects.toMatchObject({
        name: 'NotFoundError',
      });
      await expect(data.cart.removeCartLine('c-3', 'PEN-09')).rejects.toMatchObject({ name: 'NotFoundError' });
    });

    test('an expired line that TTL has not deleted yet is invisible and replaced, not revived', async () => {
      const { cartLineItem } = await import('../../lambdas/model/keys');
      const expired = Math.floor(Date.now() / 1000) - 60;
      await env.seed([
        cartLineItem({
          customerId: 'c-4',
          sku: 'PEN-06',
          quantity: 50,
          unitPriceCents: 1,
          addedAt: '2026-01-01T00:00:00.000Z',
          expiresAt: expired,
        }),
      ]);
      expect((await data.cart.getCart('c-4')).lines).toEqual([]);
      await expect(data.cart.changeCartLineQuantity('c-4', 'PEN-06', 1)).rejects.toMatchObject({
        name: 'NotFoundError',
      });
      const line = await data.cart.addToCart('c-4', 'PEN-06', 2);
      expect(line).toMatchObject({ quantity: 2, unitPriceCents: 700 });
    });
  });

  test('#15 the marketing export: parallel scan segments, walked to the end', async () => {
    const first = await expectDocumented(15, 'exportMarketingOptIns', () =>
      data.customers.exportMarketingOptIns({ pageSize: 100 }),
    );
    expect(first.cursor).toBeUndefined();
    const expected = customers
      .filter((c) => c.marketingOptIn)
      .map((c) => c.customerId)
      .sort();
    expect(first.items.map((c) => c.customerId).sort()).toEqual(expected);
    expect(Object.keys(first.items[0] ?? {}).sort()).toEqual(['customerId', 'email', 'name']);

    const streamed: string[] = [];
    for await (const page of data.customers.streamMarketingOptIns(3)) streamed.push(...page.map((c) => c.customerId));
    expect(streamed.sort()).toEqual(expected);
  });

  describe('the sales figures', () => {
    test("#16 the store's sales on a day", async () => {
      const day = await expectDocumented(16, 'getDailySales', () => data.sales.getDailySales('2026-10-26'));
      expect(day).toEqual(dailySales[1]);
      expect(await data.sales.getDailySales('2026-01-01')).toBeUndefined();
    });

    test("#17 each product's sales on a day, by SKU", async () => {
      const page = await expectDocumented(17, 'listDailyProductSales', () =>
        data.sales.listDailyProductSales('2026-10-26', { limit: 10 }),
      );
      const expected = dailyProductSales
        .filter((s) => s.day === '2026-10-26')
        .sort((a, b) => a.sku.localeCompare(b.sku));
      expect(page.items).toEqual(expected);
    });

    test("#18 one product's sales, day by day", async () => {
      const page = await expectDocumented(18, 'listProductSales', () =>
        data.sales.listProductSales('PEN-01', { fromDay: salesDays[0], toDay: salesDays[2] }, { limit: 10 }),
      );
      expect(page.items.map((s) => [s.day, s.unitsSold])).toEqual([
        ['2026-10-25', 2],
        ['2026-10-26', 3],
        ['2026-10-27', 4],
      ]);
    });
  });

  test('a cursor cannot be edited, moved to another partition, or reused for another query', async () => {
    const page = await data.orders.listCustomerOrders('c-1', { limit: 5 });
    const cursor = page.cursor ?? '';
    const [payload = '', signature = ''] = cursor.split('.');
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString());
    forged.p.GSI1PK = 'CUSTOMER#c-2#ORDERS';
    const edited = `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    const invalid = { name: 'ValidationError', issues: [{ field: 'query.cursor', rule: expect.any(String) }] };
    await expect(data.orders.listCustomerOrders('c-1', { limit: 5, cursor: edited })).rejects.toMatchObject(invalid);
    await expect(data.orders.listCustomerOrders('c-2', { limit: 5, cursor })).rejects.toMatchObject(invalid);
    await expect(data.orders.listLargestOrders('c-1', { limit: 5, cursor })).rejects.toMatchObject(invalid);
    await expect(data.orders.listCustomerOrders('c-1', { limit: 5, cursor: 'garbage' })).rejects.toMatchObject(invalid);
  });
});
