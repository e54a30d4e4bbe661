/**
 * The curated tables against the entity model: every field of every curated entity is a column or
 * left out with a reason, every entity type is curated or skipped, and the type check itself
 * refuses a plan that forgets a field (the `@ts-expect-error` lines fail `tsc` if it stops doing so).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import {
  CURATED_TABLES,
  type CuratedTableName,
  columnName,
  curatedTables,
  ENTITY_TYPE_PLACEMENT,
  expiredCartsTable,
  type FieldPlan,
  PARTITION_COLUMN,
  SKIPPED_ENTITY_TYPES,
} from '../../../lambdas/model/curated-tables';
import {
  type Customer,
  type DailyProductSales,
  type DailySales,
  EntityType,
  type Order,
  type OrderLine,
  type Product,
} from '../../../lambdas/model/entities';

process.env.ARCHIVE_BUCKET_NAME ??= 'unit-bucket';
const { archivedCartLineOf } =
  require('../../../lambdas/streams/cart-archive') as typeof import('../../../lambdas/streams/cart-archive');

const T = '2026-11-01T10:00:00.000Z';

/**
 * One entity of each curated type with every field set, optional ones included: `Required<>` makes
 * the type check fail here too when an entity gains a field.
 */
const COMPLETE: Record<CuratedTableName, Record<string, unknown>> = {
  customers: {
    customerId: 'c-1',
    email: 'ann@example.com',
    name: 'Ann',
    marketingOptIn: true,
    orderCount: 1,
    lifetimeValueCents: 100,
    createdAt: T,
    version: 1,
  } satisfies Required<Customer>,
  products: {
    sku: 'S',
    name: 'Pen',
    category: 'c',
    priceCents: 1,
    stock: 1,
    description: 'd',
  } satisfies Required<Product>,
  orders: {
    orderId: 'o',
    customerId: 'c',
    status: 'DELIVERED',
    placedAt: T,
    statusSince: T,
    orderTotalCents: 1,
    lineCount: 1,
    version: 1,
    paidAt: T,
    shippedAt: T,
    deliveredAt: T,
    cancelledAt: T,
  } satisfies Required<Order>,
  order_lines: {
    orderId: 'o',
    customerId: 'c',
    sku: 'S',
    quantity: 1,
    unitPriceCents: 1,
  } satisfies Required<OrderLine>,
  daily_sales: { day: '2026-11-01', orderCount: 1, unitsSold: 1, revenueCents: 1 } satisfies Required<DailySales>,
  daily_product_sales: {
    day: '2026-11-01',
    sku: 'S',
    unitsSold: 1,
    revenueCents: 1,
  } satisfies Required<DailyProductSales>,
};

