/**
 * The table as the console shows it: its keys and indexes from the model (lambdas/model/
 * table-design.ts, which the CDK table is built from), and how many items the table and each index
 * hold, from DescribeTable. DynamoDB Local keeps those counts exact; AWS updates them about every
 * six hours.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GlobalIndexes, type IndexProjection, LocalIndexes, TableKeys } from '../../../lambdas/model/table-design';

export interface IndexShape {
  readonly name: string;
  readonly kind: 'GSI' | 'LSI';
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly projection: IndexProjection;
  readonly purpose: string;
}

export interface TableShape {
  readonly tableName: string;
  readonly indexes: readonly IndexShape[];
  /** The partition and sort key attributes of the table, or of an index. */
  keysOf(index?: string): { readonly partitionKey: string; readonly sortKey: string };
}

export const INDEXES: readonly IndexShape[] = [
  ...Object.values(GlobalIndexes).map((g) => ({
    name: g.indexName,
    kind: 'GSI' as const,
    partitionKey: g.partitionKey.name,
    sortKey: g.sortKey.name,
    projection: g.projection,
    purpose: g.purpose,
  })),
  ...Object.values(LocalIndexes).map((l) => ({
    name: l.indexName,
    kind: 'LSI' as const,
    partitionKey: TableKeys.partitionKey.name,
    sortKey: l.sortKey.name,
    projection: l.projection,
    purpose: l.purpose,
  })),
];

export function tableShape(tableName: string): TableShape {
  return {
    tableName,
    indexes: INDEXES,
    keysOf(index) {
      const found = index === undefined ? undefined : INDEXES.find((i) => i.name === index);
      return found === undefined
        ? { partitionKey: TableKeys.partitionKey.name, sortKey: TableKeys.sortKey.name }
        : { partitionKey: found.partitionKey, sortKey: found.sortKey };
    },
  };
}

/** Items in the table and in each index, as DescribeTable reports them. */
export async function itemCounts(client: DynamoDBClient, tableName: string) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const indexes = [...(Table?.GlobalSecondaryIndexes ?? []), ...(Table?.LocalSecondaryIndexes ?? [])];
  return {
    table: Table?.ItemCount ?? 0,
    indexes: Object.fromEntries(indexes.map((i) => [i.IndexName ?? '', i.ItemCount ?? 0])),
  };
}
