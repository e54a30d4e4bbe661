/**
 * Capacity accounting: every DynamoDB call made through this layer asks DynamoDB for the capacity
 * it consumed (`ReturnConsumedCapacity: TOTAL`) and adds it to the meter of the current async
 * scope, if one is open. Handlers publish the totals as metrics; tests and benchmarks compare them
 * with the figures in docs/access-patterns.md.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';

/** One request as the meter saw it: the operation, the index it read and its consistency. */
export interface MeteredRequest {
  /** The DynamoDB operation, e.g. `Query`. */
  readonly operation: string;
  readonly index?: string;
  readonly consistent?: boolean;
  /**
   * The kinds of item a transaction holds (`Put`, `Update`, `Delete`, `ConditionCheck`, `Get`), each
   * once, sorted: IAM authorizes a transaction item by item, as the single-item action of its kind.
   * Absent for other operations.
   */
  readonly items?: readonly string[];
  /**
   * Answered by the DAX cluster rather than the table: no capacity is reported to the caller (a
   * hit consumes none; a miss is read by DAX with its own role). Absent for table requests.
   */
  readonly via?: 'DAX';
}

/** Capacity units consumed in one scope, split by reads and writes. */
export interface CapacityUsage {
  readCapacityUnits: number;
  writeCapacityUnits: number;
  /** DynamoDB requests made, retries of unprocessed items included; reads answered by DAX are not. */
  requests: number;
  /** Each request made, in order. */
  readonly made: MeteredRequest[];
}

const READ_OPERATIONS = new Set([
  'GetItemCommand',
  'BatchGetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'TransactGetItemsCommand',
]);
const WRITE_OPERATIONS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

const meters = new AsyncLocalStorage<CapacityUsage>();

/** Whether DynamoDB can report capacity for this command (the base client's command name). */
export const reportsCapacity = (commandName: string): boolean =>
  READ_OPERATIONS.has(commandName) || WRITE_OPERATIONS.has(commandName);

/** The parts of a request's input that say what it reads. */
interface RequestInput {
  readonly IndexName?: string;
  readonly ConsistentRead?: boolean;
  readonly TransactItems?: readonly Readonly<Record<string, unknown>>[];
}

/** The kinds of item of a transaction, each once, sorted. */
const itemKinds = (items: readonly Readonly<Record<string, unknown>>[]): string[] =>
  [...new Set(items.flatMap((item) => Object.keys(item)))].sort();

/** Add what one response reports to the open meter. */
export function recordCapacity(
  commandName: string,
  consumed: ConsumedCapacity | ConsumedCapacity[] | undefined,
  input: RequestInput = {},
): void {
  const meter = meters.getStore();
  if (meter === undefined) return;
  meter.requests += 1;
  meter.made.push({
    operation: commandName.replace(/Command$/, ''),
    ...(input.IndexName === undefined ? {} : { index: input.IndexName }),
    ...(input.ConsistentRead === true ? { consistent: true } : {}),
    ...(input.TransactItems === undefined ? {} : { items: itemKinds(input.TransactItems) }),
  });
  const units = (Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed]).reduce(
    (sum, c) => sum + (c.CapacityUnits ?? 0),
    0,
  );
  if (WRITE_OPERATIONS.has(commandName)) meter.writeCapacityUnits += units;
  else meter.readCapacityUnits += units;
}

/**
 * Note a read that the DAX cluster answered: in the meter's list of requests, with no capacity and
 * not counted among the table's requests.
 */
export function recordCacheRead(operation: string, input: RequestInput = {}): void {
  meters.getStore()?.made.push({
    operation,
    ...(input.IndexName === undefined ? {} : { index: input.IndexName }),
    via: 'DAX',
  });
}

/** Run `work` with a fresh meter and return its result with the capacity it consumed. */
export async function metered<T>(work: () => Promise<T>): Promise<{ result: T; usage: CapacityUsage }> {
  const usage: CapacityUsage = { readCapacityUnits: 0, writeCapacityUnits: 0, requests: 0, made: [] };
  const result = await meters.run(usage, work);
  return { result, usage };
}
