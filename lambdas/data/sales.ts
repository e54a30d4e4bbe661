/**
 * Daily sales, as the back office reads them. The sales aggregator writes them (see
 * `sales-ledger.ts`), one stream record at a time.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DailyProductSales, DailySales } from '../model/entities';
import { dailySalesKey, entityOf, productSalesPartition, productSalesSortKey } from '../model/keys';
import { Attr, GlobalIndexes } from '../model/table-design';
import { documents, tableName } from './client';
import { rethrowOverload } from './errors';
import { keyCursor, openKeyCursor, type Page } from './pagination';

/** The whole store's sales on one day, or undefined before the first order of that day. */
export async function getDailySales(day: string): Promise<DailySales | undefined> {
  const { Item } = await documents
    .send(new GetCommand({ TableName: tableName, Key: dailySalesKey(day) }))
    .catch(rethrowOverload);
  return Item === undefined ? undefined : entityOf<DailySales>(Item);
}

/** Each product's sales on one day, by SKU. */
export async function listDailyProductSales(
  day: string,
  page: { readonly limit: number; readonly cursor?: string },
): Promise<Page<DailyProductSales>> {
  const { PK } = dailySalesKey(day);
  const scope = `listDailyProductSales|${PK}`;
  const result = await documents
    .send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :product)',
        ExpressionAttributeNames: { '#pk': Attr.pk, '#sk': Attr.sk },
        ExpressionAttributeValues: { ':pk': PK, ':product': 'PRODUCT#' },
        Limit: page.limit,
        ExclusiveStartKey: await openKeyCursor(scope, page.cursor, { attribute: Attr.pk, value: PK }),
      }),
    )
    .catch(rethrowOverload);
  return {
    items: (result.Items ?? []).map((item) => entityOf<DailyProductSales>(item)),
    cursor: await keyCursor(scope, result.LastEvaluatedKey),
  };
}

/** One product's sales day by day, from `fromDay` to `toDay` inclusive, oldest first. */
export async function listProductSales(
  sku: string,
  range: { readonly fromDay: string; readonly toDay: string },
  page: { readonly limit: number; readonly cursor?: string },
): Promise<Page<DailyProductSales>> {
  const partition = productSalesPartition(sku);
  const scope = `listProductSales|${partition}`;
  const result = await documents
    .send(
      new QueryCommand({
        TableName: tableName,
        IndexName: GlobalIndexes.overloaded.indexName,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': Attr.gsi1pk, '#sk': Attr.gsi1sk },
        ExpressionAttributeValues: {
          ':pk': partition,
          ':from': productSalesSortKey(range.fromDay),
          ':to': productSalesSortKey(range.toDay),
        },
        Limit: page.limit,
        ExclusiveStartKey: await openKeyCursor(scope, page.cursor, { attribute: Attr.gsi1pk, value: partition }),
      }),
    )
    .catch(rethrowOverload);
  return {
    items: (result.Items ?? []).map((item) => entityOf<DailyProductSales>(item)),
    cursor: await keyCursor(scope, result.LastEvaluatedKey),
  };
}
