/**
 * The seed data set: deterministic, the size asked for, and consistent the way the app's workflows
 * keep the table consistent (customers' totals, order totals, the status lifecycle).
 */
import type { Order } from '../../lambdas/model/entities';
import { fields } from '../../lambdas/shared/http';
import {
  type Dataset,
  DEFAULT_DATASET,
  generateDataset,
  MAX_ORDER_TOTAL_CENTS,
  ORDER_WINDOW_DAYS,
  orderBeforeCancellation,
  seedItemsOf,
} from '../../local/seed/dataset';

const NOW = '2026-11-01T10:00:00.000Z';
const DAY_MS = 86_400_000;

let full: Dataset;

function groupBy<T, K>(values: readonly T[], keyOf: (value: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const value of values) {
    const key = keyOf(value);
    groups.set(key, [...(groups.get(key) ?? []), value]);
  }
  return groups;
}

beforeAll(() => {
  full = generateDataset({ ...DEFAULT_DATASET, now: NOW });
});

const small = (overrides: Partial<Parameters<typeof generateDataset>[0]> = {}) =>
  generateDataset({ products: 40, customers: 30, orders: 200, randomSeed: 1, now: NOW, ...overrides });

describe('determinism', () => {
  test('the same options give the same data set', () => {
    // Prepare, Act
    const [first, second] = [small(), small()];

    // Assess
    expect(second).toEqual(first);
  });

  test('another random seed gives other ids, products, customers and orders', () => {
    // Prepare, Act
    const [first, second] = [small(), small({ randomSeed: 2 })];

    // Assess
    const skus = new Set(first.products.map((p) => p.sku));
    expect(second.products.filter((p) => skus.has(p.sku))).toEqual([]);
    const ids = new Set([...first.customers, ...first.orders].map((e) => ('orderId' in e ? e.orderId : e.customerId)));
    expect([...second.customers, ...second.orders].filter((e) => ids.has(e.customerId))).toEqual([]);
    expect(second.products.map((p) => p.name)).not.toEqual(first.products.map((p) => p.name));
    expect(second.customers.map((c) => c.email)).not.toEqual(first.customers.map((c) => c.email));
  });

  test('other counts give a separate data set rather than half-overwriting this one', () => {
    // Prepare, Act
    const [first, more] = [small(), small({ orders: 201 })];

    // Assess
    const ids = new Set(first.customers.map((c) => c.customerId));
    expect(more.customers.filter((c) => ids.has(c.customerId))).toEqual([]);
  });

  test('statuses depend on how long ago an order was placed, not on when the data set is made', () => {
    // Prepare, Act
    const later = small({ now: new Date(Date.parse(NOW) + 3 * DAY_MS) });

    // Assess
    expect(later.orders.map((o) => [o.orderId, o.status, o.version])).toEqual(
      small().orders.map((o) => [o.orderId, o.status, o.version]),
    );
  });
});

describe('size', () => {
  test('has the numbers of products, customers, markers and orders asked for', () => {
    expect(full.products).toHaveLength(2_000);
    expect(full.customers).toHaveLength(1_000);
    expect(full.emailMarkers).toHaveLength(1_000);
    expect(full.orders).toHaveLength(5_000);
  });

  test('spreads products over about twenty categories', () => {
    expect(full.categories.length).toBeGreaterThanOrEqual(18);
    for (const category of full.categories) {
      expect(full.products.filter((p) => p.category === category).length).toBeGreaterThanOrEqual(50);
    }
  });

  test('gives each order one to five lines, a SKU at most once', () => {
    const lines = groupBy(full.orderLines, (line) => line.orderId);
    for (const order of full.orders) {
      const own = lines.get(order.orderId) ?? [];
      expect(own.length).toBeGreaterThanOrEqual(1);
      expect(own.length).toBeLessThanOrEqual(5);
      expect(new Set(own.map((l) => l.sku)).size).toBe(own.length);
    }
  });

  test('orders need products and customers; counts must be whole numbers', () => {
    expect(() => small({ products: 0 })).toThrow('orders need at least one product and one customer');
    expect(() => small({ orders: 1.5 })).toThrow('orders must be a whole number of at least 0; got 1.5');
    expect(() => small({ randomSeed: -1 })).toThrow('randomSeed must be a whole number from 0 to 4294967295');
    expect(small({ orders: 0 }).orderLines).toEqual([]);
  });
});

