/**
 * The seed's batch writer. DynamoDB Local never leaves items unprocessed, so retries are driven here
 * by a stub at the SDK boundary (the client's `send`); the integration test writes to the engine.
 */
import { type BatchWriteItemCommand, DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { batchWriteItems, UnprocessedItemsError } from '../../local/seed/batch-writer';

const TABLE = 'seed-table';

const itemsNumbered = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ PK: `ITEM#${i}`, SK: 'ITEM', n: i, note: undefined }));

/** The PKs a request asked to put. */
const pksOf = (requests: WriteRequest[]) => requests.map((r) => r.PutRequest?.Item?.PK?.S);

interface Stub {
  readonly client: DynamoDBClient;
  /** Every request's puts, in the order sent. */
  readonly sent: WriteRequest[][];
  /** Most requests in flight at once. */
  maxInFlight: number;
}

/** A client whose `send` answers with `leaveUnprocessed(puts, call)` left over, after a tick. */
function stubClient(leaveUnprocessed: (puts: WriteRequest[], call: number) => WriteRequest[] = () => []): Stub {
  const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const stub: Stub = { client, sent: [], maxInFlight: 0 };
  let inFlight = 0;
  jest.spyOn(client, 'send').mockImplementation((async (command: BatchWriteItemCommand) => {
    const puts = command.input.RequestItems?.[TABLE] ?? [];
    const call = stub.sent.push(puts) - 1;
    inFlight++;
    stub.maxInFlight = Math.max(stub.maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    inFlight--;
    const left = leaveUnprocessed(puts, call);
    return { UnprocessedItems: left.length === 0 ? {} : { [TABLE]: left } };
  }) as never);
  return stub;
}

const noWait = async () => undefined;

afterEach(() => jest.restoreAllMocks());

test('writes in requests of 25, marshalled without undefined values, a bounded number at once', async () => {
  // Prepare
  const stub = stubClient();
  const progress: number[] = [];

  // Act
  const result = await batchWriteItems(stub.client, TABLE, itemsNumbered(160), {
    concurrency: 3,
    onProgress: (n) => progress.push(n),
  });

  // Assess
  expect(stub.sent.map((puts) => puts.length)).toEqual([25, 25, 25, 25, 25, 25, 10]);
  expect(stub.sent[0]?.[0]).toEqual({
    PutRequest: { Item: { PK: { S: 'ITEM#0' }, SK: { S: 'ITEM' }, n: { N: '0' } } },
  });
  expect(new Set(stub.sent.flatMap(pksOf)).size).toBe(160);
  expect(stub.maxInFlight).toBe(3);
  expect(progress.reduce((sum, n) => sum + n, 0)).toBe(160);
  expect(result).toEqual({ written: 160, requests: 7, retries: 0 });
});

test('unprocessed items are sent again, after a jittered, growing wait, until every one is written', async () => {
  // Prepare: the first request leaves 5 items, their retry 2, and the retry of those none
  const stub = stubClient((puts, call) => (call === 0 ? puts.slice(20) : call === 1 ? puts.slice(3) : []));
  const waits: number[] = [];
  const progress: number[] = [];
  jest.spyOn(Math, 'random').mockReturnValue(0.5);

  // Act
  const result = await batchWriteItems(stub.client, TABLE, itemsNumbered(25), {
    baseDelayMs: 100,
    sleep: async (ms) => {
      waits.push(ms);
    },
    onProgress: (n) => progress.push(n),
  });

  // Assess
  expect(stub.sent.map(pksOf)).toEqual([
    itemsNumbered(25).map((item) => item.PK),
    ['ITEM#20', 'ITEM#21', 'ITEM#22', 'ITEM#23', 'ITEM#24'],
    ['ITEM#23', 'ITEM#24'],
  ]);
  // Full jitter: a random share of base × 2^(retry - 1).
  expect(waits).toEqual([50, 100]);
  expect(progress).toEqual([20, 3, 2]);
  expect(result).toEqual({ written: 25, requests: 3, retries: 2 });
});

test('waits never exceed the longest delay', async () => {
  // Prepare
  const stub = stubClient((puts, call) => (call < 6 ? puts.slice(-1) : []));
  const waits: number[] = [];
  jest.spyOn(Math, 'random').mockReturnValue(0.999);

  // Act
  await batchWriteItems(stub.client, TABLE, itemsNumbered(25), {
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    sleep: async (ms) => {
      waits.push(Math.round(ms));
    },
  });

  // Assess
  expect(waits).toEqual([100, 200, 400, 799, 999, 999]);
});

test('a batch that keeps leaving items unprocessed ends in an error that says how many and where', async () => {
  // Prepare: two items of the first batch are never processed; the other batches go through
  const stub = stubClient((puts) => (pksOf(puts).includes('ITEM#24') ? puts.slice(-2) : []));
  const progress: number[] = [];

  // Act
  const written = batchWriteItems(stub.client, TABLE, itemsNumbered(50), {
    concurrency: 1,
    maxAttempts: 4,
    sleep: noWait,
    onProgress: (n) => progress.push(n),
  });

  // Assess
  await expect(written).rejects.toThrow(new UnprocessedItemsError(TABLE, 2, 4, 23, 50).message);
  await expect(written).rejects.toMatchObject({ name: 'UnprocessedItemsError', unprocessed: 2, attempts: 4 });
  expect(new UnprocessedItemsError(TABLE, 2, 4, 23, 50).message).toBe(
    '2 items stayed unprocessed after 4 BatchWriteItem attempts on table "seed-table" (23 of 50 items written): ' +
      'the table is throttling writes; run again later, or with fewer requests in flight',
  );
  // The first batch was tried four times, and no other batch was started after it gave up.
  expect(stub.sent).toHaveLength(4);
  expect(progress).toEqual([23]);
});

test('any other error is thrown as it is, and stops the batches not yet started', async () => {
  // Prepare
  const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const failure = Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' });
  const send = jest.spyOn(client, 'send').mockRejectedValue(failure as never);

  // Act, Assess
  await expect(batchWriteItems(client, TABLE, itemsNumbered(200), { concurrency: 2 })).rejects.toBe(failure);
  expect(send).toHaveBeenCalledTimes(2);
});

test('nothing to write makes no request', async () => {
  const stub = stubClient();
  await expect(batchWriteItems(stub.client, TABLE, [])).resolves.toEqual({ written: 0, requests: 0, retries: 0 });
  expect(stub.sent).toEqual([]);
});
