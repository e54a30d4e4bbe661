import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { toLambdaRecord } from '../../local/emulation/streams/lambda-records';

const source = { streamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x', region: 'us-east-1' };
const sdkRecord = (overrides: Partial<_Record> = {}): _Record => ({
  eventID: 'e-1',
  eventName: 'INSERT',
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: 'ddblocal',
  dynamodb: {
    ApproximateCreationDateTime: new Date('2026-11-01T10:00:00.000Z'),
    Keys: { PK: { S: 'A' } },
    NewImage: {
      PK: { S: 'A' },
      bytes: { B: new Uint8Array([1, 2, 3]) },
      nested: { M: { list: { L: [{ BS: [new Uint8Array([255])] }] } } },
    },
    SequenceNumber: '000000000000000000001',
    SizeBytes: 10,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
  ...overrides,
});

test('gives Lambda’s JSON: epoch seconds, base64 binaries, the source ARN and region', () => {
  expect(toLambdaRecord(sdkRecord(), source)).toEqual({
    eventID: 'e-1',
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: source.streamArn,
    dynamodb: {
      ApproximateCreationDateTime: 1_793_527_200,
      Keys: { PK: { S: 'A' } },
      NewImage: { PK: { S: 'A' }, bytes: { B: 'AQID' }, nested: { M: { list: { L: [{ BS: ['/w=='] }] } } } },
      SequenceNumber: '000000000000000000001',
      SizeBytes: 10,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  });
});

test('a TTL deletion, as DynamoDB Local names it or as the local TTL process makes it, is a service REMOVE', () => {
  const identity = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
  const local = toLambdaRecord(sdkRecord({ eventName: 'UNKNOWN_TO_SDK_VERSION' as never }), source);
  expect(local).toMatchObject({ eventName: 'REMOVE', userIdentity: identity });
  const swept = toLambdaRecord(sdkRecord({ eventName: 'REMOVE' }), source, { ttlDeletion: true });
  expect(swept).toMatchObject({ eventName: 'REMOVE', userIdentity: identity });
  expect(toLambdaRecord(sdkRecord({ eventName: 'REMOVE' }), source)).not.toHaveProperty('userIdentity');
});