describe('keys and items', () => {
  test('every item is built by the model, with a key no other item has', () => {
    // Act: the item builders validate every key part
    const items = Object.values(seedItemsOf(full, 4)).flat();

    // Assess: cancelled orders appear twice (before and after cancelling); every other key once
    const cancelled = full.orders.filter((o) => o.status === 'CANCELLED').length;
    const written = full.products.length + 2 * full.customers.length + full.orderLines.length + full.orders.length;
    expect(items).toHaveLength(written + cancelled);
    const keys = new Set(items.map((item) => `${item.PK}|${item.SK}`));
    expect(keys.size).toBe(written);
    expect(items.every((item) => typeof item.entityType === 'string')).toBe(true);
  });

  test('SKUs, categories and ids are accepted by the API as path parameters', () => {
    const rejected = [
      ...full.products.filter((p) => !fields.sku.safeParse(p.sku).success),
      ...full.categories.filter((c) => !fields.category.safeParse(c).success),
      ...full.customers.filter((c) => !fields.id.safeParse(c.customerId).success),
      ...full.orders.filter((o) => !fields.id.safeParse(o.orderId).success),
    ];
    expect(rejected).toEqual([]);
  });

  test('only paid orders are in the shipping queue', () => {
    const { orders } = seedItemsOf(full, 4);
    const queued = orders.filter((item) => item.shipQueue !== undefined);
    expect(queued.length).toBe(full.orders.filter((o) => o.status === 'PAID').length);
    expect(queued.every((item) => item.status === 'PAID' && item.paidAt !== undefined)).toBe(true);
  });

  test('each cancelled order is also written as it stood before: PLACED or PAID, one version earlier', () => {
    const { ordersBeforeCancellation } = seedItemsOf(full, 4);
    const cancelled = full.orders.filter((o) => o.status === 'CANCELLED');
    expect(ordersBeforeCancellation.map((item) => item.orderId)).toEqual(cancelled.map((o) => o.orderId));
    for (const order of cancelled) {
      const before = orderBeforeCancellation(order);
      expect(before).not.toHaveProperty('cancelledAt');
      expect(before.status).toBe(order.paidAt === undefined ? 'PLACED' : 'PAID');
      expect(before.version).toBe(order.version - 1);
      expect(before.statusSince).toBe(order.paidAt ?? order.placedAt);
    }
  });
});

