/**
 * Access patterns over products: one product, a category by price, many products at once.
 *
 * These are the reads a DAX cluster may answer (the routes the API catalogue marks `cached`): each
 * reads through `catalogueReads`, which is the cluster when the function has one (DAX_ENDPOINT,
 * set by the API stack with `-c dax=true`) and the table otherwise. A caller that must not see a
 * cached price (placing an order) passes `tableReads` instead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Product } from '../model/entities';
import { categoryPartition, categoryPriceQuery, productKey } from '../model/keys';
import { Attr, GlobalIndexes } from '../model/table-design';
import { optionalEnv, requireEnv } from '../shared/env';
import { ServiceUnavailableError } from '../shared/errors';
import { tableName } from './client';
import { DaxReads, daxDocumentClient } from './dax-reads';
import { backoffMs, RETRY_AFTER_SECONDS } from './errors';
import { type EventualReads, type Item, tableReads } from './eventual-reads';
import type { Page } from './pagination';
import { type PageRequest, queryPage } from './query-page';

const daxEndpoint = optionalEnv('DAX_ENDPOINT');

/**
 * Where the catalogue routes read: the function's DAX cluster, falling back to the table, or the
 * table. The DAX client itself is built at the first read (dax-reads.ts).
 */
export const catalogueReads: EventualReads =
  daxEndpoint === undefined
    ? tableReads
    : new DaxReads({
        tableName,
        connect: daxDocumentClient(daxEndpoint, requireEnv('AWS_REGION')),
        fallback: tableReads,
      });

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
export async function getProduct(sku: string, via: EventualReads = catalogueReads): Promise<PublicProduct | undefined> {
  return (await via.get({ Key: productKey(sku), ...projection })) as PublicProduct | undefined;
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
  via: EventualReads = catalogueReads,
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
      reads: via,
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
export async function getProducts(skus: readonly string[], via: EventualReads = catalogueReads): Promise<ProductBatch> {
  const unique = [...new Set(skus)];
  const found = new Map<string, PublicProduct>();
  for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
    let keys: Item[] = unique.slice(i, i + BATCH_GET_LIMIT).map((sku) => ({ ...productKey(sku) }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt === BATCH_GET_ATTEMPTS) {
        throw new ServiceUnavailableError('The table is busy; try again shortly', RETRY_AFTER_SECONDS);
      }
      if (attempt > 0) await sleep(backoffMs(attempt));
      const result = await via.batchGet({ keys, ...projection });
      for (const item of result.items) found.set(item.sku as string, item as PublicProduct);
      keys = result.unprocessedKeys;
    }
  }
  return {
    products: unique.flatMap((sku) => found.get(sku) ?? []),
    missing: unique.filter((sku) => !found.has(sku)),
  };
}
