/**
 * Key builders for every entity in the single table, and the item builders that set them.
 *
 * Item collections (items that share a partition key):
 *
 * | partition           | sort keys                                                          |
 * | ------------------- | ------------------------------------------------------------------ |
 * | `CUSTOMER#<id>`     | `PROFILE`, `CART#<sku>`, `ORDER#<orderId>`, `ORDER#<orderId>#LINE#<sku>` |
 * | `EMAIL#<email>`     | `EMAIL`                                                            |
 * | `PRODUCT#<sku>`     | `PRODUCT`                                                          |
 * | `SALES#<day>`       | `TOTAL`, `PRODUCT#<sku>`                                           |
 *
 * A customer's orders live in the customer's partition so that the local secondary index can
 * sort them by total; an order and its lines share a sort-key prefix so that one Query reads
 * them together.
 */
import {
  type CartLine,
  type Customer,
  type DailyProductSales,
  type DailySales,
  type EmailMarker,
  EntityType,
  type Order,
  type OrderLine,
  type OrderStatus,
  type Product,
} from './entities';
import { Attr, STATUS_SHARDS_RANGE } from './table-design';

/** A base-table primary key. */
export interface TableKey {
  readonly PK: string;
  readonly SK: string;
}

/** A sort-key condition: a prefix (`begins_with`) or an inclusive range (`BETWEEN`). */
export type SortKeyCondition = { readonly beginsWith: string } | { readonly between: readonly [string, string] };

/** What a Query reads: one partition, and the part of it a sort-key condition selects. */
export interface KeyQuery {
  readonly partition: string;
  readonly sortKey: SortKeyCondition;
}

/** A value that cannot be part of a key: empty, too long, or holding the separator. */
export class KeyPartError extends Error {
  constructor(part: string, value: unknown, rule: string) {
    super(`${part} ${JSON.stringify(value)} cannot be used in a key: ${rule}`);
    this.name = 'KeyPartError';
  }
}

const SEPARATOR = '#';
/**
 * The highest code point. DynamoDB orders strings by their UTF-8 bytes, which is code point
 * order, so `prefix + HIGH` sorts after every key that starts with `prefix`.
 */
const HIGH = String.fromCodePoint(0x10ffff);
const MAX_PART_LENGTH = 128;
/** Ten digits of cents: prices up to 99,999,999.99 sort correctly as strings. */
const MONEY_DIGITS = 10;
const DAY_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** Exactly `Date.prototype.toISOString()`'s form: only one form per instant keeps string order time order. */
const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Characters that sort before the separator (controls, space, "!" and the double quote). In a
 * part followed by more key, they would let `ORDER#o-1!` fall inside the range of `ORDER#o-1`.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to reject control characters.
const BELOW_SEPARATOR = /[\u0000-\u0022\u007f]/;

function part(name: string, value: string, { allowBelowSeparator = false } = {}): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new KeyPartError(name, value, 'must be a non-empty string');
  }
  if (value.length > MAX_PART_LENGTH) {
    throw new KeyPartError(name, value, `must be at most ${MAX_PART_LENGTH} characters`);
  }
  if (value.includes(SEPARATOR)) throw new KeyPartError(name, value, `must not contain "${SEPARATOR}"`);
  if (!allowBelowSeparator && BELOW_SEPARATOR.test(value)) {
    throw new KeyPartError(name, value, 'must not contain control characters, spaces, "!" or \'"\'');
  }
  return value;
}

function day(value: string): string {
  if (!DAY_PATTERN.test(value)) throw new KeyPartError('day', value, 'must be a date as YYYY-MM-DD');
  return value;
}

function instant(name: string, value: string): string {
  if (!INSTANT_PATTERN.test(value)) throw new KeyPartError(name, value, 'must be an ISO-8601 instant in UTC');
  return value;
}

function money(name: string, cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0 || cents >= 10 ** MONEY_DIGITS) {
    throw new KeyPartError(name, cents, `must be a whole number of cents from 0 to ${10 ** MONEY_DIGITS - 1}`);
  }
  return cents.toString().padStart(MONEY_DIGITS, '0');
}

const join = (...parts: string[]): string => parts.join(SEPARATOR);

/** Emails are unique regardless of case and surrounding space. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const customerPartition = (customerId: string): string => join('CUSTOMER', part('customerId', customerId));

export const customerKey = (customerId: string): TableKey => ({ PK: customerPartition(customerId), SK: 'PROFILE' });

/** An email is the last part of its key, so characters below the separator cannot widen a range. */
export const emailMarkerKey = (email: string): TableKey => ({
  PK: join('EMAIL', part('email', normalizeEmail(email), { allowBelowSeparator: true })),
  SK: 'EMAIL',
});

