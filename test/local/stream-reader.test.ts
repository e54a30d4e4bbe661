/**
 * Shard lineage, which DynamoDB Local does not produce on demand: a stub at the SDK boundary
 * serves a parent shard that closes and a child that continues it. The integration test reads a
 * real stream from DynamoDB Local.
 */
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { StreamReader } from '../../local/streams/stream-reader';

const record = (id: string) => ({ eventID: id, dynamodb: { SequenceNumber: id } });

function stubClient(): DynamoDBStreamsClient {
  // The child is listed first, as DescribeStream may do: the reader must still read the parent first.
  const shards = [
    { ShardId: 'child', ParentShardId: 'parent', SequenceNumberRange: { StartingSequenceNumber: '200' } },
    { ShardId: 'parent', SequenceNumberRange: { StartingSequenceNumber: '100', EndingSequenceNumber: '199' } },
  ];
  const pages: Record<string, { Records: unknown[]; NextShardIterator?: string }> = {
    'parent-1': { Records: [record('100'), record('101')], NextShardIterator: 'parent-2' },
    'parent-2': { Records: [record('102')] },
    'child-1': { Records: [record('200')], NextShardIterator: 'child-2' },
    'child-2': { Records: [], NextShardIterator: 'child-2' },
  };
  return {
    send: async (command: { constructor: { name: string }; input: Record<string, string> }) => {
      switch (command.constructor.name) {
        case 'DescribeStreamCommand':
          return { StreamDescription: { Shards: shards } };
        case 'GetShardIteratorCommand':
          return { ShardIterator: `${command.input.ShardId}-1` };
        case 'GetRecordsCommand':
          return pages[command.input.ShardIterator as string];
        default:
          throw new Error(`unexpected ${command.constructor.name}`);
      }
    },
  } as unknown as DynamoDBStreamsClient;
}

test('a child shard is read only after its parent is read to the end', async () => {
  const reader = new StreamReader({ streamArn: 'arn:stream', client: stubClient() });
  const records = await reader.poll();
  expect(records.map((r) => r.eventID)).toEqual(['100', '101', '102', '200']);
  expect(await reader.poll()).toEqual([]);
});
