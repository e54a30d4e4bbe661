/**
 * One page of a Query over a single partition, the way every listing pages: the caller's cursor
 * opened (and checked to point into the same partition), the Query sent with the page's limit,
 * the items turned into entities, and DynamoDB's LastEvaluatedKey sealed into the next cursor.
 */
import { entityOf } from '../model/keys';
import { type EventualReads, type QueryRequest, tableReads } from './eventual-reads';
import { keyCursor, openKeyCursor, type Page } from './pagination';

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

export async function queryPage<T>(
  input: Omit<QueryRequest, 'Limit' | 'ExclusiveStartKey'>,
  options: {
    /** What the cursor is valid for: the access pattern and everything that shapes its results. */
    readonly scope: string;
    /** The partition key attribute of the table or index queried, and the partition read. */
    readonly partition: { readonly attribute: string; readonly value: string };
    readonly page: PageRequest;
    /** How an item becomes a result. @default the entity, without key attributes */
    readonly toResult?: (item: Record<string, unknown>) => T;
    /** Who answers the Query. @default tableReads: the table itself */
    readonly reads?: EventualReads;
  },
): Promise<Page<T>> {
  const { scope, partition, page } = options;
  const result = await (options.reads ?? tableReads).query({
    ...input,
    Limit: page.limit,
    ExclusiveStartKey: await openKeyCursor(scope, page.cursor, partition),
  });
  const toResult = options.toResult ?? ((item: Record<string, unknown>) => entityOf<T>(item));
  return {
    items: result.items.map(toResult),
    cursor: await keyCursor(scope, result.lastEvaluatedKey),
  };
}