export const productKey = (sku: string): TableKey => ({ PK: join('PRODUCT', part('sku', sku)), SK: 'PRODUCT' });

const CART_PREFIX = 'CART';

export const cartLineKey = (customerId: string, sku: string): TableKey => ({
  PK: customerPartition(customerId),
  SK: join(CART_PREFIX, part('sku', sku)),
});

/** Every line of a customer's cart. */
export const cartQuery = (customerId: string): KeyQuery => ({
  partition: customerPartition(customerId),
  sortKey: { beginsWith: join(CART_PREFIX, '') },
});

const ORDER_PREFIX = 'ORDER';

export const orderKey = (customerId: string, orderId: string): TableKey => ({
  PK: customerPartition(customerId),
  SK: join(ORDER_PREFIX, part('orderId', orderId)),
});

export const orderLineKey = (customerId: string, orderId: string, sku: string): TableKey => ({
  PK: customerPartition(customerId),
  SK: join(ORDER_PREFIX, part('orderId', orderId), 'LINE', part('sku', sku)),
});

/**
 * An order and all its lines. A range rather than `begins_with`, so that order `o-1` never
 * matches the items of order `o-12`.
 */
export const orderWithLinesQuery = (customerId: string, orderId: string): KeyQuery => {
  const order = orderKey(customerId, orderId);
  return { partition: order.PK, sortKey: { between: [order.SK, join(order.SK, HIGH)] } };
};

export const dailySalesKey = (salesDay: string): TableKey => ({ PK: join('SALES', day(salesDay)), SK: 'TOTAL' });

export const dailyProductSalesKey = (salesDay: string, sku: string): TableKey => ({
  PK: join('SALES', day(salesDay)),
  SK: join('PRODUCT', part('sku', sku)),
});

/** Overloaded index keys: products by category, cheapest first. */
export const categoryPartition = (category: string): string => join('CATEGORY', part('category', category));

export const productByPriceSortKey = (priceCents: number, sku: string): string =>
  join('PRICE', money('priceCents', priceCents), part('sku', sku));

/** Products of a category priced from `minCents` to `maxCents` inclusive. */
export const categoryPriceQuery = (category: string, minCents: number, maxCents: number): KeyQuery => {
  if (minCents > maxCents)
    throw new KeyPartError('priceCents', [minCents, maxCents], 'minimum must not exceed maximum');
  return {
    partition: categoryPartition(category),
    sortKey: {
      between: [join('PRICE', money('minCents', minCents), ''), join('PRICE', money('maxCents', maxCents), HIGH)],
    },
  };
};

/** Overloaded index keys: a customer's orders by the instant they were placed. */
export const customerOrdersPartition = (customerId: string): string => join(customerPartition(customerId), 'ORDERS');

export const customerOrderSortKey = (placedAt: string, orderId: string): string =>
  join('PLACED', instant('placedAt', placedAt), part('orderId', orderId));

/** Overloaded index keys: one product's sales, day by day. */
export const productSalesPartition = (sku: string): string => join('PRODUCT', part('sku', sku), 'SALES');

export const productSalesSortKey = (salesDay: string): string => join('DAY', day(salesDay));

function assertShardCount(shardCount: number): void {
  const { min, max } = STATUS_SHARDS_RANGE;
  if (!Number.isInteger(shardCount) || shardCount < min || shardCount > max) {
    throw new KeyPartError('shardCount', shardCount, `must be a whole number from ${min} to ${max}`);
  }
}

/**
 * The write shard of an order: a stable hash of its id, so every status change of the same order
 * lands on the same shard number and a reader can find it again.
 */
export function statusShardOf(orderId: string, shardCount: number): number {
  assertShardCount(shardCount);
  // FNV-1a, 32 bit: cheap, stable across runtimes, and evenly spread for short ids.
  let hash = 0x811c9dc5;
  for (const char of part('orderId', orderId)) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shardCount;
}

export const statusShardKey = (status: OrderStatus, shard: number): string => join(status, String(shard));

/** Every shard partition of one status, for a reader that fans out and merges. */
export function statusShardKeys(status: OrderStatus, shardCount: number): string[] {
  assertShardCount(shardCount);
  return Array.from({ length: shardCount }, (_, shard) => statusShardKey(status, shard));
}

/** The only value of the sparse index's partition key. */
export const AWAITING_SHIPMENT = 'AWAITING_SHIPMENT';

