/**
 * Read access patterns over orders. The workflows that write orders live in their own module.
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { EntityType, type Order, type OrderLine, type OrderStatus } from '../model/entities';
import {
  AWAITING_SHIPMENT,
  customerOrdersPartition,
  customerPartition,
  entityOf,
  orderKey,
  orderWithLinesQuery,
  statusShardKey,
  statusShardKeys,
} from '../model/keys';
import { Attr, GlobalIndexes, LocalIndexes } from '../model/table-design';
import { ValidationError } from '../shared/errors';
import { documents, statusShards, tableName } from './client';
import { rethrowOverload } from './errors';
import { openCursor, type Page, sealCursor } from './pagination';
import { type PageRequest, queryPage } from './query-page';

/** The order fields a listing shows. */
export type OrderSummary = Pick<Order, 'orderId' | 'customerId' | 'status' | 'placedAt' | 'orderTotalCents'>;

async function query(input: Omit<QueryCommandInput, 'TableName'>) {
  return documents.send(new QueryCommand({ TableName: tableName, ...input })).catch(rethrowOverload);
}

/** Query on the overloaded index: a customer's orders, newest first. */
export async function listCustomerOrders(customerId: string, page: PageRequest): Promise<Page<Order>> {
  const partition = customerOrdersPartition(customerId);
  return queryPage(
    {
      IndexName: GlobalIndexes.overloaded.indexName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :placed)',
      ExpressionAttributeNames: { '#pk': Attr.gsi1pk, '#sk': Attr.gsi1sk },
      ExpressionAttributeValues: { ':pk': partition, ':placed': 'PLACED#' },
      ScanIndexForward: false,
    },
    { scope: `listCustomerOrders|${partition}`, partition: { attribute: Attr.gsi1pk, value: partition }, page },
  );
}

/** What the largest-orders index projects. */
export type OrderTotal = Pick<Order, 'orderId' | 'status' | 'placedAt' | 'orderTotalCents'>;

/**
 * Query on the LSI: a customer's orders by total, largest first.
 *
 * Reads what the index projects (`Select: ALL_PROJECTED_ATTRIBUTES`) rather than naming
 * attributes: every attribute needed is projected, so nothing is fetched from the table.
 * (DynamoDB Local charges a table fetch per item for any ProjectionExpression on an LSI.)
 */
export async function listLargestOrders(customerId: string, page: PageRequest): Promise<Page<OrderTotal>> {
  const partition = customerPartition(customerId);
  return queryPage(
    {
      IndexName: LocalIndexes.ordersByTotal.indexName,
      KeyConditionExpression: '#pk = :pk',
      Select: 'ALL_PROJECTED_ATTRIBUTES',
      ExpressionAttributeNames: { '#pk': Attr.pk },
      ExpressionAttributeValues: { ':pk': partition },
      ScanIndexForward: false,
    },
    { scope: `listLargestOrders|${partition}`, partition: { attribute: Attr.pk, value: partition }, page },
  );
}

export interface OrderWithLines {
  readonly order: Order;
  readonly lines: OrderLine[];
}

/**
 * One Query for an order and all its lines (they share a sort-key range in the customer's
 * partition); strongly consistent when asked, at twice the read cost.
 */
export async function getOrderWithLines(
  customerId: string,
  orderId: string,
  options: { readonly consistentRead?: boolean } = {},
): Promise<OrderWithLines | undefined> {
  const { partition, sortKey } = orderWithLinesQuery(customerId, orderId);
  const [from, to] = 'between' in sortKey ? sortKey.between : ['', ''];
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    // An order's items fit one page unless it has thousands of lines; follow the key if not.
    const result = await query({
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': Attr.pk, '#sk': Attr.sk },
      ExpressionAttributeValues: { ':pk': partition, ':from': from, ':to': to },
      ConsistentRead: options.consistentRead ?? false,
      ExclusiveStartKey: start,
    });
    items.push(...(result.Items ?? []));
    start = result.LastEvaluatedKey;
  } while (start !== undefined);
  const [header, ...lines] = items;
  if (header === undefined || header[Attr.entityType] !== EntityType.order) return undefined;
  return { order: entityOf<Order>(header), lines: lines.map((line) => entityOf<OrderLine>(line)) };
}

export interface StatusWindow {
  readonly status: OrderStatus;
  /** ISO-8601 instants, inclusive, on the time the orders entered the status. */
  readonly from: string;
  readonly to: string;
}

/** An order as the status index projects it. */
export type StatusIndexEntry = Pick<Order, 'orderId' | 'customerId' | 'placedAt' | 'orderTotalCents' | 'statusSince'>;

/**
 * Where each shard stands, by shard number: 0 before its first query, null when done, or the
 * last entry returned from it as [statusSince, customerId, orderId], from which its index key is
 * rebuilt. Compact on purpose: with 32 shards and long ids the cursor must stay a few KB.
 */
