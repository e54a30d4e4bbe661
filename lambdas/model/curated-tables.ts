/**
 * The analytics lake's curated tables, described once from the entity model: which entity types
 * become a table, and for every field of every such entity, the column it becomes or why it is
 * left out.
 *
 * The Glue catalogue (lib/constructs/lake-catalogue.ts), the Redshift DDL (lib/warehouse-sql.ts)
 * and the Python transformation (through `analytics/curated-tables.json`, which
 * lib/analytics-schema.ts makes and `npm run docs` writes) are all generated from here. The mapped types below make the type check fail
 * when an entity gains a field, or the store a new entity type, until this file places it.
 * Imports nothing from AWS.
 */
import type { Customer, DailyProductSales, DailySales, Order, OrderLine, Product } from './entities';
import { EntityType } from './entities';
import type { ArchivedCartLineBody } from './streams';

/**
 * Column types, named for what they hold; each engine's spelling is in its generator.
 *
 * `timestamp` is an ISO-8601 instant in UTC, stored without a zone (Parquet's timestamp with
 * `isAdjustedToUTC=false`), so that Athena, Redshift, Spark and DuckDB all read the same wall
 * clock and none shifts it to a session time zone. `date` is a UTC day, `YYYY-MM-DD`.
 */
export type ColumnType = 'string' | 'bigint' | 'boolean' | 'timestamp' | 'date';

/** A column of a curated table. */
export interface ColumnSpec {
  readonly type: ColumnType;
  /** What the column holds, for the catalogue's column comments. */
  readonly comment: string;
  /** For strings: the longest value, which sizes Redshift's VARCHAR. */
  readonly maxLength?: number;
}

/** A field that is not copied into the curated table, and why. */
export interface LeftOut {
  readonly leftOut: string;
}

/** An optional field becomes a nullable column; a required one may not be null. */
type Placement<Value> = undefined extends Value
  ? (ColumnSpec & { readonly nullable: true }) | LeftOut
  : (ColumnSpec & { readonly nullable?: false }) | LeftOut;

/** Every field of the entity, each a column or left out: a field missing here fails the type check. */
export type FieldPlan<T> = { readonly [K in keyof T]-?: Placement<T[K]> };

/** One curated table: the entity type it is made of, and the plan of its fields. */
export interface CuratedTableSpec<T> {
  readonly entityType: EntityType;
  /** Table name in the catalogue, the lake's paths and Redshift: lower snake case. */
  readonly name: string;
  readonly description: string;
  /** Fields that identify a row within one export date. */
  readonly naturalKey: readonly (keyof T & string)[];
  readonly fields: FieldPlan<T>;
}

/** Longest id: key parts are at most 128 characters (lambdas/model/keys.ts). */
const ID_LENGTH = 128;
/** Redshift's longest VARCHAR. */
const MAX_VARCHAR = 65_535;

const id = (comment: string): ColumnSpec => ({ type: 'string', comment, maxLength: ID_LENGTH });
const text = (comment: string, maxLength = 256): ColumnSpec => ({ type: 'string', comment, maxLength });
const count = (comment: string): ColumnSpec => ({ type: 'bigint', comment });
const cents = (comment: string): ColumnSpec => ({ type: 'bigint', comment: `${comment}, in cents` });
const instant = (comment: string): ColumnSpec => ({ type: 'timestamp', comment: `${comment} (UTC)` });
const optionalInstant = (comment: string) => ({ ...instant(comment), nullable: true as const });
const day = (comment: string): ColumnSpec => ({ type: 'date', comment: `${comment} (UTC day)` });
const leftOut = (reason: string): LeftOut => ({ leftOut: reason });

const VERSION_LEFT_OUT = leftOut('optimistic-locking counter: it orders writes, no report needs it');

