import type { Order } from '../../../lambdas/model/entities';
import {
  AWAITING_SHIPMENT,
  cartLineItem,
  cartLineKey,
  cartQuery,
  categoryPriceQuery,
  customerItem,
  customerKey,
  customerOrderSortKey,
  dailyProductSalesItem,
  dailySalesKey,
  emailMarkerItem,
  emailMarkerKey,
  KeyPartError,
  orderItem,
  orderKey,
  orderLineKey,
  orderWithLinesQuery,
  productByPriceSortKey,
  productItem,
  productKey,
  statusShardKeys,
  statusShardOf,
} from '../../../lambdas/model/keys';

const order: Order = {
  orderId: 'o-1',
  customerId: 'c-1',
  status: 'PLACED',
  placedAt: '2026-11-01T10:00:00.000Z',
  statusSince: '2026-11-01T10:00:00.000Z',
  orderTotalCents: 4_250,
  lineCount: 2,
  version: 1,
};

/** True when DynamoDB's BETWEEN would select `value` (ASCII keys: JS order equals UTF-8 byte order). */
function inRange(query: { sortKey: unknown }, value: string): boolean {
  const { between } = query.sortKey as { between: [string, string] };
  return value >= between[0] && value <= between[1];
}

describe('primary keys', () => {
  test('each entity has its own partition prefix and sort key', () => {
    expect(customerKey('c-1')).toEqual({ PK: 'CUSTOMER#c-1', SK: 'PROFILE' });
    expect(emailMarkerKey('Ann@Example.com ')).toEqual({ PK: 'EMAIL#ann@example.com', SK: 'EMAIL' });
    expect(productKey('SKU-1')).toEqual({ PK: 'PRODUCT#SKU-1', SK: 'PRODUCT' });
    expect(cartLineKey('c-1', 'SKU-1')).toEqual({ PK: 'CUSTOMER#c-1', SK: 'CART#SKU-1' });
    expect(orderKey('c-1', 'o-1')).toEqual({ PK: 'CUSTOMER#c-1', SK: 'ORDER#o-1' });
    expect(orderLineKey('c-1', 'o-1', 'SKU-1')).toEqual({ PK: 'CUSTOMER#c-1', SK: 'ORDER#o-1#LINE#SKU-1' });
    expect(dailySalesKey('2026-11-01')).toEqual({ PK: 'SALES#2026-11-01', SK: 'TOTAL' });
  });

  test('a cart query selects cart lines by prefix in the customer partition', () => {
    expect(cartQuery('c-1')).toEqual({ partition: 'CUSTOMER#c-1', sortKey: { beginsWith: 'CART#' } });
  });

  test('the order query selects the order and its lines, and never a longer order id', () => {
    const query = orderWithLinesQuery('c-1', 'o-1');
    expect(query.partition).toBe('CUSTOMER#c-1');
    expect(inRange(query, orderKey('c-1', 'o-1').SK)).toBe(true);
    expect(inRange(query, orderLineKey('c-1', 'o-1', 'ZZZ').SK)).toBe(true);
    expect(inRange(query, orderKey('c-1', 'o-12').SK)).toBe(false);
    expect(inRange(query, orderLineKey('c-1', 'o-12', 'A').SK)).toBe(false);
    expect(inRange(query, orderKey('c-1', 'o-0').SK)).toBe(false);
    // Characters that sort below "#" are refused, so no other id can fall inside the range.
    expect(inRange(query, 'ORDER#o-1!')).toBe(true);
    expect(() => orderKey('c-1', 'o-1!')).toThrow(KeyPartError);
  });

  test.each([
    ['an empty id', () => customerKey(''), 'customerId "" cannot be used in a key: must be a non-empty string'],
    ['the separator', () => productKey('A#B'), 'sku "A#B" cannot be used in a key: must not contain "#"'],
    ['a control character', () => cartLineKey('c-1', 'A\nB'), 'must not contain control characters'],
    ['a space, which sorts below the separator', () => orderKey('c-1', 'o-1 gift'), 'spaces'],
    ['an exclamation mark, which sorts below the separator', () => orderKey('c-1', 'o-1!'), '"!"'],
    [
      'an instant without milliseconds',
      () => customerOrderSortKey('2026-11-01T10:00:00Z', 'o-1'),
      'must be an ISO-8601',
    ],
    ['an over-long id', () => orderKey('c-1', 'x'.repeat(129)), 'must be at most 128 characters'],
    ['a malformed day', () => dailySalesKey('2026-13-01'), 'day "2026-13-01" cannot be used in a key: must be a date'],
    ['a local time', () => customerOrderSortKey('2026-11-01T10:00:00', 'o-1'), 'must be an ISO-8601 instant in UTC'],
  ])('rejects %s', (_case, build, message) => {
    expect(build).toThrow(KeyPartError);
    expect(build).toThrow(message);
  });
});

