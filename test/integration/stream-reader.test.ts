import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StreamMapping } from '../../local/emulation/streams/mappings';
import { StreamPump } from '../../local/emulation/streams/pump';
import { StreamReader, streamsClient } from '../../local/emulation/streams/stream-reader';
import { LOCAL_AWS } from '../../local/engines/dynamodb-local';
import { dynamoDbEndpoint } from '../fixtures/engines';
import { createLocalTable, type LocalTable } from '../fixtures/local-table';

let table: LocalTable;
let documents: DynamoDBDocumentClient;
let streamArn: string;

beforeAll(async () => {
  table = await createLocalTable();
  documents = DynamoDBDocumentClient.from(table.client);
  const { Table } = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
  streamArn = Table?.LatestStreamArn ?? '';
});

afterAll(() => table.client.destroy());

test('reads every change from the real stream, in order, with new and old images', async () => {
  const client = streamsClient({ ...LOCAL_AWS, endpoint: dynamoDbEndpoint() });
  const reader = new StreamReader({ streamArn, client });
  const key = { PK: 'STREAM#1', SK: 'A' };
  await documents.send(new PutCommand({ TableName: table.tableName, Item: { ...key, n: 1 } }));
  await documents.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: key,
      UpdateExpression: 'SET n = :n',
      ExpressionAttributeValues: { ':n': 2 },
    }),
  );
  await documents.send(new DeleteCommand({ TableName: table.tableName, Key: key }));

  const records = await reader.poll();
  expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
  expect(records[1]?.dynamodb).toMatchObject({ OldImage: { n: { N: '1' } }, NewImage: { n: { N: '2' } } });
  expect(records[2]?.dynamodb?.OldImage).toMatchObject({ n: { N: '2' } });
  // DynamoDB Local stamps records to the minute (AWS: to the second), which the pump's tumbling
  // windows allow for (local/emulation/streams/tumbling-windows.ts, withinStampedMinute).
  for (const record of records) expect((record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? 1) % 60_000).toBe(0);
  const sequence = records.map((r) => BigInt(r.dynamodb?.SequenceNumber ?? '0'));
  expect(sequence).toEqual([...sequence].sort((a, b) => (a < b ? -1 : 1)));

  expect(await reader.poll()).toEqual([]);
  await documents.send(new PutCommand({ TableName: table.tableName, Item: { PK: 'STREAM#2', SK: 'A' } }));
  expect((await reader.poll()).map((r) => r.dynamodb?.Keys?.PK?.S)).toEqual(['STREAM#2']);
  client.destroy();
});

test('LATEST skips what was written before reading began', async () => {
  await documents.send(new PutCommand({ TableName: table.tableName, Item: { PK: 'STREAM#3', SK: 'A' } }));
  const client = streamsClient({ ...LOCAL_AWS, endpoint: dynamoDbEndpoint() });
  const reader = new StreamReader({ streamArn, client, startingPosition: 'LATEST' });
  expect(await reader.poll()).toEqual([]);
  await documents.send(new PutCommand({ TableName: table.tableName, Item: { PK: 'STREAM#4', SK: 'A' } }));
  expect((await reader.poll()).map((r) => r.dynamodb?.Keys?.PK?.S)).toEqual(['STREAM#4']);
  client.destroy();
});

describe('checkpoints', () => {
  const put = (pk: string) => documents.send(new PutCommand({ TableName: table.tableName, Item: { PK: pk, SK: 'A' } }));
  const keysOf = (records: { dynamodb?: { Keys?: Record<string, { S?: string }> } }[]) =>
    records.map((r) => r.dynamodb?.Keys?.PK?.S);

  test('a reader resumes after the positions of a checkpoint, and from the start of shards it lacks', async () => {
    const client = streamsClient({ ...LOCAL_AWS, endpoint: dynamoDbEndpoint() });
    const first = new StreamReader({ streamArn, client, startingPosition: 'LATEST' });
    await first.poll();
    await put('CHECKPOINT#1');
    await put('CHECKPOINT#2');
    expect(keysOf(await first.poll())).toEqual(['CHECKPOINT#1', 'CHECKPOINT#2']);
    const checkpoint = first.positions();
    expect(Object.keys(checkpoint).length).toBeGreaterThan(0);

    await put('CHECKPOINT#3');
    const resumed = new StreamReader({ streamArn, client, startingPosition: 'LATEST', resumeAfter: checkpoint });
    expect(keysOf(await resumed.poll())).toEqual(['CHECKPOINT#3']);

    // An empty checkpoint names no shard: every shard is read from its start.
    const fromStart = new StreamReader({ streamArn, client, startingPosition: 'LATEST', resumeAfter: {} });
    expect(keysOf(await fromStart.poll())).toContain('CHECKPOINT#1');
    client.destroy();
  });

  test('a pump reports each batch as done, and a pump resumed from its checkpoints delivers only what followed', async () => {
    const client = streamsClient({ ...LOCAL_AWS, endpoint: dynamoDbEndpoint() });
    const mapping: StreamMapping = {
      logicalId: 'Mapping',
      functionLogicalId: 'Function',
      startingPosition: 'LATEST',
      maximumBatchingWindowInSeconds: 0,
      tumblingWindowInSeconds: 0,
      delivery: {
        batchSize: 2,
        bisectBatchOnFunctionError: false,
        maximumRetryAttempts: 0,
        reportBatchItemFailures: true,
        // Only the pump's own records: the other tests of this file write to the same stream.
        filters: [{ dynamodb: { Keys: { PK: { S: [{ prefix: 'PUMPED#' }] } } } }],
      },
    };
    const pumpWith = (delivered: string[], saved: Record<string, string>, resumeAfter?: Record<string, string>) =>
      new StreamPump({
        streamArn,
        client,
        region: LOCAL_AWS.region,
        mappings: [
          {
            mapping,
            consumer: async (event) => {
              delivered.push(...event.Records.map((r) => r.dynamodb?.Keys?.PK?.S ?? ''));
              return { batchItemFailures: [] };
            },
            onFailure: async () => undefined,
            onCheckpoint: (shardId, sequence) => {
              saved[shardId] = sequence;
            },
            ...(resumeAfter === undefined ? {} : { resumeAfter }),
          },
        ],
      });

    const firstDelivered: string[] = [];
    const checkpoint: Record<string, string> = {};
    const first = pumpWith(firstDelivered, checkpoint);
    await first.drain();
    for (const n of [1, 2, 3]) await put(`PUMPED#${n}`);
    await first.drain();
    expect(firstDelivered).toEqual(['PUMPED#1', 'PUMPED#2', 'PUMPED#3']);

    await put('PUMPED#4');
    await put('OTHER#1');
    const resumedDelivered: string[] = [];
    await pumpWith(resumedDelivered, { ...checkpoint }, { ...checkpoint }).drain();
    expect(resumedDelivered).toEqual(['PUMPED#4']);
    client.destroy();
  });
});
