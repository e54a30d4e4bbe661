/**
 * Daily sales: written only by the sales aggregator (a stream consumer), read by the back office.
 *
 * The aggregator adds up a tumbling window of one stream shard's orders and writes each figure it
 * changed once, with one UpdateItem: the store's total for a day, and each product's figure for
 * the day. Each figure keeps, per shard, the sequence number of the last record whose effect it
 * holds (`appliedUpTo#<shard>`); the update adds only if that is below the window's last record,
 * and moves it there in the same write. A window delivered again (a retried final invocation, a
 * window rebuilt after a crash) finds its figures already past it and changes nothing, so the
 * totals stay exact under Lambda's at-least-once delivery, with one write per figure per window
 * instead of a transaction per order.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type DailyProductSales, type DailySales, EntityType } from '../model/entities';
import {
  appliedUpToAttribute,
  comparableSequence,
  dailyProductSalesKey,
  dailySalesKey,
  entityOf,
  productSalesPartition,
  productSalesSortKey,
  type TableKey,
} from '../model/keys';
import { Attr, GlobalIndexes } from '../model/table-design';
import { documents, tableName } from './client';
import { rethrowOverload } from './errors';
import type { Page } from './pagination';
import { type PageRequest, queryPage } from './query-page';

/** What a window's orders add to one figure (negative for cancellations). */
export interface SalesDelta {
  readonly orders?: number;
  readonly units: number;
  readonly revenueCents: number;
}

/** A window's changes to one day: the store's total and each product's figure. */
export interface DaySalesDelta {
  /** UTC day the orders were placed, YYYY-MM-DD. */
  readonly day: string;
  readonly store: Required<SalesDelta>;
  readonly products: readonly (SalesDelta & { readonly sku: string })[];
}

/** Which records a window's changes hold: one shard's, up to and including this sequence number. */
export interface AppliedUpTo {
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/** How many writes may be in flight at once: enough to overlap round trips, few enough to be polite. */
const CONCURRENT_WRITES = 8;

const isZero = (delta: SalesDelta) => (delta.orders ?? 0) === 0 && delta.units === 0 && delta.revenueCents === 0;

/** Add a window's delta to one figure, unless the figure holds the window already. */
async function addOnce(
  key: TableKey,
  set: Readonly<Record<string, unknown>>,
  delta: SalesDelta,
  applied: AppliedUpTo,
): Promise<'written' | 'alreadyApplied'> {
  const names: Record<string, string> = { '#applied': appliedUpToAttribute(applied.shardId) };
  const values: Record<string, unknown> = { ':applied': comparableSequence(applied.sequenceNumber) };
  const sets = Object.entries(set).map(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  const adds = Object.entries({ orderCount: delta.orders, unitsSold: delta.units, revenueCents: delta.revenueCents })
    .filter(([, value]) => value !== undefined)
    .map(([name, value], i) => {
      names[`#a${i}`] = name;
      values[`:a${i}`] = value;
      return `#a${i} :a${i}`;
    });
  try {
    await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: `SET ${[...sets, '#applied = :applied'].join(', ')} ADD ${adds.join(', ')}`,
        ConditionExpression: 'attribute_not_exists(#applied) OR #applied < :applied',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return 'written';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'alreadyApplied';
    return rethrowOverload(error);
  }
}

/**
 * Apply a window's changes to the sales figures, each figure once however often the window is
 * delivered. Figures whose change nets to zero are not written.
 *
 * @returns how many figures were written, and how many already held the window
 * @throws ServiceUnavailableError when throttling outlasts the SDK's retries (the caller retries:
 *   figures written before are then found to hold the window already)
 */
export async function applySalesDeltas(
  days: readonly DaySalesDelta[],
  applied: AppliedUpTo,
): Promise<{ readonly written: number; readonly alreadyApplied: number }> {
  const writes = days.flatMap(({ day, store, products }) => [
    ...(isZero(store)
      ? []
      : [() => addOnce(dailySalesKey(day), { [Attr.entityType]: EntityType.dailySales, day }, store, applied)]),
    ...products
      .filter((product) => !isZero(product))
      .map(
        (product) => () =>
          addOnce(
            dailyProductSalesKey(day, product.sku),
            {
              [Attr.entityType]: EntityType.dailyProductSales,
              day,
              sku: product.sku,
              [Attr.gsi1pk]: productSalesPartition(product.sku),
              [Attr.gsi1sk]: productSalesSortKey(day),
            },
            { units: product.units, revenueCents: product.revenueCents },
            applied,
          ),
      ),
  ]);
  const outcomes: ('written' | 'alreadyApplied')[] = [];
  for (let i = 0; i < writes.length; i += CONCURRENT_WRITES) {
    outcomes.push(...(await Promise.all(writes.slice(i, i + CONCURRENT_WRITES).map((write) => write()))));
  }
  return {
    written: outcomes.filter((o) => o === 'written').length,
    alreadyApplied: outcomes.filter((o) => o === 'alreadyApplied').length,
  };
}

/** The whole store's sales on one day, or undefined before the first order of that day. */
export async function getDailySales(day: string): Promise<DailySales | undefined> {
  const { Item } = await documents
    .send(new GetCommand({ TableName: tableName, Key: dailySalesKey(day) }))
    .catch(rethrowOverload);
  return Item === undefined ? undefined : entityOf<DailySales>(Item);
}

/** Each product's sales on one day, by SKU. */
export async function listDailyProductSales(day: string, page: PageRequest): Promise<Page<DailyProductSales>> {
  const { PK } = dailySalesKey(day);
  return queryPage(
    {
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :product)',
      ExpressionAttributeNames: { '#pk': Attr.pk, '#sk': Attr.sk },
      ExpressionAttributeValues: { ':pk': PK, ':product': 'PRODUCT#' },
    },
    { scope: `listDailyProductSales|${PK}`, partition: { attribute: Attr.pk, value: PK }, page },
  );
}

/** One product's sales day by day, from `fromDay` to `toDay` inclusive, oldest first. */
export async function listProductSales(
  sku: string,
  range: { readonly fromDay: string; readonly toDay: string },
  page: PageRequest,
): Promise<Page<DailyProductSales>> {
  const partition = productSalesPartition(sku);
  return queryPage(
    {
      IndexName: GlobalIndexes.overloaded.indexName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': Attr.gsi1pk, '#sk': Attr.gsi1sk },
      ExpressionAttributeValues: {
        ':pk': partition,
        ':from': productSalesSortKey(range.fromDay),
        ':to': productSalesSortKey(range.toDay),
      },
    },
    {
      // The range is part of the scope, so a cursor cannot be replayed against another range.
      scope: `listProductSales|${partition}|${range.fromDay}|${range.toDay}`,
      partition: { attribute: Attr.gsi1pk, value: partition },
      page,
    },
  );
}
