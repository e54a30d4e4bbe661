/**
 * The sales ledger: how the sales aggregator (a stream consumer) changes the daily figures.
 *
 * Each change is applied in one transaction together with a marker item named after the stream
 * record that caused it. The marker's put is conditional on its absence, so a record delivered a
 * second time (a retried batch, a bisected batch, a redrive) cancels the transaction and changes
 * nothing: the totals stay exact under Lambda's at-least-once delivery.
 *
 * Kept apart from the read side (`sales.ts`) so that the aggregator's bundle loads without the
 * API's cursor-signing configuration.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { EntityType, type OrderLine } from '../model/entities';
import {
  appliedEventItem,
  dailyProductSalesKey,
  dailySalesKey,
  entityOf,
  orderWithLinesQuery,
  productSalesPartition,
  productSalesSortKey,
} from '../model/keys';
import { Attr } from '../model/table-design';
import { documents, tableName } from './client';
import { rethrowOverload } from './errors';
import { MAX_TRANSACTION_ITEMS, type TransactItem, TransactionCancelled, transactWrite } from './transactions';

/**
 * An order's lines, read strongly consistent: they are written with the header in one
 * transaction and never change, so once the header's stream record exists, so do they.
 */
export async function orderLinesOf(customerId: string, orderId: string): Promise<OrderLine[]> {
  const { partition, sortKey } = orderWithLinesQuery(customerId, orderId);
  if (!('between' in sortKey)) throw new Error('an order query is a range');
  const lines: OrderLine[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents
      .send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          FilterExpression: '#type = :line',
          ExpressionAttributeNames: { '#pk': Attr.pk, '#sk': Attr.sk, '#type': Attr.entityType },
          ExpressionAttributeValues: {
            ':pk': partition,
            ':from': sortKey.between[0],
            ':to': sortKey.between[1],
            ':line': EntityType.orderLine,
          },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      )
      .catch(rethrowOverload);
    lines.push(...(page.Items ?? []).map((item) => entityOf<OrderLine>(item)));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return lines;
}

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
