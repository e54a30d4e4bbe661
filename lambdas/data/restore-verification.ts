/**
 * Verify a restored copy of the single table: count its items per entity type, probe every index,
 * and compare canary orders with the source. The rules are in lambdas/model/restore-check.ts; this
 * module reads the tables.
 *
 * It takes its DynamoDB client as an argument instead of using the functions' singleton
 * (client.ts), because two callers share it: the restore command (tools/restore/), run by a person
 * with their own credentials and endpoint, and the restore drill's validation function
 * (lambdas/handlers/backup/validate-restore.ts). Items are read as DynamoDB JSON, so that a
 * comparison sees every type exactly as stored.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { orderWithLinesQuery, statusShardKeys } from '../model/keys';
import {
  CANARY_MARGIN_MS,
  type CanaryResult,
  type CountReference,
  type EntityCounts,
  FINAL_ORDER_STATUSES,
  type IndexProbe,
  judgeCounts,
  type RestoreCheck,
  restoreVerdict,
  UNTYPED,
} from '../model/restore-check';
import { Attr, GlobalIndexes, type KeyAttribute, LocalIndexes, TableKeys } from '../model/table-design';

type Item = Record<string, AttributeValue>;

/** An index as a probe needs it: its name and key attributes. */
interface IndexKeys {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
}

/** Every index of the design, the local ones with the table's partition key. */
export const TABLE_INDEXES: readonly IndexKeys[] = [
  ...Object.values(GlobalIndexes),
  ...Object.values(LocalIndexes).map((index) => ({ ...index, partitionKey: TableKeys.partitionKey })),
];

/** What one pass over a table learns: counts per entity type, and one item per index that carries its keys. */
export interface TableCensus {
  readonly counts: EntityCounts;
  /** Per index name, the key attributes (table and index keys) of one item that the index holds. */
  readonly indexSamples: Readonly<Record<string, Item>>;
  readonly items: number;
}

const KEY_NAMES = [
  ...new Set([
    TableKeys.partitionKey.name,
    TableKeys.sortKey.name,
    Attr.entityType,
    ...TABLE_INDEXES.flatMap((index) => [index.partitionKey.name, index.sortKey.name]),
  ]),
];

/**
 * Scan a table once, in parallel segments, reading only keys and `entityType`.
 *
 * @param segments parallel Scan segments (DynamoDB splits the table among them)
 * @param onProgress called after each page with the items counted so far
 */
export async function takeCensus(
  client: DynamoDBClient,
  tableName: string,
  options: { readonly segments?: number; readonly onProgress?: (items: number) => void } = {},
): Promise<TableCensus> {
  const segments = options.segments ?? 4;
  const counts: Record<string, number> = {};
  const indexSamples: Record<string, Item> = {};
  let items = 0;
  const names = Object.fromEntries(KEY_NAMES.map((name, i) => [`#a${i}`, name]));
  const scanSegment = async (segment: number): Promise<void> => {
    let start: Item | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          Segment: segment,
          TotalSegments: segments,
          ProjectionExpression: Object.keys(names).join(', '),
          ExpressionAttributeNames: names,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const type = item[Attr.entityType]?.S ?? UNTYPED;
        counts[type] = (counts[type] ?? 0) + 1;
        for (const index of TABLE_INDEXES) {
          if (indexSamples[index.indexName] !== undefined) continue;
          if (item[index.partitionKey.name] !== undefined && item[index.sortKey.name] !== undefined) {
            indexSamples[index.indexName] = item;
          }
        }
      }
      items += page.Items?.length ?? 0;
      options.onProgress?.(items);
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  };
  await Promise.all(Array.from({ length: segments }, (_, segment) => scanSegment(segment)));
  return { counts, indexSamples, items };
}

const same = (a: AttributeValue | undefined, b: AttributeValue | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** Query each index for the item the census saw carrying its keys (or, for an index no item is in, for nothing). */
export async function probeIndexes(
  client: DynamoDBClient,
  tableName: string,
  census: TableCensus,
): Promise<IndexProbe[]> {
  return Promise.all(
    TABLE_INDEXES.map(async (index): Promise<IndexProbe> => {
      const sample = census.indexSamples[index.indexName];
      const keyValue = (key: KeyAttribute): AttributeValue =>
        sample?.[key.name] ?? (key.type === 'N' ? { N: '0' } : { S: '__restore-probe__' });
      try {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: index.indexName,
            KeyConditionExpression: '#p = :p AND #s = :s',
            ExpressionAttributeNames: { '#p': index.partitionKey.name, '#s': index.sortKey.name },
            ExpressionAttributeValues: { ':p': keyValue(index.partitionKey), ':s': keyValue(index.sortKey) },
          }),
        );
        if (sample === undefined) {
          return { indexName: index.indexName, answered: true, detail: 'answered; no item carries its keys' };
        }
        const found = (page.Items ?? []).some(
          (item) =>
            same(item[TableKeys.partitionKey.name], sample[TableKeys.partitionKey.name]) &&
            same(item[TableKeys.sortKey.name], sample[TableKeys.sortKey.name]),
        );
        return {
          indexName: index.indexName,
          answered: true,
          found,
          detail: found
            ? `answered with the probed item (${sample[TableKeys.partitionKey.name]?.S} ${sample[TableKeys.sortKey.name]?.S})`
            : 'answered, but without an item the table holds with its keys',
        };
      } catch (error) {
        return { indexName: index.indexName, answered: false, detail: `Query failed: ${(error as Error).message}` };
      }
    }),
  );
}

