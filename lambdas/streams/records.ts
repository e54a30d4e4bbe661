/**
 * DynamoDB stream records as Lambda delivers them: the item images decoded and checked against
 * a schema, so that a consumer works with typed entities and a record it cannot understand fails
 * loudly, naming the record and each broken field, instead of writing nonsense.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue } from 'aws-lambda';
import * as z from 'zod/mini';
import { en } from 'zod/v4/locales';
import { EntityType, ORDER_STATUSES } from '../model/entities';
import { Attr } from '../model/table-design';

export type { DynamoDBRecord };

z.config(en());

/** A record a consumer cannot process however often it is retried: it goes to the failure destination. */
export class MalformedRecordError extends Error {
  constructor(
    readonly eventId: string | undefined,
    readonly issues: readonly string[],
  ) {
    super(`Stream record ${eventId ?? '(no eventID)'} is malformed: ${issues.join('; ')}`);
    this.name = 'MalformedRecordError';
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}/;

/** Reusable schemas for the attributes consumers read. */
export const attributes = {
  id: z.string().check(z.minLength(1, 'must be a non-empty string')),
  count: z.number().check(z.int('must be a whole number'), z.gte(0, 'must not be negative')),
  instant: z.iso.datetime({ error: 'must be an ISO-8601 instant in UTC' }),
  status: z.enum(ORDER_STATUSES, { error: `must be one of ${ORDER_STATUSES.join(', ')}` }),
  epochSeconds: z.number().check(z.int('must be whole epoch seconds'), z.gte(0, 'must not be negative')),
};

/** An order header's image: what the consumers of order changes read from it. */
export const orderHeaderImage = z.looseObject({
  [Attr.entityType]: z.literal(EntityType.order),
  orderId: attributes.id,
  customerId: attributes.id,
  status: attributes.status,
  placedAt: attributes.instant,
  statusSince: attributes.instant,
  orderTotalCents: attributes.count,
  lineCount: attributes.count,
  version: attributes.count,
});

/** An order line's image: what the sales aggregator reads from it. */
export const orderLineImage = z.looseObject({
  [Attr.entityType]: z.literal(EntityType.orderLine),
  orderId: attributes.id,
  customerId: attributes.id,
  sku: attributes.id,
  quantity: attributes.count,
  unitPriceCents: attributes.count,
});

/** The UTC day of an ISO-8601 instant. */
export const dayOf = (instant: string): string => {
  const day = DAY.exec(instant)?.[0];
  if (day === undefined) throw new Error(`${instant} is not an ISO-8601 instant`);
  return day;
};

/** Decode and check one image of a record; throws MalformedRecordError naming each bad attribute. */
export function imageOf<S extends z.ZodMiniType>(
  record: DynamoDBRecord,
  which: 'NewImage' | 'OldImage',
  schema: S,
): z.infer<S> {
  const image = record.dynamodb?.[which];
  if (image === undefined) throw new MalformedRecordError(record.eventID, [`${which} is missing`]);
  let decoded: Record<string, unknown>;
  try {
    // Lambda's AttributeValue type and the SDK's describe the same JSON.
    decoded = unmarshall(image as Record<string, LambdaAttributeValue> as never);
  } catch (error) {
    throw new MalformedRecordError(record.eventID, [`${which} is not DynamoDB JSON: ${String(error)}`]);
  }
  const parsed = z.safeParse(schema, decoded);
  if (!parsed.success) {
    throw new MalformedRecordError(
      record.eventID,
      parsed.error.issues.map((issue) => `${which}.${issue.path.join('.')} ${issue.message}`),
    );
  }
  return parsed.data;
}

/** The record's event id, which every consumer needs to be idempotent. */
export function eventIdOf(record: DynamoDBRecord): string {
  if (record.eventID === undefined || record.eventID === '') {
    throw new MalformedRecordError(record.eventID, ['eventID is missing']);
  }
  return record.eventID;
}

/** When the change was made, in epoch seconds (Lambda's `ApproximateCreationDateTime`). */
export function changedAtOf(record: DynamoDBRecord): number {
  const at = record.dynamodb?.ApproximateCreationDateTime;
  if (typeof at !== 'number' || !Number.isFinite(at)) {
    throw new MalformedRecordError(record.eventID, ['dynamodb.ApproximateCreationDateTime is missing']);
  }
  return at;
}