const customers: CuratedTableSpec<Customer> = {
  entityType: EntityType.customer,
  name: 'customers',
  description: 'Customers without personal data: what segments and cohorts need',
  naturalKey: ['customerId'],
  fields: {
    customerId: id('Customer id: pseudonymous, joins orders'),
    email: leftOut('personal data; reports count and segment customers, they never contact them'),
    name: leftOut('personal data; no report needs to know who a customer is'),
    marketingOptIn: { type: 'boolean', comment: 'Opted in to marketing: a segment' },
    orderCount: count('Orders placed, as the application keeps it'),
    lifetimeValueCents: cents('Sum of the totals of orders not cancelled'),
    createdAt: instant('When the customer registered: the cohort'),
    version: VERSION_LEFT_OUT,
  },
};

const products: CuratedTableSpec<Product> = {
  entityType: EntityType.product,
  name: 'products',
  description: 'The catalogue as it stood at the export, with stock',
  naturalKey: ['sku'],
  fields: {
    sku: id('Stock-keeping unit'),
    name: text('Product name'),
    category: id('Category slug'),
    priceCents: cents('List price'),
    stock: count('Units in stock at the export'),
    description: text('Product description', MAX_VARCHAR),
  },
};

const orders: CuratedTableSpec<Order> = {
  entityType: EntityType.order,
  name: 'orders',
  description: 'Order headers: status, timeline and total',
  naturalKey: ['orderId'],
  fields: {
    orderId: id('Order id'),
    customerId: id('Customer who placed it'),
    status: text('PLACED, PAID, SHIPPED, DELIVERED or CANCELLED', 16),
    placedAt: instant('When it was placed; its sales count on this day'),
    statusSince: instant('When it entered its current status'),
    orderTotalCents: cents('Order total'),
    lineCount: count('Number of order lines'),
    version: VERSION_LEFT_OUT,
    paidAt: optionalInstant('When it was paid'),
    shippedAt: optionalInstant('When it was shipped'),
    deliveredAt: optionalInstant('When it was delivered'),
    cancelledAt: optionalInstant('When it was cancelled'),
  },
};

const orderLines: CuratedTableSpec<OrderLine> = {
  entityType: EntityType.orderLine,
  name: 'order_lines',
  description: 'One row per product of an order',
  naturalKey: ['orderId', 'sku'],
  fields: {
    orderId: id('Order id'),
    customerId: id('Customer who placed the order'),
    sku: id('Product sold'),
    quantity: count('Units'),
    unitPriceCents: cents('Price of one unit when the order was placed'),
  },
};

const dailySales: CuratedTableSpec<DailySales> = {
  entityType: EntityType.dailySales,
  name: 'daily_sales',
  description: "The store's net sales per day, as the sales aggregator keeps them",
  naturalKey: ['day'],
  fields: {
    day: day('Day the orders were placed'),
    orderCount: count('Orders placed that day, less those cancelled since'),
    unitsSold: count('Units of those orders'),
    revenueCents: cents('Revenue of those orders'),
  },
};

const dailyProductSales: CuratedTableSpec<DailyProductSales> = {
  entityType: EntityType.dailyProductSales,
  name: 'daily_product_sales',
  description: "Each product's net sales per day, as the sales aggregator keeps them",
  naturalKey: ['day', 'sku'],
  fields: {
    day: day('Day the orders were placed'),
    sku: id('Product'),
    unitsSold: count('Units sold, less those of cancelled orders'),
    revenueCents: cents('Revenue of those units'),
  },
};

/** Entity types that have no curated table, and why. */
export const SKIPPED_ENTITY_TYPES = {
  [EntityType.emailMarker]: 'only claims an email address for uniqueness: personal data, and nothing to report',
  [EntityType.cartLine]:
    'live carts change by the minute and expire within days; abandoned carts come from the cart archive (expired_carts)',
} as const;

/** The curated tables, by name. */
export const CURATED_TABLES = {
  customers,
  products,
  orders,
  order_lines: orderLines,
  daily_sales: dailySales,
  daily_product_sales: dailyProductSales,
} as const;

export type CuratedTableName = keyof typeof CURATED_TABLES;

/**
 * Every entity type is curated into one table or skipped with a reason: a new entity type fails
 * the type check here until it is one or the other (a unit test checks the curated ones against
 * CURATED_TABLES).
 */