/** A stored item: the entity's attributes plus its keys and type. */
export type Item<T> = T & TableKey & { readonly [Attr.entityType]: EntityType } & Record<string, unknown>;

export const customerItem = (customer: Customer): Item<Customer> => ({
  ...customerKey(customer.customerId),
  [Attr.entityType]: EntityType.customer,
  ...customer,
});

export const emailMarkerItem = (marker: EmailMarker): Item<EmailMarker> => ({
  ...emailMarkerKey(marker.email),
  [Attr.entityType]: EntityType.emailMarker,
  ...marker,
  email: normalizeEmail(marker.email),
});

export const productItem = (product: Product): Item<Product> => ({
  ...productKey(product.sku),
  [Attr.entityType]: EntityType.product,
  [Attr.gsi1pk]: categoryPartition(product.category),
  [Attr.gsi1sk]: productByPriceSortKey(product.priceCents, product.sku),
  ...product,
});

export const cartLineItem = (line: CartLine): Item<CartLine> => ({
  ...cartLineKey(line.customerId, line.sku),
  [Attr.entityType]: EntityType.cartLine,
  ...line,
});

/**
 * An order header with every index key it takes part in: the customer's order list (overloaded
 * index), the sharded status index, the largest-orders LSI, and the sparse shipping queue while
 * the order is paid and not yet shipped.
 */
export function orderItem(order: Order, shardCount: number): Item<Order> {
  instant('statusSince', order.statusSince);
  money('orderTotalCents', order.orderTotalCents);
  const item: Item<Order> = {
    ...orderKey(order.customerId, order.orderId),
    [Attr.entityType]: EntityType.order,
    [Attr.gsi1pk]: customerOrdersPartition(order.customerId),
    [Attr.gsi1sk]: customerOrderSortKey(order.placedAt, order.orderId),
    [Attr.statusShard]: statusShardKey(order.status, statusShardOf(order.orderId, shardCount)),
    [Attr.lsi1sk]: order.orderTotalCents,
    ...order,
  };
  if (order.status !== 'PAID') return item;
  if (order.paidAt === undefined) throw new KeyPartError('paidAt', undefined, 'a PAID order must say when it was paid');
  return { ...item, [Attr.shipQueue]: AWAITING_SHIPMENT, [Attr.paidAt]: instant('paidAt', order.paidAt) };
}

export const orderLineItem = (line: OrderLine): Item<OrderLine> => ({
  ...orderLineKey(line.customerId, line.orderId, line.sku),
  [Attr.entityType]: EntityType.orderLine,
  ...line,
});

export const dailySalesItem = (sales: DailySales): Item<DailySales> => ({
  ...dailySalesKey(sales.day),
  [Attr.entityType]: EntityType.dailySales,
  ...sales,
});

export const dailyProductSalesItem = (sales: DailyProductSales): Item<DailyProductSales> => ({
  ...dailyProductSalesKey(sales.day, sales.sku),
  [Attr.entityType]: EntityType.dailyProductSales,
  [Attr.gsi1pk]: productSalesPartition(sales.sku),
  [Attr.gsi1sk]: productSalesSortKey(sales.day),
  ...sales,
});

/** Attributes that exist only for keys and indexes; they are never part of an entity. */
export const KEY_ATTRIBUTES: readonly string[] = [
  Attr.pk,
  Attr.sk,
  Attr.gsi1pk,
  Attr.gsi1sk,
  Attr.statusShard,
  Attr.shipQueue,
  Attr.lsi1sk,
  Attr.entityType,
];

/**
 * Where a sales figure records, for each stream shard that wrote it, the last stream record it
 * holds: `appliedUpTo#<shard id>`, a sequence number padded to compare as text (the sales
 * aggregator's exactly-once check, lambdas/data/sales.ts).
 */
const APPLIED_UP_TO = 'appliedUpTo#';

export const appliedUpToAttribute = (shardId: string): string => `${APPLIED_UP_TO}${shardId}`;

/** A stream sequence number as text that sorts as the number does (they have 21 to 40 digits). */
export const comparableSequence = (sequenceNumber: string): string => {
  if (!/^\d{1,40}$/.test(sequenceNumber))
    throw new KeyPartError('sequence number', sequenceNumber, 'must be 1 to 40 digits');
  return sequenceNumber.padStart(40, '0');
};

/** The entity an item stores: the item without its key, index and bookkeeping attributes. */
export function entityOf<T>(item: Record<string, unknown>): T {
  const entity: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (!KEY_ATTRIBUTES.includes(name) && !name.startsWith(APPLIED_UP_TO)) entity[name] = value;
  }
  return entity as T;
}
