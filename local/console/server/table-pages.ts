/**
 * Pages of the table, or of one of its indexes, for the console: items grouped by partition key
 * with their sort keys in order, read from DynamoDB Local page by page (Scan with `Limit` and
 * `ExclusiveStartKey`, never the whole table at once), and the request that read them.
 *
 * A search by partition-key prefix is a Scan with a `begins_with` filter: DynamoDB cannot look up
 * a key prefix any other way, and the page says so, with how many items it read to find the ones it
 * shows. Each search request reads at most `SCAN_BUDGET` items and returns a cursor to go on.
 */
import { type AttributeValue, type DynamoDBClient, ScanCommand, type ScanCommandInput } from '@aws-sdk/client-dynamodb';
import { TableKeys } from '../../../lambdas/model/table-design';
import { type Plain, plainItem } from './attribute-values';
import { entityTypeOfKey } from './entity-of-key';
import type { TableShape } from './table-shape';

/** Items a prefix search may read per request before it answers with what it found so far. */
export const SCAN_BUDGET = 5_000;

export interface PageRequest {
  readonly index?: string;
  readonly prefix?: string;
  readonly limit: number;
  readonly startKey?: Record<string, AttributeValue>;
}

export interface Partition {
  readonly partitionKey: string;
  readonly items: readonly {
    readonly sortKey: string;
    readonly entityType: string;
    readonly item: Record<string, Plain>;
  }[];
}

export interface ItemsPage {
  readonly partitions: readonly Partition[];
  readonly itemCount: number;
  readonly lastKey?: Record<string, AttributeValue>;
  /** The request made, as the page shows it. */
  readonly request: {
    readonly operation: 'Scan';
    readonly index?: string;
    readonly limit: number;
    readonly filter?: string;
    readonly calls: number;
    readonly scannedCount: number;
    readonly consumedReadUnits: number;
  };
}

const text = (value: Plain | undefined): string => (value === undefined || value === null ? '' : String(value));

/** Consecutive items of one partition key, in the order the Scan gave them (sort key order within one). */
export function groupByPartition(
  items: readonly Record<string, Plain>[],
  keys: { readonly partitionKey: string; readonly sortKey: string },
): Partition[] {
  const partitions: { partitionKey: string; items: Partition['items'][number][] }[] = [];
  for (const item of items) {
    const partitionKey = text(item[keys.partitionKey]);
    const entityType =
      text(item.entityType) ||
      entityTypeOfKey(text(item[TableKeys.partitionKey.name]), text(item[TableKeys.sortKey.name]));
    const entry = { sortKey: text(item[keys.sortKey]), entityType: entityType ?? 'unknown', item };
    const last = partitions[partitions.length - 1];
    if (last?.partitionKey === partitionKey) last.items.push(entry);
    else partitions.push({ partitionKey, items: [entry] });
  }
  return partitions;
}

/** One page of the table or an index. */
export async function readPage(client: DynamoDBClient, shape: TableShape, request: PageRequest): Promise<ItemsPage> {
  const keys = shape.keysOf(request.index);
  const input: ScanCommandInput = {
    TableName: shape.tableName,
    ...(request.index === undefined ? {} : { IndexName: request.index }),
    ReturnConsumedCapacity: 'TOTAL',
    ...(request.prefix === undefined
      ? {}
      : {
          FilterExpression: 'begins_with(#pk, :prefix)',
          ExpressionAttributeNames: { '#pk': keys.partitionKey },
          ExpressionAttributeValues: { ':prefix': { S: request.prefix } },
        }),
  };
  const found: Record<string, Plain>[] = [];
  let startKey = request.startKey;
  let calls = 0;
  let scannedCount = 0;
  let consumedReadUnits = 0;
  do {
    const page = await client.send(
      new ScanCommand({
        ...input,
        Limit: request.limit - found.length,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      }),
    );
    calls += 1;
    scannedCount += page.ScannedCount ?? 0;
    consumedReadUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
    found.push(...(page.Items ?? []).map((item) => plainItem(item)));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined && found.length < request.limit && scannedCount < SCAN_BUDGET);
  return {
    partitions: groupByPartition(found, keys),
    itemCount: found.length,
    ...(startKey === undefined ? {} : { lastKey: startKey }),
    request: {
      operation: 'Scan',
      ...(request.index === undefined ? {} : { index: request.index }),
      limit: request.limit,
      ...(request.prefix === undefined ? {} : { filter: `begins_with(${keys.partitionKey}, "${request.prefix}")` }),
      calls,
      scannedCount,
      consumedReadUnits,
    },
  };
}