export const ENTITY_TYPE_PLACEMENT: Readonly<Record<EntityType, 'curated' | 'skipped'>> = {
  [EntityType.customer]: 'curated',
  [EntityType.product]: 'curated',
  [EntityType.order]: 'curated',
  [EntityType.orderLine]: 'curated',
  [EntityType.dailySales]: 'curated',
  [EntityType.dailyProductSales]: 'curated',
  [EntityType.emailMarker]: 'skipped',
  [EntityType.cartLine]: 'skipped',
};

/** Where the lake partitions every curated table: the UTC day of the export it came from. */
export const PARTITION_COLUMN = {
  name: 'export_date',
  type: 'date',
  comment: 'UTC day of the export the row comes from; each day holds a full snapshot',
} as const satisfies { name: string; type: ColumnType; comment: string };

/** `orderTotalCents` → `order_total_cents`. */
export function columnName(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** A column as every generator reads it. */
export interface CuratedColumn {
  /** Column name, lower snake case. */
  readonly name: string;
  /** The entity field (item attribute) it is copied from. */
  readonly field: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly comment: string;
  readonly maxLength?: number;
}

/** A curated table as every generator reads it. */
export interface CuratedTable {
  readonly name: string;
  readonly entityType: EntityType;
  readonly description: string;
  /** Column names of the natural key. */
  readonly naturalKey: readonly string[];
  readonly columns: readonly CuratedColumn[];
  /** Fields left out, with the reason. */
  readonly leftOut: Readonly<Record<string, string>>;
}

/** What flattening reads of a spec, whatever its entity. */
interface AnySpec {
  readonly entityType: EntityType;
  readonly name: string;
  readonly description: string;
  readonly naturalKey: readonly string[];
  readonly fields: Readonly<Record<string, ColumnSpec | LeftOut>>;
}

function flatten(spec: AnySpec): CuratedTable {
  const columns: CuratedColumn[] = [];
  const omitted: Record<string, string> = {};
  for (const [field, placement] of Object.entries(spec.fields)) {
    if ('leftOut' in placement) {
      omitted[field] = placement.leftOut;
      continue;
    }
    columns.push({
      name: columnName(field),
      field,
      type: placement.type,
      nullable: (placement as { nullable?: boolean }).nullable === true,
      comment: placement.comment,
      ...(placement.maxLength === undefined ? {} : { maxLength: placement.maxLength }),
    });
  }
  return {
    name: spec.name,
    entityType: spec.entityType,
    description: spec.description,
    naturalKey: spec.naturalKey.map(columnName),
    columns,
    leftOut: omitted,
  };
}

/** The curated tables in a fixed order, flattened for the generators. */
export function curatedTables(): CuratedTable[] {
  return Object.values(CURATED_TABLES).map((spec: AnySpec) => flatten(spec));
}

/**
 * The cart archive's objects (lambdas/streams/cart-archive.ts), as the `expired_carts` table reads
 * them: JSON with the field names below, one object per expired cart line, under
 * `expired-carts/day=<UTC day>/`.
 */
const expiredCarts: FieldPlan<ArchivedCartLineBody> = {
  customerId: id('Customer whose cart line expired'),
  sku: id('Product in the cart'),
  quantity: count('Units'),
  unitPriceCents: cents('Unit price when it was put in the cart'),
  addedAt: text('When it was put in the cart (ISO-8601, UTC)', 32),
  expiresAt: text('When it was due to expire (ISO-8601, UTC)', 32),
  deletedAt: text('When the TTL process deleted it (ISO-8601, UTC)', 32),
  eventId: id('Stream record that archived it'),
};

/** The archive table: not from the export, but over the Streams stack's archive bucket. */
export function expiredCartsTable(): CuratedTable {
  return flatten({
    entityType: EntityType.cartLine,
    name: 'expired_carts',
    description: 'Cart lines deleted by TTL (abandoned), from the expired-cart archive',
    naturalKey: ['eventId'],
    fields: expiredCarts,
  });
}

/** The archive's partition: the UTC day the line was deleted, from the object key (`day=<UTC day>`). */
export const ARCHIVE_PARTITION_COLUMN = {
  name: 'day',
  type: 'string',
  comment: 'UTC day the line expired (YYYY-MM-DD)',
} as const satisfies { name: string; type: ColumnType; comment: string };
