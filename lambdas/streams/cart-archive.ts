/**
 * The expired-cart archiver: when DynamoDB's TTL process deletes an expired cart line, keep a copy
 * in S3 for analysis (abandoned carts), partitioned by day for Athena or Glue.
 *
 * Only deletions made by the TTL process count; a shopper removing a line, or an order emptying
 * the cart, is not an expiry. TTL deletions are the ones whose `userIdentity` is the DynamoDB
 * service principal. `archivedCartLineOf` is pure; `archiveCartLine` writes the object.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod/mini';
import { EntityType } from '../model/entities';
import { ARCHIVE_PREFIX, type ArchivedCartLineBody, TTL_DELETION } from '../model/streams';
import { Attr } from '../model/table-design';
import { requireEnv } from '../shared/env';
import { tracer } from '../shared/observability';
import type { RecordOutcome } from './consumer';
import { attributes, changedAtOf, type DynamoDBRecord, dayOf, eventIdOf, imageOf } from './records';

const cartLineImage = z.looseObject({
  [Attr.entityType]: z.literal(EntityType.cartLine),
  customerId: attributes.id,
  sku: attributes.id,
  quantity: attributes.count,
  unitPriceCents: attributes.count,
  addedAt: attributes.instant,
  expiresAt: attributes.epochSeconds,
});

export interface ArchivedCartLine {
  readonly key: string;
  readonly body: ArchivedCartLineBody;
}

/** Whether a record is a TTL deletion of a cart line, and the object that archives it. */
export function archivedCartLineOf(record: DynamoDBRecord): ArchivedCartLine | undefined {
  const identity = record.userIdentity as { type?: string; principalId?: string } | undefined;
  if (
    record.eventName !== 'REMOVE' ||
    identity?.type !== TTL_DELETION.type ||
    identity.principalId !== TTL_DELETION.principalId
  ) {
    return undefined;
  }
  const line = imageOf(record, 'OldImage', cartLineImage);
  const eventId = eventIdOf(record);
  const deletedAt = new Date(changedAtOf(record) * 1000).toISOString();
  return {
    // The event id makes the key unique and the same on every delivery: a second delivery
    // overwrites the object with identical content.
    key: `${ARCHIVE_PREFIX}/day=${dayOf(deletedAt)}/${eventId}.json`,
    body: {
      customerId: line.customerId,
      sku: line.sku,
      quantity: line.quantity,
      unitPriceCents: line.unitPriceCents,
      addedAt: line.addedAt,
      expiresAt: new Date(line.expiresAt * 1000).toISOString(),
      deletedAt,
      eventId,
    },
  };
}

const bucket = requireEnv('ARCHIVE_BUCKET_NAME');
// Path-style addressing when an endpoint override points at an emulator (moto, LocalStack).
const s3 = tracer.captureAWSv3Client(
  new S3Client({
    forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined || process.env.AWS_ENDPOINT_URL !== undefined,
  }),
);

export async function archiveCartLine(record: DynamoDBRecord): Promise<RecordOutcome> {
  const archived = archivedCartLineOf(record);
  if (archived === undefined) return 'ignored';
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: archived.key,
      Body: JSON.stringify(archived.body),
      ContentType: 'application/json',
    }),
  );
  return 'applied';
}
