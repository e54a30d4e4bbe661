/**
 * Access patterns over products: one product, a category by price, many products at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Product } from '../model/entities';
import { categoryPartition, categoryPriceQuery, productKey } from '../model/keys';
import { Attr, GlobalIndexes } from '../model/table-design';
import { ServiceUnavailableError } from '../shared/errors';
import { documents, tableName } from './client';
import { backoffMs, RETRY_AFTER_SECONDS, rethrowOverload } from './errors';
import type { Page } from './pagination';
import { type PageRequest, queryPage } from './query-page';

/** What a shopper may see of a product. */
export type PublicProduct = Pick<Product, 'sku' | 'name' | 'category' | 'priceCents' | 'stock' | 'description'>;

const PUBLIC_FIELDS = ['sku', 'name', 'category', 'priceCents', 'stock', 'description'] as const;
const projection = {
  ProjectionExpression: PUBLIC_FIELDS.map((_, i) => `#f${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(PUBLIC_FIELDS.map((field, i) => [`#f${i}`, field])),
};

/** BatchGetItem takes at most 100 keys per request. */
const BATCH_GET_LIMIT = 100;
/** Attempts at keys DynamoDB returned unprocessed, before giving up with 503. */
const BATCH_GET_ATTEMPTS = 6;

/** GetItem, eventually consistent, public fields only. */
export async function getProduct(sku: string): Promise<PublicProduct | undefined> {
  const { Item } = await documents
    .send(new GetCommand({ TableName: tableName, Key: productKey(sku), ...projection }))
    .catch(rethrowOverload);
  return Item as PublicProduct | undefined;
}

export interface CategoryPriceRange {
  readonly category: string;
  readonly minPriceCents: number;
  readonly maxPriceCents: number;
}

/** Query on the overloaded index: a category's products within a price range, cheapest first. */
export async function listProductsByCategory(
  range: CategoryPriceRange,
  page: PageRequest,
): Promise<Page<PublicProduct>> {
  const query = categoryPriceQuery(range.category, range.minPriceCents, range.maxPriceCents);
  const [from, to] = 'between' in query.sortKey ? query.sortKey.between : ['', ''];
  return queryPage(
    {
      IndexName: GlobalIndexes.overloaded.indexName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ...projection,
      ExpressionAttributeNames: { ...projection.ExpressionAttributeNames, '#pk': Attr.gsi1pk, '#sk': Attr.gsi1sk },
      ExpressionAttributeValues: { ':pk': query.partition, ':from': from, ':to': to },
      ScanIndexForward: true,
    },
    {
      scope: `listProductsByCategory|${query.partition}|${range.minPriceCents}|${range.maxPriceCents}`,
      partition: { attribute: Attr.gsi1pk, value: categoryPartition(range.category) },
      page,
      // The projection holds the public fields only: the item is the result as it is.
      toResult: (item) => item as PublicProduct,
    },
  );
}

export interface ProductBatch {
  /** The products found, in the order their SKUs were first asked for. */
  readonly products: PublicProduct[];
  /** SKUs asked for that do not exist. */
  readonly missing: string[];
}

/**
 * BatchGetItem for many SKUs at once: duplicates dropped, split into requests of 100, and keys
 * DynamoDB leaves unprocessed retried with jittered backoff until done or out of attempts.
 */
export async function getProducts(skus: readonly string[]): Promise<ProductBatch> {
  const unique = [...new Set(skus)];
  const found = new Map<string, PublicProduct>();
  for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
    let keys: Record<string, unknown>[] = unique.slice(i, i + BATCH_GET_LIMIT).map((sku) => ({ ...productKey(sku) }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt === BATCH_GET_ATTEMPTS) {
        throw new ServiceUnavailableError('The table is busy; try again shortly', RETRY_AFTER_SECONDS);
      }
      if (attempt > 0) await sleep(backoffMs(attempt));
      const result = await documents
        .send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ...projection } } }))
        .catch(rethrowOverload);
      for (const item of result.Responses?.[tableName] ?? []) found.set(item.sku as string, item as PublicProduct);
      keys = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return {
    products: unique.flatMap((sku) => found.get(sku) ?? []),
    missing: unique.filter((sku) => !found.has(sku)),
  };
}