describe('consistency', () => {
  test("customers' order counts and lifetime values are what placing and cancelling their orders add up to", () => {
    // Placing adds one to the count and the total to the value; cancelling takes the total back out only.
    const orders = groupBy(full.orders, (order) => order.customerId);
    for (const customer of full.customers) {
      const own = orders.get(customer.customerId) ?? [];
      expect(customer.orderCount).toBe(own.length);
      expect(customer.lifetimeValueCents).toBe(
        own.filter((o) => o.status !== 'CANCELLED').reduce((sum, o) => sum + o.orderTotalCents, 0),
      );
    }
    expect(full.customers.some((c) => c.orderCount === 0)).toBe(true);
    expect(full.customers.some((c) => c.orderCount >= 10)).toBe(true);
  });

  test('order totals are the sums of their lines, at the products’ prices, within the card limit', () => {
    const prices = new Map(full.products.map((p) => [p.sku, p.priceCents]));
    const lines = groupBy(full.orderLines, (line) => line.orderId);
    for (const order of full.orders) {
      const own = lines.get(order.orderId) ?? [];
      expect(order.lineCount).toBe(own.length);
      expect(order.orderTotalCents).toBe(own.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0));
      expect(order.orderTotalCents).toBeLessThanOrEqual(MAX_ORDER_TOTAL_CENTS);
      expect(own.every((l) => l.customerId === order.customerId && l.unitPriceCents === prices.get(l.sku))).toBe(true);
    }
  });

  test('statuses, timestamps and versions follow the order lifecycle', () => {
    const expected: Record<Order['status'], (o: Order) => Partial<Order>> = {
      PLACED: (o) => ({ version: 1, statusSince: o.placedAt }),
      PAID: (o) => ({ version: 2, statusSince: o.paidAt }),
      SHIPPED: (o) => ({ version: 3, statusSince: o.shippedAt }),
      DELIVERED: (o) => ({ version: 4, statusSince: o.deliveredAt }),
      CANCELLED: (o) => ({ version: o.paidAt === undefined ? 2 : 3, statusSince: o.cancelledAt }),
    };
    const present: Record<Order['status'], (keyof Order)[]> = {
      PLACED: [],
      PAID: ['paidAt'],
      SHIPPED: ['paidAt', 'shippedAt'],
      DELIVERED: ['paidAt', 'shippedAt', 'deliveredAt'],
      CANCELLED: ['cancelledAt'],
    };
    for (const order of full.orders) {
      expect(order).toMatchObject(expected[order.status](order));
      const stamps = (['paidAt', 'shippedAt', 'deliveredAt', 'cancelledAt'] as const).filter((k) => k in order);
      expect(stamps.filter((k) => k !== 'paidAt' || order.status !== 'CANCELLED')).toEqual(present[order.status]);
      // Each milestone after the one before, and all of them in the past.
      const times = [order.placedAt, order.paidAt, order.shippedAt, order.deliveredAt].filter((t) => t !== undefined);
      expect([...times].sort()).toEqual(times);
      expect(order.statusSince < NOW).toBe(true);
      if (order.cancelledAt !== undefined) expect(order.cancelledAt >= (order.paidAt ?? order.placedAt)).toBe(true);
    }
  });

  test('orders span the last 30 days, each placed after its customer signed up; old ones are finished', () => {
    const since = new Date(Date.parse(NOW) - ORDER_WINDOW_DAYS * DAY_MS).toISOString();
    const createdAt = new Map(full.customers.map((c) => [c.customerId, c.createdAt]));
    for (const order of full.orders) {
      expect(order.placedAt >= since && order.placedAt < NOW).toBe(true);
      expect(order.placedAt > (createdAt.get(order.customerId) ?? NOW)).toBe(true);
    }
    const weekOld = new Date(Date.parse(NOW) - 7 * DAY_MS).toISOString();
    const old = full.orders.filter((o) => o.placedAt < weekOld);
    expect(old.filter((o) => o.status !== 'DELIVERED' && o.status !== 'CANCELLED')).toEqual([]);
    const statuses = groupBy(full.orders, (o) => o.status);
    expect(statuses.get('DELIVERED')?.length).toBeGreaterThan(full.orders.length / 2);
    for (const status of ['PLACED', 'PAID', 'SHIPPED', 'CANCELLED'] as const) {
      expect(statuses.get(status)?.length).toBeGreaterThan(0);
    }
    expect(statuses.get('CANCELLED')?.length).toBeLessThan(full.orders.length / 10);
  });

  test('emails are unique whatever their case, and each marker names its customer', () => {
    expect(new Set(full.customers.map((c) => c.email.toLowerCase())).size).toBe(full.customers.length);
    expect(full.emailMarkers).toEqual(full.customers.map((c) => ({ email: c.email, customerId: c.customerId })));
    expect(full.customers.every((c) => /^[a-z0-9._]+@example\.(com|net|org)$/.test(c.email))).toBe(true);
    const optedIn = full.customers.filter((c) => c.marketingOptIn).length;
    expect(optedIn).toBeGreaterThan(0);
    expect(optedIn).toBeLessThan(full.customers.length);
  });

  test('products have plausible prices, generous stock and a description', () => {
    for (const product of full.products) {
      expect(product.priceCents).toBeGreaterThanOrEqual(100);
      expect(product.priceCents).toBeLessThanOrEqual(100_000);
      expect(product.stock).toBeGreaterThanOrEqual(50);
      expect(product.stock).toBeLessThanOrEqual(500);
      expect(product.description.length).toBeGreaterThan(20);
    }
  });
});
