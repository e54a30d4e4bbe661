import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_AWS } from '../../local/engines/dynamodb-local';
import { StreamReader, streamsClient } from '../../local/streams/stream-reader';
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
