/**
 * Lambda's tumbling windows as the local pump runs them: records cut into windows by the time they
 * were written, the state threaded from one invocation of a window to the next (never from a
 * failed one), a final invocation when the window ends, and the checkpoint held back until then.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { DeliverySettings, StreamConsumer, StreamEvent } from '../../local/emulation/streams/batch-delivery';
import { ShardWindows, type WrittenAt, withinStampedMinute } from '../../local/emulation/streams/tumbling-windows';

const record = (n: number, atSeconds: number): DynamoDBRecord => ({
  eventName: 'INSERT',
  dynamodb: { SequenceNumber: String(100 + n), ApproximateCreationDateTime: atSeconds },
});
const settings: DeliverySettings = {
  batchSize: 2,
  bisectBatchOnFunctionError: true,
  maximumRetryAttempts: 2,
  reportBatchItemFailures: true,
  filters: [],
};
const numbersOf = (event: StreamEvent) => event.Records.map((r) => Number(r.dynamodb?.SequenceNumber) - 100);

/** A consumer that sums record numbers in its state and remembers every invocation. */
function summing(options: { failOnce?: number } = {}) {
  const invocations: { final: boolean; window: string; records: number[]; state: unknown }[] = [];
  let failed = false;
  const consumer = async (event: StreamEvent) => {
    invocations.push({
      final: event.isFinalInvokeForWindow === true,
      window: event.window?.start ?? '',
      records: numbersOf(event),
      state: event.state,
    });
    if (!failed && options.failOnce !== undefined && numbersOf(event).includes(options.failOnce)) {
      failed = true;
      throw new Error('fails once');
    }
    const sum = Number((event.state as { sum?: number } | undefined)?.sum ?? 0);
    return event.isFinalInvokeForWindow
      ? { state: {} }
      : { state: { sum: sum + numbersOf(event).reduce((a, b) => a + b, 0) }, batchItemFailures: [] };
  };
  return { consumer, invocations };
}

/** One shard's windows over `consumer`, as the pump builds them, with the checkpoints it moves to. */
function windowsOver(
  consumer: StreamConsumer,
  options: { readonly seconds?: number; readonly writtenAt?: WrittenAt } = {},
) {
  const checkpoints: string[] = [];
  const windows = new ShardWindows(
    'shard-1',
    'arn:stream',
    options.seconds ?? 60,
    settings,
    consumer,
    async () => undefined,
    (s) => checkpoints.push(s),
    options.writtenAt,
  );
  return { windows, checkpoints };
}

test('records are cut into windows by when they were written; each window ends with a final invocation holding its state', async () => {
  const { consumer, invocations } = summing();
  const { windows, checkpoints } = windowsOver(consumer);
  await windows.deliver([record(1, 0), record(2, 10), record(3, 59), record(4, 60), record(5, 70)], 75);
  // The first window ended before the second's records came: its final invocation came first.
  expect(invocations.map((i) => [i.window, i.final, i.records])).toEqual([
    ['1970-01-01T00:00:00Z', false, [1, 2]],
    ['1970-01-01T00:00:00Z', false, [3]],
    ['1970-01-01T00:00:00Z', true, []],
    ['1970-01-01T00:01:00Z', false, [4, 5]],
  ]);
  expect(invocations[2]?.state).toEqual({ sum: 6 });
  expect(checkpoints).toEqual(['103']);
  expect(windows.hasOpenWindow).toBe(true);

  // The second window is not over at 119 s; at 120 s it is.
  expect(await windows.finishIfDue(119)).toBe(false);
  expect(await windows.finishIfDue(120)).toBe(true);
  expect(invocations[4]).toEqual({ final: true, window: '1970-01-01T00:01:00Z', records: [], state: { sum: 9 } });
  expect(checkpoints).toEqual(['103', '105']);
  expect(windows.hasOpenWindow).toBe(false);
});

test('a failed invocation leaves the state as it was: its retry, bisected, starts from the same state', async () => {
  const { consumer, invocations } = summing({ failOnce: 3 });
  const { windows } = windowsOver(consumer);
  await windows.deliver(
    [1, 2, 3, 4].map((n) => record(n, 5)),
    10,
  );
  await windows.finishIfDue(0, true);
  expect(invocations.map((i) => [i.records, i.state])).toEqual([
    [[1, 2], {}],
    [[3, 4], { sum: 3 }],
    // Bisected after the failure: each half from the state before the failed batch, threaded on.
    [[3], { sum: 3 }],
    [[4], { sum: 6 }],
    [[], { sum: 10 }],
  ]);
});

test('a final invocation that fails is tried again, and the checkpoint waits for it', async () => {
  let finals = 0;
  const { windows, checkpoints } = windowsOver(async (event) => {
    if (event.isFinalInvokeForWindow && ++finals === 1) throw new Error('the final write failed');
    return { state: {} };
  });
  await windows.deliver([record(1, 0)], 1);
  await windows.finishIfDue(60);
  expect(finals).toBe(2);
  expect(checkpoints).toEqual(['101']);
});

test("with DynamoDB Local's stamps (to the minute), a record's window is chosen by when it was delivered within that minute", async () => {
  const { consumer, invocations } = summing();
  const { windows } = windowsOver(consumer, { seconds: 30, writtenAt: withinStampedMinute });
  // Written at 45 s, stamped 0 s: by its stamp alone its window [0, 30) would be over already.
  await windows.deliver([record(1, 0)], 45);
  expect(await windows.finishIfDue(45)).toBe(false);
  await windows.deliver([record(2, 0)], 50);
  expect(await windows.finishIfDue(60)).toBe(true);
  expect(invocations.map((i) => [i.window, i.final, i.records])).toEqual([
    ['1970-01-01T00:00:30Z', false, [1]],
    ['1970-01-01T00:00:30Z', false, [2]],
    ['1970-01-01T00:00:30Z', true, []],
  ]);
  // Delivered long after its minute, a record counts as written at the end of it; never before its stamp.
  expect(withinStampedMinute(record(3, 120), 1_000)).toBeCloseTo(179.999);
  expect(withinStampedMinute(record(3, 120), 100)).toBe(120);
});
