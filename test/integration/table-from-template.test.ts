import {
  type AttributeValue,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GlobalIndexes, LocalIndexes } from '../../lambdas/model/table-design';
import { createLocalTable, type LocalTable } from '../fixtures/local-table';

/** Sets come back in any order; sort them so that equality means the same members. */
function canonical(item: Record<string, AttributeValue> | undefined): unknown {
  const sortBy = (values: string[]) => [...values].sort();
  const visit = (value: AttributeValue): unknown => {
    if (value.SS) return { SS: sortBy(value.SS) };
    if (value.NS) return { NS: sortBy(value.NS) };
    if (value.BS) return { BS: sortBy(value.BS.map((b) => Buffer.from(b).toString('hex'))) };
    if (value.B) return { B: Buffer.from(value.B).toString('hex') };
    if (value.M) return { M: Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, visit(v)])) };
    if (value.L) return { L: value.L.map(visit) };
    return value;
  };
  return item === undefined ? undefined : Object.fromEntries(Object.entries(item).map(([k, v]) => [k, visit(v)]));
}

describe('the application table in DynamoDB Local, created from the synthesized template', () => {
  let table: LocalTable;

  beforeAll(async () => {
    table = await createLocalTable();
  });

  afterAll(() => table.client.destroy());

  test('has the indexes, projections, stream and TTL the template declares', async () => {
    const { Table } = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
    expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort()).toEqual(
      Object.values(GlobalIndexes)
        .map((g) => g.indexName)
        .sort(),
    );
    expect(Table?.LocalSecondaryIndexes?.map((l) => l.IndexName)).toEqual(
      Object.values(LocalIndexes).map((l) => l.indexName),
    );
    const sharded = Table?.GlobalSecondaryIndexes?.find((g) => g.IndexName === GlobalIndexes.ordersByStatus.indexName);
    expect(sharded?.KeySchema).toEqual([
      { AttributeName: 'statusShard', KeyType: 'HASH' },
      { AttributeName: 'statusSince', KeyType: 'RANGE' },
    ]);
    expect(sharded?.Projection?.ProjectionType).toBe('INCLUDE');
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(Table?.LatestStreamArn).toEqual(expect.any(String));

    const ttl = await table.client.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
  });

  test('round-trips an item holding every attribute type', async () => {
    const key = { PK: { S: 'TEST#types' }, SK: { S: 'ALL' } };
    const item: Record<string, AttributeValue> = {
      ...key,
      string: { S: 'héllo, wörld ✓ 🚀' },
      number: { N: '-12345.678901234567890123456789012345' },
      bigInteger: { N: '99999999999999999999999999999999999999' },
      binary: { B: Uint8Array.from([0, 1, 2, 127, 128, 254, 255]) },
      boolean: { BOOL: false },
      nothing: { NULL: true },
      map: { M: { nested: { S: 'x' }, deeper: { M: { n: { N: '1' }, empty: { M: {} } } } } },
      list: { L: [{ S: 'a' }, { N: '2' }, { BOOL: true }, { NULL: true }, { L: [] }, { M: { k: { S: 'v' } } }] },
      stringSet: { SS: ['b', 'a', 'c'] },
      numberSet: { NS: ['1', '2.5', '-3', '1E+10'] },
      binarySet: { BS: [Uint8Array.from([1]), Uint8Array.from([2, 3])] },
      emptyString: { S: '' },
    };

    await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: item }));
    const { Item } = await table.client.send(
      new GetItemCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
    );

    // DynamoDB normalises numbers: 1E+10 is stored as 10000000000.
    const expected = { ...item, numberSet: { NS: ['1', '2.5', '-3', '10000000000'] } };
    expect(canonical(Item)).toEqual(canonical(expected));
  });
});
