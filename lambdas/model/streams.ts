/**
 * Facts about the table's stream and where its consumers put things, shared by the consumers and
 * the CDK app (which declares their filters and grants). Imports nothing.
 */

/** How DynamoDB Streams marks a deletion made by the TTL process: `userIdentity` of the record. */
export const TTL_DELETION = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

/** Key prefix of archived cart lines in the archive bucket. */
export const ARCHIVE_PREFIX = 'expired-carts';