type ShardPosition = 0 | null | readonly [string, string, string];

function isShardPositions(value: unknown, shardCount: number): value is ShardPosition[] {
  return (
    Array.isArray(value) &&
    value.length === shardCount &&
    value.every(
      (p) => p === 0 || p === null || (Array.isArray(p) && p.length === 3 && p.every((v) => typeof v === 'string')),
    )
  );
}

function startKeyOf(status: OrderStatus, shard: number, position: ShardPosition): Record<string, string> | undefined {
  if (position === 0 || position === null) return undefined;
  const [statusSince, customerId, orderId] = position;
  return {
    ...orderKey(customerId, orderId),
    [Attr.statusShard]: statusShardKey(status, shard),
    [Attr.statusSince]: statusSince,
  };
}

/**
 * Orders that entered a status within a time window, oldest first, across every write shard.
 *
 * Each page queries every unfinished shard for up to `limit` entries in parallel and merges them
 * in time order. The merge stops early if a shard that has more entries runs out of fetched ones,
 * because its next entry could come before everything still unmerged; the cursor then records,
 * per shard, the last entry returned, so nothing is skipped or repeated.
 */
export async function listOrdersByStatus(
  window: StatusWindow,
  page: { readonly limit: number; readonly cursor?: string },
): Promise<Page<StatusIndexEntry>> {
  const shards = statusShardKeys(window.status, statusShards);
  const scope = `listOrdersByStatus|${window.status}|${window.from}|${window.to}|${statusShards}`;
  let positions: ShardPosition[] = shards.map(() => 0);
  if (page.cursor !== undefined) {
    const opened = await openCursor(scope, page.cursor);
    if (!isShardPositions(opened, shards.length)) {
      throw new ValidationError([{ field: 'query.cursor', rule: 'is not a status cursor' }]);
    }
    positions = opened;
  }

  const fetched = await Promise.all(
    shards.map(async (shard, n) => {
      const position = positions[n] ?? null;
      if (position === null) return { items: [], more: false };
      const result = await query({
        IndexName: GlobalIndexes.ordersByStatus.indexName,
        KeyConditionExpression: '#pk = :shard AND #since BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': Attr.statusShard, '#since': Attr.statusSince },
        ExpressionAttributeValues: { ':shard': shard, ':from': window.from, ':to': window.to },
        Limit: page.limit,
        ExclusiveStartKey: startKeyOf(window.status, n, position),
      });
      return { items: result.Items ?? [], more: result.LastEvaluatedKey !== undefined };
    }),
  );

  const taken: Record<string, unknown>[] = [];
  const heads = fetched.map(() => 0);
  while (taken.length < page.limit) {
    let best = -1;
    for (let i = 0; i < fetched.length; i++) {
      const candidate = fetched[i]?.items[heads[i] ?? 0];
      if (candidate === undefined) continue;
      const bestItem = best < 0 ? undefined : fetched[best]?.items[heads[best] ?? 0];
      if (bestItem === undefined || (candidate[Attr.statusSince] as string) < (bestItem[Attr.statusSince] as string))
        best = i;
    }
    const blocked = fetched.some((f, i) => f.more && (heads[i] ?? 0) >= f.items.length);
    const item = fetched[best]?.items[heads[best] ?? 0];
    if (best < 0 || blocked || item === undefined) break;
    taken.push(item);
    heads[best] = (heads[best] ?? 0) + 1;
    positions[best] = [item[Attr.statusSince] as string, item.customerId as string, item.orderId as string];
  }
  for (const [i, f] of fetched.entries()) {
    if (!f.more && (heads[i] ?? 0) >= f.items.length) positions[i] = null;
  }

  const done = positions.every((p) => p === null);
  return {
    items: taken.map((item) => entityOf<StatusIndexEntry>(item)),
    cursor: done ? undefined : await sealCursor(scope, positions),
  };
}

/** An order as the shipping queue projects it. */
export type ShippingQueueEntry = Pick<Order, 'orderId' | 'customerId' | 'orderTotalCents' | 'paidAt'>;

/** Query on the sparse index: paid orders not yet shipped, longest waiting first. */
export async function listOrdersAwaitingShipment(page: PageRequest): Promise<Page<ShippingQueueEntry>> {
  return queryPage(
    {
      IndexName: GlobalIndexes.awaitingShipment.indexName,
      KeyConditionExpression: '#pk = :queue',
      ExpressionAttributeNames: { '#pk': Attr.shipQueue },
      ExpressionAttributeValues: { ':queue': AWAITING_SHIPMENT },
      ScanIndexForward: true,
    },
    {
      scope: 'listOrdersAwaitingShipment',
      partition: { attribute: Attr.shipQueue, value: AWAITING_SHIPMENT },
      page,
    },
  );
}