async function queryAll(client: DynamoDBClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/** An order and its lines, sorted by sort key, read consistently. */
function readOrderWithLines(client: DynamoDBClient, tableName: string, customerId: string, orderId: string) {
  const query = orderWithLinesQuery(customerId, orderId);
  if (!('between' in query.sortKey)) throw new Error('orderWithLinesQuery is expected to be a range');
  return queryAll(client, {
    TableName: tableName,
    ConsistentRead: true,
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
    ExpressionAttributeNames: { '#pk': TableKeys.partitionKey.name, '#sk': TableKeys.sortKey.name },
    ExpressionAttributeValues: {
      ':pk': { S: query.partition },
      ':from': { S: query.sortKey.between[0] },
      ':to': { S: query.sortKey.between[1] },
    },
  });
}

/** Maps sorted by key, sets sorted, so that equal items have equal text. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return Object.fromEntries(
      entries.map(([k, v]) => [k, k === 'SS' || k === 'NS' ? [...(v as string[])].sort() : canonical(v)]),
    );
  }
  return value;
}

/**
 * Orders of the source that reached a final status before `before`, newest first, a few per status
 * shard, found through the status index.
 */
export async function pickCanaryOrders(
  client: DynamoDBClient,
  sourceTable: string,
  options: { readonly before: Date; readonly statusShards: number; readonly perShard?: number },
): Promise<{ customerId: string; orderId: string }[]> {
  const index = GlobalIndexes.ordersByStatus;
  const orders: { customerId: string; orderId: string }[] = [];
  for (const status of FINAL_ORDER_STATUSES) {
    for (const shard of statusShardKeys(status, options.statusShards)) {
      const page = await client.send(
        new QueryCommand({
          TableName: sourceTable,
          IndexName: index.indexName,
          KeyConditionExpression: '#p = :p AND #s < :before',
          ExpressionAttributeNames: { '#p': index.partitionKey.name, '#s': index.sortKey.name },
          ExpressionAttributeValues: { ':p': { S: shard }, ':before': { S: options.before.toISOString() } },
          ScanIndexForward: false,
          Limit: options.perShard ?? 1,
        }),
      );
      for (const item of page.Items ?? []) {
        const customerId = item.customerId?.S;
        const orderId = item.orderId?.S;
        if (customerId !== undefined && orderId !== undefined) orders.push({ customerId, orderId });
      }
    }
  }
  return orders;
}

/** Compare each canary order, with its lines, between the source and the restored table. */
export async function compareCanaries(
  client: DynamoDBClient,
  sourceTable: string,
  restoredTable: string,
  orders: readonly { customerId: string; orderId: string }[],
): Promise<CanaryResult[]> {
  return Promise.all(
    orders.map(async ({ customerId, orderId }): Promise<CanaryResult> => {
      const [source, restored] = await Promise.all([
        readOrderWithLines(client, sourceTable, customerId, orderId),
        readOrderWithLines(client, restoredTable, customerId, orderId),
      ]);
      const key = `order ${orderId} of customer ${customerId} (${source.length} items)`;
      if (restored.length === 0) return { key, verdict: 'missing' };
      const text = (items: Item[]) => JSON.stringify(canonical(items));
      return { key, verdict: text(source) === text(restored) ? 'same' : 'differs' };
    }),
  );
}

export interface VerifyRestoreOptions {
  readonly client: DynamoDBClient;
  readonly restoredTable: string;
  /** The table the restore was made from, as it is now: the canaries' source, and the default reference. */
  readonly sourceTable: string;
  /** The instant the restored data is from: the point in time, or the backup's creation. */
  readonly recoveryPoint: Date;
  /** Write shards of the status index, from the stage configuration. */
  readonly statusShards: number;
  readonly tolerancePercent: number;
  /**
   * Counts the restored table must hold exactly (a known data set, or counts taken at the recovery
   * point).
   *
   * @default - the source table's counts now, judged with the tolerance
   */
  readonly expectedCounts?: { readonly label: string; readonly counts: EntityCounts };
  /** Called with a line of progress. */
  readonly onProgress?: (message: string) => void;
}

/** Count, probe and compare: the whole verification of a restored table. */
export async function verifyRestoredTable(options: VerifyRestoreOptions): Promise<RestoreCheck> {
  const { client } = options;
  const progress = options.onProgress ?? (() => {});
  progress(`Counting items in ${options.restoredTable}`);
  const census = await takeCensus(client, options.restoredTable);
  let reference: CountReference;
  if (options.expectedCounts === undefined) {
    progress(`Counting items in the source ${options.sourceTable}`);
    const source = await takeCensus(client, options.sourceTable);
    reference = { kind: 'source', label: `the source table ${options.sourceTable} now`, counts: source.counts };
  } else {
    reference = { kind: 'exact', ...options.expectedCounts };
  }
  progress('Probing every index');
  const indexes = await probeIndexes(client, options.restoredTable, census);
  progress('Comparing canary orders with the source');
  const orders = await pickCanaryOrders(client, options.sourceTable, {
    before: new Date(options.recoveryPoint.getTime() - CANARY_MARGIN_MS),
    statusShards: options.statusShards,
  });
  const canaries = await compareCanaries(client, options.sourceTable, options.restoredTable, orders);
  return restoreVerdict({
    reference,
    tolerancePercent: options.tolerancePercent,
    counts: judgeCounts(census.counts, reference, options.tolerancePercent),
    indexes,
    canaries,
  });
}
