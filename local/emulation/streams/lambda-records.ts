/**
 * Stream records as Lambda hands them to a function, made from the records the DynamoDB Streams
 * API returns: what the local pump delivers, so that filters and handlers see what they would in
 * AWS.
 *
 * The differences it bridges:
 * - The SDK parses `ApproximateCreationDateTime` into a Date and binary attributes into bytes;
 *   Lambda's JSON has epoch seconds and base64 strings.
 * - Lambda adds `eventSourceARN` and the region.
 * - DynamoDB writes a TTL deletion as `REMOVE` with the DynamoDB service as `userIdentity`, which
 *   is what consumers filter on to tell expiry from deletion. DynamoDB Local (3.x) names the
 *   deletions of its own TTL sweep `UNKNOWN_TO_SDK_VERSION` and gives no identity, and locally most
 *   expiry is done by `LocalTtlProcess` with ordinary deletes; both are given DynamoDB's shape.
 */
import type { AttributeValue as SdkAttributeValue, _Record as SdkStreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue } from 'aws-lambda';
import { TTL_DELETION } from '../../../lambdas/model/streams';

/** The event name DynamoDB Local gives a deletion made by its TTL process. */
export const DYNAMODB_LOCAL_TTL_EVENT_NAME = 'UNKNOWN_TO_SDK_VERSION';

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function attributeValue(value: SdkAttributeValue): LambdaAttributeValue {
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) return { M: image(value.M) ?? {} } as LambdaAttributeValue;
  if (value.L !== undefined) return { L: value.L.map(attributeValue) };
  return value as LambdaAttributeValue;
}

function image(
  attributes: Record<string, SdkAttributeValue> | undefined,
): Record<string, LambdaAttributeValue> | undefined {
  if (attributes === undefined) return undefined;
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, attributeValue(value)]));
}

/** Lambda's view of one record read from the stream `streamArn` in `region`. */
export function toLambdaRecord(
  record: SdkStreamRecord,
  source: { readonly streamArn: string; readonly region: string },
  options: { readonly ttlDeletion?: boolean } = {},
): DynamoDBRecord {
  const ttlDeletion =
    options.ttlDeletion === true || (record.eventName as string | undefined) === DYNAMODB_LOCAL_TTL_EVENT_NAME;
  const change = record.dynamodb;
  const created = change?.ApproximateCreationDateTime;
  const lambdaRecord: DynamoDBRecord = {
    eventID: record.eventID,
    eventName: ttlDeletion ? 'REMOVE' : (record.eventName as DynamoDBRecord['eventName']),
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: source.region,
    eventSourceARN: source.streamArn,
    dynamodb: {
      ...(created === undefined ? {} : { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) }),
      Keys: image(change?.Keys),
      ...(change?.NewImage === undefined ? {} : { NewImage: image(change.NewImage) }),
      ...(change?.OldImage === undefined ? {} : { OldImage: image(change.OldImage) }),
      SequenceNumber: change?.SequenceNumber,
      SizeBytes: change?.SizeBytes,
      StreamViewType: change?.StreamViewType as NonNullable<DynamoDBRecord['dynamodb']>['StreamViewType'],
    },
  };
  const identity = ttlDeletion ? TTL_DELETION : record.userIdentity;
  return identity === undefined ? lambdaRecord : { ...lambdaRecord, userIdentity: { ...identity } };
}
