/**
 * The pump's own failures: when sending a failure description fails, the records stay pending
 * and the next round delivers them again, as Lambda would not checkpoint past them. A stub at
 * the SDK boundary serves one shard; the integration tests pump DynamoDB Local's real stream.
 */
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { FailedBatch } from '../../local/emulation/streams/batch-delivery';
import type { StreamMapping } from '../../local/emulation/streams/mappings';
import { StreamPump } from '../../local/emulation/streams/pump';

const record = (n: number) => ({ eventID: `e-${n}`, eventName: 'INSERT', dynamodb: { SequenceNumber: String(n) } });

function stubClient(): DynamoDBStreamsClient {
  return {
    send: async (command: { constructor: { name: string }; input: Record<string, string> }) => {
      switch (command.constructor.name) {
        case 'DescribeStreamCommand':
          return { StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } };
        case 'GetShardIteratorCommand':
          return { ShardIterator: 'page-1' };
        case 'GetRecordsCommand':
          return command.input.ShardIterator === 'page-1'
            ? { Records: [record(1), record(2)], NextShardIterator: 'page-2' }
            : { Records: [], NextShardIterator: 'page-2' };
        default:
          throw new Error(`unexpected ${command.constructor.name}`);
      }
    },
  } as unknown as DynamoDBStreamsClient;
}

const mapping: StreamMapping = {
  logicalId: 'Mapping',
  functionLogicalId: 'Function',
  startingPosition: 'TRIM_HORIZON',
  maximumBatchingWindowInSeconds: 0,
  tumblingWindowInSeconds: 0,
  delivery: {
    batchSize: 10,
    bisectBatchOnFunctionError: false,
    maximumRetryAttempts: 0,
    reportBatchItemFailures: true,
    filters: [],
  },
};

test('records whose failure could not be recorded are delivered again in the next round', async () => {
  const seen: string[] = [];
  const recorded: FailedBatch[] = [];
  let destinationUp = false;
  const pump = new StreamPump({
    streamArn: 'arn:stream',
    client: stubClient(),
    region: 'us-east-1',
    mappings: [
      {
        mapping,
        consumer: async (event) => {
          seen.push(...event.Records.map((r) => r.eventID ?? ''));
          throw new Error('the consumer is down');
        },
        onFailure: async (failure) => {
          if (!destinationUp) throw new Error('the failure queue is down');
          recorded.push(failure);
        },
      },
    ],
  });

  await expect(pump.drain()).rejects.toThrow('the failure queue is down');
  destinationUp = true;
  await pump.drain();
  expect(seen).toEqual(['e-1', 'e-2', 'e-1', 'e-2']);
  expect(recorded.map((f) => f.DDBStreamBatchInfo)).toEqual([
    { shardId: 'shard-1', streamArn: 'arn:stream', startSequenceNumber: '1', endSequenceNumber: '2', batchSize: 2 },
  ]);
});