describe('products by category and price (overloaded GSI)', () => {
  test('the sort key pads the price so string order is price order', () => {
    expect(productByPriceSortKey(999, 'B')).toBe('PRICE#0000000999#B');
    expect(productByPriceSortKey(999, 'B') < productByPriceSortKey(1_000, 'A')).toBe(true);
  });

  test('a price range includes both bounds and nothing outside them', () => {
    const query = categoryPriceQuery('books', 1_000, 2_000);
    expect(query.partition).toBe('CATEGORY#books');
    expect(inRange(query, productByPriceSortKey(1_000, 'A'))).toBe(true);
    expect(inRange(query, productByPriceSortKey(2_000, 'ZZZZ'))).toBe(true);
    expect(inRange(query, productByPriceSortKey(999, 'Z'))).toBe(false);
    expect(inRange(query, productByPriceSortKey(2_001, 'A'))).toBe(false);
  });

  test.each([
    [-1, 10],
    [1.5, 10],
    [0, 10_000_000_000],
  ])('rejects prices that cannot be padded (%p to %p)', (min, max) => {
    expect(() => categoryPriceQuery('books', min, max)).toThrow(KeyPartError);
  });

  test('rejects an inverted range', () => {
    expect(() => categoryPriceQuery('books', 20, 10)).toThrow('minimum must not exceed maximum');
  });

  test('a product item carries its category index keys', () => {
    const item = productItem({
      sku: 'SKU-1',
      name: 'Pen',
      category: 'office',
      priceCents: 250,
      stock: 3,
      description: 'Blue',
    });
    expect(item).toMatchObject({
      PK: 'PRODUCT#SKU-1',
      SK: 'PRODUCT',
      entityType: 'Product',
      GSI1PK: 'CATEGORY#office',
      GSI1SK: 'PRICE#0000000250#SKU-1',
    });
  });
});

describe('order status write sharding', () => {
  test('an order always maps to the same shard, within range', () => {
    for (const shards of [1, 4, 32]) {
      const shard = statusShardOf('o-123', shards);
      expect(shard).toBe(statusShardOf('o-123', shards));
      expect(shard).toBeGreaterThanOrEqual(0);
      expect(shard).toBeLessThan(shards);
    }
  });

  test('orders spread evenly over the shards', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8_000; i++) {
      const shard = statusShardOf(`o-${i}`, 8);
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    // Each shard gets its 1,000 give or take 15%.
    for (const count of counts) expect(Math.abs(count - 1_000)).toBeLessThan(150);
  });

  test('a reader gets one partition per shard', () => {
    expect(statusShardKeys('PAID', 3)).toEqual(['PAID#0', 'PAID#1', 'PAID#2']);
  });

  test.each([0, 33, 2.5])('rejects a shard count of %p', (count) => {
    expect(() => statusShardKeys('PAID', count)).toThrow('shardCount');
  });
});

describe('order items', () => {
  test('a placed order is in the customer list, the status shard and the LSI, but not the ship queue', () => {
    const item = orderItem(order, 4);
    expect(item).toMatchObject({
      PK: 'CUSTOMER#c-1',
      SK: 'ORDER#o-1',
      entityType: 'Order',
      GSI1PK: 'CUSTOMER#c-1#ORDERS',
      GSI1SK: 'PLACED#2026-11-01T10:00:00.000Z#o-1',
      statusShard: `PLACED#${statusShardOf('o-1', 4)}`,
      statusSince: order.statusSince,
      orderTotalCents: 4_250,
      LSI1SK: 4_250,
    });
    expect(item).not.toHaveProperty('shipQueue');
  });

  test('a paid order joins the sparse ship queue', () => {
    const paid = orderItem({ ...order, status: 'PAID', paidAt: '2026-11-01T11:00:00.000Z' }, 4);
    expect(paid).toMatchObject({ shipQueue: AWAITING_SHIPMENT, paidAt: '2026-11-01T11:00:00.000Z' });
  });

  test('a shipped order leaves the ship queue', () => {
    const shipped = orderItem({ ...order, status: 'SHIPPED', paidAt: '2026-11-01T11:00:00.000Z' }, 4);
    expect(shipped).not.toHaveProperty('shipQueue');
  });

  test('a paid order must say when it was paid', () => {
    expect(() => orderItem({ ...order, status: 'PAID' }, 4)).toThrow('a PAID order must say when it was paid');
  });
});

describe('other items', () => {
  test('customer, email marker, cart line and sales items carry keys and type', () => {
    expect(
      customerItem({
        customerId: 'c-1',
        email: 'a@b.c',
        name: 'Ann',
        marketingOptIn: true,
        orderCount: 0,
        lifetimeValueCents: 0,
        createdAt: '2026-11-01T10:00:00.000Z',
        version: 1,
      }),
    ).toMatchObject({ PK: 'CUSTOMER#c-1', SK: 'PROFILE', entityType: 'Customer' });
    expect(emailMarkerItem({ email: ' A@B.C', customerId: 'c-1' })).toEqual({
      PK: 'EMAIL#a@b.c',
      SK: 'EMAIL',
      entityType: 'EmailMarker',
      email: 'a@b.c',
      customerId: 'c-1',
    });
    expect(
      cartLineItem({
        customerId: 'c-1',
        sku: 'S',
        quantity: 1,
        unitPriceCents: 5,
        addedAt: '2026-11-01T10:00:00.000Z',
        expiresAt: 1_800_000_000,
      }),
    ).toMatchObject({ SK: 'CART#S', entityType: 'CartLine', expiresAt: 1_800_000_000 });
    expect(dailyProductSalesItem({ day: '2026-11-01', sku: 'S', unitsSold: 2, revenueCents: 10 })).toMatchObject({
      PK: 'SALES#2026-11-01',
      SK: 'PRODUCT#S',
      GSI1PK: 'PRODUCT#S#SALES',
      GSI1SK: 'DAY#2026-11-01',
    });
  });
});
