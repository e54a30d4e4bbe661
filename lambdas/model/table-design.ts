/**
 * The single-table design: attribute names, key types and index definitions.
 *
 * This module is the one source of truth for the table's shape. The CDK table construct builds
 * the table from it, and the data layer builds its requests from it, so the two cannot drift.
 * It imports nothing: it is safe to load in a Lambda bundle and in the CDK app alike.
 */

/** DynamoDB scalar key types, as DynamoDB spells them. */
export type KeyType = 'S' | 'N' | 'B';

/** A key attribute: its name and its scalar type. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

/** What an index copies from the base table, beside the table's and the index's keys. */
export type IndexProjection =
  | { readonly type: 'ALL' }
  | { readonly type: 'KEYS_ONLY' }
  | { readonly type: 'INCLUDE'; readonly nonKeyAttributes: readonly string[] };

/** A global secondary index: its own partition key and sort key. */
export interface GlobalIndexDesign {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly projection: IndexProjection;
  /** Why the index exists and what makes it special (sparse, sharded, overloaded). */
  readonly purpose: string;
}

/** A local secondary index: the table's partition key with another sort key. */
export interface LocalIndexDesign {
  readonly indexName: string;
  readonly sortKey: KeyAttribute;
  readonly projection: IndexProjection;
  readonly purpose: string;
}

/** Attribute names used by more than one entity, or by the table definition itself. */
export const Attr = {
  /** Table partition key. Values are prefixed by entity, e.g. `CUSTOMER#c-123`. */
  pk: 'PK',
  /** Table sort key. Values say what the item is inside its partition, e.g. `ORDER#o-456`. */
  sk: 'SK',
  /** Overloaded GSI partition key (categories, customers' order lists, product sales). */
  gsi1pk: 'GSI1PK',
  /** Overloaded GSI sort key. */
  gsi1sk: 'GSI1SK',
  /** Write-sharded order status, `<STATUS>#<shard>`: spreads one hot status over many partitions. */
  statusShard: 'statusShard',
  /** ISO-8601 instant the order entered its current status. */
  statusSince: 'statusSince',
  /** Present only while an order is paid and not yet shipped: makes its index sparse. */
  shipQueue: 'shipQueue',
  /** ISO-8601 instant the order was paid. */
  paidAt: 'paidAt',
  /** Order total in cents. */
  orderTotalCents: 'orderTotalCents',
  /**
   * The LSI's numeric sort key; only order headers carry it (their total in cents), so only they
   * appear in that index. A copy rather than `orderTotalCents` itself, because an attribute that is
   * some index's key is never listed among another index's projected attributes.
   */
  lsi1sk: 'LSI1SK',
  /** Epoch seconds after which DynamoDB's TTL process may delete the item (carts, idempotency). */
  expiresAt: 'expiresAt',
  /** The entity's type name, for filters, stream consumers and humans reading the table. */
  entityType: 'entityType',
} as const;

/** The table's own key schema. */
export const TableKeys = {
  partitionKey: { name: Attr.pk, type: 'S' },
  sortKey: { name: Attr.sk, type: 'S' },
} as const satisfies { partitionKey: KeyAttribute; sortKey: KeyAttribute };

/** Attributes a listing of orders needs; projected into the order indexes so reads never go back to the table. */
const orderSummaryAttributes = ['customerId', 'orderId', 'status', 'placedAt', Attr.orderTotalCents] as const;

/** The global secondary indexes, in the order they are created. */
export const GlobalIndexes = {
  overloaded: {
    indexName: 'GSI1',
    partitionKey: { name: Attr.gsi1pk, type: 'S' },
    sortKey: { name: Attr.gsi1sk, type: 'S' },
    projection: { type: 'ALL' },
    purpose: 'Overloaded: products by category and price, a customer’s orders by date, a product’s sales by day.',
  },
  ordersByStatus: {
    indexName: 'OrdersByStatus',
    partitionKey: { name: Attr.statusShard, type: 'S' },
    sortKey: { name: Attr.statusSince, type: 'S' },
    projection: { type: 'INCLUDE', nonKeyAttributes: orderSummaryAttributes.filter((a) => a !== 'status') },
    purpose:
      'Write-sharded: order status has a handful of values, so each is spread over N shards; readers query every shard and merge.',
  },
  awaitingShipment: {
    indexName: 'AwaitingShipment',
    partitionKey: { name: Attr.shipQueue, type: 'S' },
    sortKey: { name: Attr.paidAt, type: 'S' },
    projection: { type: 'INCLUDE', nonKeyAttributes: ['customerId', 'orderId', Attr.orderTotalCents] },
    purpose: 'Sparse: only paid, unshipped orders carry `shipQueue`, so the index holds just the work queue.',
  },
} as const satisfies Record<string, GlobalIndexDesign>;

/** The local secondary indexes. */
export const LocalIndexes = {
  ordersByTotal: {
    indexName: 'OrdersByTotal',
    sortKey: { name: Attr.lsi1sk, type: 'N' },
    projection: { type: 'INCLUDE', nonKeyAttributes: orderSummaryAttributes.filter((a) => a !== 'customerId') },
    purpose:
      'A customer’s orders by total, largest first; strongly consistent reads are possible because it shares the partition.',
  },
} as const satisfies Record<string, LocalIndexDesign>;

/** Number of write shards for order status unless the stage configuration says otherwise. */
export const DEFAULT_STATUS_SHARDS = 4;

/**
 * The utilization provisioned capacity's autoscaling aims for, in percent, unless the stage
 * configuration says otherwise (`targetUtilization`): also what the local console assumes when it
 * prices a pattern on provisioned capacity.
 */
export const DEFAULT_TARGET_UTILIZATION_PERCENT = 70;

/** Bounds for the shard count: one means unsharded; past this, readers fan out to too many queries. */
export const STATUS_SHARDS_RANGE = { min: 1, max: 32 } as const;