describe('GIVEN the curated tables of the model', () => {
  test.each(Object.keys(CURATED_TABLES) as CuratedTableName[])(
    'THEN %s places exactly the fields of its entity, each as a column or left out',
    (name) => {
      const placed = Object.keys(CURATED_TABLES[name].fields).sort();
      expect(placed).toEqual(Object.keys(COMPLETE[name]).sort());
      const table = curatedTables().find((t) => t.name === name);
      const columns = (table?.columns ?? []).map((c) => c.field);
      expect([...columns, ...Object.keys(table?.leftOut ?? {})].sort()).toEqual(placed);
      for (const reason of Object.values(table?.leftOut ?? {})) expect(reason.split(' ').length).toBeGreaterThan(4);
    },
  );

  test('THEN customers carry no personal data: no email, no name', () => {
    const customers = curatedTables().find((t) => t.name === 'customers');
    expect(customers?.columns.map((c) => c.name)).toEqual([
      'customer_id',
      'marketing_opt_in',
      'order_count',
      'lifetime_value_cents',
      'created_at',
    ]);
    expect(Object.keys(customers?.leftOut ?? {})).toEqual(expect.arrayContaining(['email', 'name']));
  });

  test('THEN optional fields, and only they, are nullable columns', () => {
    const orders = curatedTables().find((t) => t.name === 'orders');
    expect(orders?.columns.filter((c) => c.nullable).map((c) => c.field)).toEqual([
      'paidAt',
      'shippedAt',
      'deliveredAt',
      'cancelledAt',
    ]);
    const others = curatedTables().filter((t) => t.name !== 'orders');
    expect(others.flatMap((t) => t.columns.filter((c) => c.nullable))).toEqual([]);
  });

  test('THEN every entity type is curated into one table or skipped with a reason', () => {
    const curated = Object.values(CURATED_TABLES).map((spec) => spec.entityType);
    expect(new Set(curated).size).toBe(curated.length);
    expect(Object.keys(ENTITY_TYPE_PLACEMENT).sort()).toEqual(Object.values(EntityType).sort());
    expect(
      Object.entries(ENTITY_TYPE_PLACEMENT)
        .filter(([, placement]) => placement === 'curated')
        .map(([type]) => type)
        .sort(),
    ).toEqual([...curated].sort());
    expect(
      Object.entries(ENTITY_TYPE_PLACEMENT)
        .filter(([, placement]) => placement === 'skipped')
        .map(([type]) => type)
        .sort(),
    ).toEqual(Object.keys(SKIPPED_ENTITY_TYPES).sort());
  });

  test('THEN each natural key is columns of its table, and no column is named like the partition', () => {
    for (const table of curatedTables()) {
      const names = table.columns.map((c) => c.name);
      expect(table.naturalKey.every((k) => names.includes(k))).toBe(true);
      expect(names).not.toContain(PARTITION_COLUMN.name);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  test.each([
    ['orderTotalCents', 'order_total_cents'],
    ['sku', 'sku'],
    ['paidAt', 'paid_at'],
    ['marketingOptIn', 'marketing_opt_in'],
  ])('THEN field %s becomes column %s', (field, column) => {
    expect(columnName(field)).toBe(column);
  });

  test('THEN the expired_carts table has a column for each field the archiver writes', () => {
    const record = {
      eventID: 'e-1',
      eventName: 'REMOVE',
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      dynamodb: {
        ApproximateCreationDateTime: 1_793_700_000,
        OldImage: {
          entityType: { S: 'CartLine' },
          customerId: { S: 'c-1' },
          sku: { S: 'PEN' },
          quantity: { N: '3' },
          unitPriceCents: { N: '250' },
          addedAt: { S: '2026-10-25T10:00:00.000Z' },
          expiresAt: { N: '1793500000' },
        },
      },
    } as unknown as DynamoDBRecord;
    const archived = archivedCartLineOf(record);
    expect(
      expiredCartsTable()
        .columns.map((c) => c.field)
        .sort(),
    ).toEqual(Object.keys(archived?.body ?? {}).sort());
  });
});

describe('GIVEN a field plan as the type check sees it', () => {
  test('THEN a plan that forgets a field, or gets nullability wrong, does not compile', () => {
    const column = { type: 'string', comment: 'c' } as const;
    // @ts-expect-error - sku is missing: a field of the entity must be placed
    const missing: FieldPlan<OrderLine> = {
      orderId: column,
      customerId: column,
      quantity: column,
      unitPriceCents: column,
    };
    const optionalNotNullable: FieldPlan<Pick<Order, 'paidAt'>> = {
      // @ts-expect-error - an optional field must become a nullable column (or be left out)
      paidAt: { type: 'timestamp', comment: 'c' },
    };
    const requiredNullable: FieldPlan<Pick<Order, 'orderId'>> = {
      // @ts-expect-error - a required field cannot become a nullable column
      orderId: { ...column, nullable: true },
    };
    const fine: FieldPlan<Pick<Order, 'orderId' | 'paidAt'>> = {
      orderId: column,
      paidAt: { type: 'timestamp', comment: 'c', nullable: true },
    };
    expect([missing, optionalNotNullable, requiredNullable, fine].length).toBe(4);
  });
});
