/**
 * Facts about the table's stream and where its consumers put things, shared by the consumers and
 * the CDK app (which declares their filters and grants). Imports nothing.
 */

/** How DynamoDB Streams marks a deletion made by the TTL process: `userIdentity` of the record. */
export const TTL_DELETION = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

/** Key prefix of archived cart lines in the archive bucket. */
export const ARCHIVE_PREFIX = 'expired-carts';

/**
 * One archived cart line: the JSON object the archiver writes under
 * `<ARCHIVE_PREFIX>/day=<UTC day>/<event id>.json`, and the analytics lake's `expired_carts`
 * table reads (lambdas/model/curated-tables.ts).
 */
export interface ArchivedCartLineBody {
  readonly customerId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  /** ISO-8601 instants in UTC. */
  readonly addedAt: string;
  readonly expiresAt: string;
  readonly deletedAt: string;
  /** The stream record that archived it; also the object's name. */
  readonly eventId: string;
}
