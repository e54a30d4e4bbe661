/**
 * Access patterns over customers: one profile, and the admin export of marketing opt-ins.
 */
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type Customer, EntityType } from '../model/entities';
import { customerKey, entityOf } from '../model/keys';
import { Attr } from '../model/table-design';
import { ValidationError } from '../shared/errors';
import { documents, tableName } from './client';
import { rethrowOverload } from './errors';
import { isKeyPosition, type KeyPosition, openCursor, type Page, sealCursor } from './pagination';

/** GetItem, eventually consistent. */
export async function getCustomer(customerId: string): Promise<Customer | undefined> {
  const { Item } = await documents
    .send(new GetCommand({ TableName: tableName, Key: customerKey(customerId) }))
    .catch(rethrowOverload);
  return Item === undefined ? undefined : entityOf<Customer>(Item);
}

/** What the marketing export holds per customer. */
export type MarketingContact = Pick<Customer, 'customerId' | 'email' | 'name'>;

/** Parallel scan segments; each is read by its own request in every round. */
export const EXPORT_SEGMENTS = 4;

/** Where each segment stands: the key to resume from, or null once the segment is done. */
type SegmentPositions = (KeyPosition | null)[];

const EXPORT_SCOPE = `exportMarketingOptIns|${EXPORT_SEGMENTS}`;

function isSegmentPositions(value: unknown): value is SegmentPositions {
  return Array.isArray(value) && value.length === EXPORT_SEGMENTS && value.every((v) => v === null || isKeyPosition(v));
}

/**
 * One round of the export: every unfinished segment scans its next page in parallel, and the round
 * returns what they found with a cursor for the next round. This is the application's only Scan: a
 * filter keeps opted-in customers, a projection keeps three fields, and the scan still reads (and
 * pays for) every item in the table, which is why it is an admin export and not an access pattern.
 */
export async function exportMarketingOptIns(page: {
  readonly pageSize: number;
  readonly cursor?: string;
}): Promise<Page<MarketingContact>> {
  let positions: (KeyPosition | null | undefined)[] = new Array(EXPORT_SEGMENTS).fill(undefined);
  if (page.cursor !== undefined) {
    const opened = await openCursor(EXPORT_SCOPE, page.cursor);
    if (!isSegmentPositions(opened)) {
      throw new ValidationError([{ field: 'query.cursor', rule: 'is not an export cursor' }]);
    }
    positions = opened;
  }
  const rounds = await Promise.all(
    positions.map(async (position, segment) => {
      if (position === null) return { items: [], next: null };
      const result = await documents
        .send(
          new ScanCommand({
            TableName: tableName,
            Segment: segment,
            TotalSegments: EXPORT_SEGMENTS,
            Limit: page.pageSize,
            ExclusiveStartKey: position,
            FilterExpression: '#type = :customer AND #optIn = :yes',
            ProjectionExpression: '#id, #email, #name',
            ExpressionAttributeNames: {
              '#type': Attr.entityType,
              '#optIn': 'marketingOptIn',
              '#id': 'customerId',
              '#email': 'email',
              '#name': 'name',
            },
            ExpressionAttributeValues: { ':customer': EntityType.customer, ':yes': true },
          }),
        )
        .catch(rethrowOverload);
      return {
        items: (result.Items ?? []) as MarketingContact[],
        next: (result.LastEvaluatedKey as KeyPosition) ?? null,
      };
    }),
  );
  const next = rounds.map((r) => r.next);
  return {
    items: rounds.flatMap((r) => r.items),
    cursor: next.every((p) => p === null) ? undefined : await sealCursor(EXPORT_SCOPE, next),
  };
}

/**
 * The whole export as a stream of pages, for in-process consumers (a batch job, the benchmark);
 * the API serves the same rounds one request at a time.
 */
export async function* streamMarketingOptIns(pageSize: number): AsyncGenerator<MarketingContact[]> {
  let cursor: string | undefined;
  do {
    const page = await exportMarketingOptIns({ pageSize, cursor });
    if (page.items.length > 0) yield page.items;
    cursor = page.cursor;
  } while (cursor !== undefined);
}
