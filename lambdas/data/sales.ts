/**
 * Daily sales: written only by the sales aggregator (a stream consumer), read by the back office.
 *
 * Each change is applied in one transaction together with a marker item named after the stream
 * record that caused it. The marker's put is conditional on its absence, so a record delivered a
 * second time (a retried batch, a bisected batch, a redrive) cancels the transaction and changes
 * nothing: the totals stay exact under Lambda's at-least-once delivery.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type DailyProductSales, type DailySales, EntityType } from '../model/entities';
import {
  appliedEventItem,
  dailyProductSalesKey,
  dailySalesKey,
  entityOf,
  productSalesPartition,
  productSalesSortKey,
} from '../model/keys';
import { Attr, GlobalIndexes } from '../model/table-design';
import { documents, tableName } from './client';
import { rethrowOverload } from './errors';
import type { Page } from './pagination';
import { type PageRequest, queryPage } from './query-page';
import { MAX_TRANSACTION_ITEMS, type TransactItem, TransactionCancelled, transactWrite } from './transactions';

/** What one order adds to (or, cancelled, takes from) the sales of the day it was placed. */
export interface SalesChange {
  /** UTC day the order was placed, YYYY-MM-DD. */
  readonly day: string;
  /** +1 for an order placed, -1 for an order cancelled. */
  readonly orders: 1 | -1;
  readonly products: readonly { readonly sku: string; readonly units: number; readonly revenueCents: number }[];
}

/** Which stream record a change comes from, and how long to remember that it was applied. */
export interface AppliedBy {
  readonly consumer: string;
  readonly eventId: string;
  /** Epoch seconds after which TTL may delete the marker. */
  readonly rememberUntil: number;
}

/**
 * Apply a change exactly once per stream record.
 *
 * @returns `applied`, or `duplicate` when this record's change was applied before
 * @throws ServiceUnavailableError when conflicts or throttling outlast the retry budget
 */
export async function applySalesChange(change: SalesChange, by: AppliedBy): Promise<'applied' | 'duplicate'> {
  const sign = change.orders;
  const units = change.products.reduce((sum, p) => sum + p.units, 0);
  const revenue = change.products.reduce((sum, p) => sum + p.revenueCents, 0);
  const items: TransactItem[] = [
    {
      Put: {
        TableName: tableName,
        Item: appliedEventItem({ consumer: by.consumer, eventId: by.eventId, expiresAt: by.rememberUntil }),
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': Attr.pk },
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: dailySalesKey(change.day),
        UpdateExpression: 'SET #type = :type, #day = :day ADD #orders :orders, #units :units, #revenue :revenue',
        ExpressionAttributeNames: {
          '#type': Attr.entityType,
          '#day': 'day',
          '#orders': 'orderCount',
          '#units': 'unitsSold',
          '#revenue': 'revenueCents',
        },
        ExpressionAttributeValues: {
          ':type': EntityType.dailySales,
          ':day': change.day,
          ':orders': sign,
          ':units': sign * units,
          ':revenue': sign * revenue,
        },
      },
    },
    ...change.products.map(
      (product): TransactItem => ({
        Update: {
          TableName: tableName,
          Key: dailyProductSalesKey(change.day, product.sku),
          UpdateExpression:
            'SET #type = :type, #day = :day, #sku = :sku, #gpk = :gpk, #gsk = :gsk ADD #units :units, #revenue :revenue',
          ExpressionAttributeNames: {
            '#type': Attr.entityType,
            '#day': 'day',
            '#sku': 'sku',
            '#gpk': Attr.gsi1pk,
            '#gsk': Attr.gsi1sk,
            '#units': 'unitsSold',
            '#revenue': 'revenueCents',
          },
          ExpressionAttributeValues: {
            ':type': EntityType.dailyProductSales,
            ':day': change.day,
            ':sku': product.sku,
            ':gpk': productSalesPartition(product.sku),
            ':gsk': productSalesSortKey(change.day),
            ':units': sign * product.units,
            ':revenue': sign * product.revenueCents,
          },
        },
      }),
    ),
  ];
  if (items.length > MAX_TRANSACTION_ITEMS) {
    throw new Error(
      `A sales change touches at most ${MAX_TRANSACTION_ITEMS - 2} products, got ${change.products.length}`,
    );
  }
  try {
    // No client request token: the marker already makes every retry, however late, a no-op. (A
    // token would also hide a missing marker check from tests for ten minutes.)
    await transactWrite(items);
    return 'applied';
  } catch (error) {
    if (error instanceof TransactionCancelled && error.failedConditions().includes(0)) return 'duplicate';
    throw error;
  }
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
