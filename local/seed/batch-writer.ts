/**
 * Bulk puts with BatchWriteItem: 25 items per request (DynamoDB's limit), a few requests in flight,
 * and the items DynamoDB hands back as unprocessed (throttling, or a partition busy) sent again
 * after a full-jitter exponential backoff, a bounded number of times.
 *
 * BatchWriteItem has no conditions and its puts replace whole items: use it to load data, not for
 * anything the app's workflows would guard.
 */
import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

/** DynamoDB's limit of put and delete requests in one BatchWriteItem. */
export const MAX_BATCH_WRITE_ITEMS = 25;

export interface BatchWriteOptions {
  /**
   * Requests in flight at once.
   *
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * Requests per batch of 25, the first one included, before items still unprocessed are an error.
   *
   * @default 10
   */
  readonly maxAttempts?: number;
  /**
   * The wait before the n-th retry is random from 0 to `min(maxDelayMs, baseDelayMs × 2^(n-1))`.
   *
   * @default 50
   */
  readonly baseDelayMs?: number;
  /**
   * The longest wait before a retry.
   *
   * @default 5000
   */
  readonly maxDelayMs?: number;
  /**
   * Called after each request with the number of items it wrote.
   *
   * @default - no progress reports
   */
  readonly onProgress?: (written: number) => void;
  /**
   * How to wait; tests replace it.
   *
   * @default - a timer
   */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface BatchWriteResult {
  /** Items written: every item given. */
  readonly written: number;
  /** BatchWriteItem requests made, retries included. */
  readonly requests: number;
  /** Requests that only resent unprocessed items. */
  readonly retries: number;
}

/** Items that DynamoDB still left unprocessed after every attempt. */
export class UnprocessedItemsError extends Error {
  constructor(
    readonly tableName: string,
    /** Items of the failed batch that were never written. */
    readonly unprocessed: number,
    readonly attempts: number,
    /** Items written before the writer stopped, out of `total`. */
    readonly written: number,
    readonly total: number,
  ) {
    super(
      `${unprocessed} ${unprocessed === 1 ? 'item' : 'items'} stayed unprocessed after ${attempts} BatchWriteItem ` +
        `attempts on table "${tableName}" (${written} of ${total} items written): the table is throttling writes; ` +
        'run again later, or with fewer requests in flight',
    );
    this.name = 'UnprocessedItemsError';
  }
}

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function assertWhole(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be a whole number of at least ${min}; got ${value}`);
  }
}

/**
 * Run `task` for each value, at most `concurrency` at once, in the order given. On the first
 * failure no further task starts; the ones running are awaited, then the failure is thrown.
 */
export async function forEachConcurrently<T>(
  values: readonly T[],
  concurrency: number,
  task: (value: T) => Promise<void>,
): Promise<void> {
  assertWhole('concurrency', concurrency, 1);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < values.length) {
      const value = values[next++] as T;
      try {
        await task(value);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(concurrency, values.length) }, worker));
  const rejected = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (rejected !== undefined) throw rejected.reason;
}

/** Marks a batch that ran out of attempts, until the totals for the error message are known. */
class BatchGaveUp {
  constructor(
    readonly unprocessed: number,
    readonly attempts: number,
  ) {}
}

/**
 * Put every item into the table (each replaces any item with its key).
 *
 * @throws UnprocessedItemsError when a batch still has unprocessed items after `maxAttempts` requests
 */
export async function batchWriteItems(
  client: DynamoDBClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
  options: BatchWriteOptions = {},
): Promise<BatchWriteResult> {
  const { concurrency = 4, maxAttempts = 10, baseDelayMs = 50, maxDelayMs = 5_000, onProgress } = options;
  const sleep = options.sleep ?? timer;
  assertWhole('maxAttempts', maxAttempts, 1);

  const batches: (readonly Record<string, unknown>[])[] = [];
  for (let i = 0; i < items.length; i += MAX_BATCH_WRITE_ITEMS) batches.push(items.slice(i, i + MAX_BATCH_WRITE_ITEMS));
  let written = 0;
  let requests = 0;
  let retries = 0;

  const writeBatch = async (batch: readonly Record<string, unknown>[]) => {
    let pending: WriteRequest[] = batch.map((item) => ({
      PutRequest: { Item: marshall(item, { removeUndefinedValues: true }) },
    }));
    for (let attempt = 1; ; attempt++) {
      requests++;
      const { UnprocessedItems } = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }),
      );
      const left = UnprocessedItems?.[tableName] ?? [];
      const done = pending.length - left.length;
      written += done;
      if (done > 0) onProgress?.(done);
      if (left.length === 0) return;
      if (attempt >= maxAttempts) throw new BatchGaveUp(left.length, attempt);
      retries++;
      await sleep(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
      pending = left;
    }
  };

  try {
    await forEachConcurrently(batches, concurrency, writeBatch);
  } catch (error) {
    if (!(error instanceof BatchGaveUp)) throw error;
    throw new UnprocessedItemsError(tableName, error.unprocessed, error.attempts, written, items.length);
  }
  return { written, requests, retries };
}
