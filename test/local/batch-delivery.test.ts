import type { DynamoDBRecord as StreamRecord } from 'aws-lambda';
import {
  type DeliverySettings,
  deliverShardRecords,
  type FailedBatch,
  type StreamEvent,
} from '../../local/emulation/streams/batch-delivery';
import { parsePatterns } from '../../local/emulation/streams/filter-criteria';

const record = (n: number, entityType = 'Order'): StreamRecord => ({
  eventName: 'INSERT',
  dynamodb: { SequenceNumber: String(1000 + n), NewImage: { entityType: { S: entityType }, n: { N: String(n) } } },
});
const records = (count: number) => Array.from({ length: count }, (_, i) => record(i));
const seq = (event: StreamEvent) => event.Records.map((r) => Number(r.dynamodb?.SequenceNumber) - 1000);
const source = { shardId: 'shard-1', streamArn: 'arn:stream' };
const settings = (overrides: Partial<DeliverySettings> = {}): DeliverySettings => ({
  batchSize: 10,
  bisectBatchOnFunctionError: true,
  maximumRetryAttempts: 2,
  reportBatchItemFailures: true,
  filters: [],
  ...overrides,
});

test('records are delivered in order, in batches of the batch size', async () => {
  const seen: number[][] = [];
  const report = await deliverShardRecords(
    records(25),
    settings(),
    async (e) => void seen.push(seq(e)),
    async () => undefined,
    source,
  );
  expect(seen.map((b) => b.length)).toEqual([10, 10, 5]);
  expect(seen.flat()).toEqual(Array.from({ length: 25 }, (_, i) => i));
  expect(report).toMatchObject({ delivered: 25, invocations: 3, failedBatches: [] });
});

test('filters drop records before batching', async () => {
  const seen: number[] = [];
  const mixed = [record(0), record(1, 'CartLine'), record(2)];
  const filters = parsePatterns([
    { Pattern: JSON.stringify({ dynamodb: { NewImage: { entityType: { S: ['Order'] } } } }) },
  ]);
  const report = await deliverShardRecords(
    mixed,
    settings({ filters }),
    async (e) => void seen.push(...seq(e)),
    async () => undefined,
    source,
  );
  expect(seen).toEqual([0, 2]);
  expect(report.filteredOut).toBe(1);
});

test('one malformed record among 100: 99 are processed, the bad one reaches the failure destination, later ones are not blocked', async () => {
  const processed = new Set<number>();
  const failures: FailedBatch[] = [];
  await deliverShardRecords(
    records(100),
    settings(),
    async (event) => {
      const batchItemFailures = event.Records.flatMap((r) => {
        const n = Number(r.dynamodb?.SequenceNumber) - 1000;
        if (n === 42) return [{ itemIdentifier: r.dynamodb?.SequenceNumber ?? '' }];
        processed.add(n);
        return [];
      });
      return { batchItemFailures };
    },
    async (failure) => void failures.push(failure),
    source,
  );
  expect(processed.size).toBe(99);
  expect(processed.has(43)).toBe(true);
  expect(processed.has(99)).toBe(true);
  expect(failures).toHaveLength(1);
  expect(failures[0]?.DDBStreamBatchInfo).toMatchObject({ shardId: 'shard-1', startSequenceNumber: '1042' });
  expect(failures[0]?.requestContext).toEqual({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 });
});

test('a batch that throws is bisected until the poison record is alone, then given up on after its retries', async () => {
  const delivered: number[] = [];
  const failures: FailedBatch[] = [];
  await deliverShardRecords(
    records(8),
    settings({ batchSize: 8, reportBatchItemFailures: false }),
    async (event) => {
      if (seq(event).includes(5)) throw new Error('cannot parse record 5');
      delivered.push(...seq(event));
    },
    async (failure) => void failures.push(failure),
    source,
  );
  expect(delivered.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 6, 7]);
  expect(failures.map((f) => f.DDBStreamBatchInfo)).toEqual([
    expect.objectContaining({ startSequenceNumber: '1005', endSequenceNumber: '1005', batchSize: 1 }),
  ]);
  expect(failures[0]?.responseContext).toEqual({ functionError: 'Unhandled', message: 'Error: cannot parse record 5' });
});

test('without bisect, a failing batch is retried whole, then described to the destination', async () => {
  let calls = 0;
  const failures: FailedBatch[] = [];
  await deliverShardRecords(
    records(3),
    settings({ bisectBatchOnFunctionError: false, maximumRetryAttempts: 1 }),
    async () => {
      calls += 1;
      throw new Error('down');
    },
    async (failure) => void failures.push(failure),
    source,
  );
  expect(calls).toBe(2);
  expect(failures[0]?.DDBStreamBatchInfo).toMatchObject({
    startSequenceNumber: '1000',
    endSequenceNumber: '1002',
    batchSize: 3,
  });
});

test('each batch is reported done once handled or given up on: where Lambda checkpoints', async () => {
  const done: string[] = [];
  const events: string[] = [];
  await deliverShardRecords(
    records(5),
    settings({ batchSize: 2, maximumRetryAttempts: 0, bisectBatchOnFunctionError: false }),
    async (e) => {
      events.push(`invoke ${seq(e).join(',')}`);
      if (seq(e).includes(2)) throw new Error('poison');
    },
    async (failure) => void events.push(`failure ${failure.DDBStreamBatchInfo.startSequenceNumber}`),
    source,
    (sequenceNumber) => {
      done.push(sequenceNumber);
      events.push(`done ${sequenceNumber}`);
    },
  );
  expect(done).toEqual(['1001', '1003', '1004']);
  expect(events).toEqual([
    'invoke 0,1',
    'done 1001',
    'invoke 2,3',
    'failure 1002',
    'done 1003',
    'invoke 4',
    'done 1004',
  ]);
});
