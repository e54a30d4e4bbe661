/**
 * How Lambda delivers a stream shard's records to a function, for the local stream pump: filter,
 * batch in order, and on failure honour partial batch responses (resume from the lowest failed
 * sequence number), bisect the batch when configured, retry up to the mapping's limit, and then
 * describe the failed batch to the on-failure destination and move on, so that one poison record
 * never blocks the shard.
 */

import type { DynamoDBRecord as StreamRecord } from 'aws-lambda';
import { type FilterPattern, matchesFilters } from './filter-criteria';

/** The settings of an event source mapping that shape delivery. */
export interface DeliverySettings {
  readonly batchSize: number;
  readonly bisectBatchOnFunctionError: boolean;
  /** Retries after the first attempt; -1 retries until the records expire. */
  readonly maximumRetryAttempts: number;
  readonly reportBatchItemFailures: boolean;
  readonly filters: readonly FilterPattern[];
}

/** What Lambda adds to a stream event when the mapping has a tumbling window. */
export interface WindowFields {
  readonly shardId: string;
  readonly eventSourceARN: string;
  readonly window: { readonly start: string; readonly end: string };
  /** What the function returned last in this window: `{}` at its start. */
  readonly state: Readonly<Record<string, unknown>>;
  readonly isFinalInvokeForWindow: boolean;
  readonly isWindowTerminatedEarly: boolean;
}

export interface StreamEvent extends Partial<WindowFields> {
  readonly Records: StreamRecord[];
}

export interface BatchResponse {
  readonly batchItemFailures?: readonly { readonly itemIdentifier: string }[];
  /** With a tumbling window: the state to pass to the next invocation of the window. */
  readonly state?: Readonly<Record<string, unknown>>;
}

/** The function behind the mapping. */
export type StreamConsumer = (event: StreamEvent) => Promise<BatchResponse | undefined>;

/** What Lambda sends to an on-failure destination for a stream batch it gave up on. */
export interface FailedBatch {
  readonly requestContext: { readonly condition: 'RetryAttemptsExhausted'; readonly approximateInvokeCount: number };
  readonly responseContext: { readonly functionError: 'Unhandled' | 'PartialBatchFailure'; readonly message: string };
  readonly DDBStreamBatchInfo: {
    readonly shardId: string;
    readonly streamArn: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly batchSize: number;
  };
}

export interface DeliveryReport {
  readonly delivered: number;
  readonly filteredOut: number;
  readonly invocations: number;
  readonly failedBatches: FailedBatch[];
}

const sequenceOf = (record: StreamRecord) => record.dynamodb?.SequenceNumber ?? '';

/**
 * Deliver one shard's records, in order, as the mapping would. `onBatchDone` hears the sequence
 * number of each batch's last record once that batch is done with (handled, or given up on and
 * described to the failure destination): where Lambda would checkpoint.
 */
export async function deliverShardRecords(
  records: readonly StreamRecord[],
  settings: DeliverySettings,
  consumer: StreamConsumer,
  onFailure: (failure: FailedBatch) => Promise<void>,
  source: { readonly shardId: string; readonly streamArn: string },
  onBatchDone?: (sequenceNumber: string) => void,
): Promise<DeliveryReport> {
  const matching = records.filter((record) => matchesFilters(settings.filters, record));
  let invocations = 0;
  const failedBatches: FailedBatch[] = [];

  const giveUp = async (
    batch: StreamRecord[],
    functionError: FailedBatch['responseContext']['functionError'],
    message: string,
    invokeCount: number,
  ) => {
    const failure: FailedBatch = {
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: invokeCount },
      responseContext: { functionError, message },
      DDBStreamBatchInfo: {
        ...source,
        startSequenceNumber: sequenceOf(batch[0] as StreamRecord),
        endSequenceNumber: sequenceOf(batch[batch.length - 1] as StreamRecord),
        batchSize: batch.length,
      },
    };
    failedBatches.push(failure);
    await onFailure(failure);
  };

  /** Deliver a batch until it succeeds, its retries run out, or it is split. */
  const deliver = async (batch: StreamRecord[], retriesLeft: number, invokeCount = 0): Promise<void> => {
    if (batch.length === 0) return;
    invocations += 1;
    let response: BatchResponse | undefined;
    try {
      response = await consumer({ Records: batch });
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (settings.bisectBatchOnFunctionError && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await deliver(batch.slice(0, half), retriesLeft);
        await deliver(batch.slice(half), retriesLeft);
        return;
      }
      if (retriesLeft !== 0) return deliver(batch, retriesLeft - 1, invokeCount + 1);
      return giveUp(batch, 'Unhandled', message, invokeCount + 1);
    }
    const failures = settings.reportBatchItemFailures ? (response?.batchItemFailures ?? []) : [];
    if (failures.length === 0) return;
    // Lambda resumes from the lowest failed sequence number; everything before it counts as done.
    const failed = new Set(failures.map((f) => f.itemIdentifier));
    const first = batch.findIndex((record) => failed.has(sequenceOf(record)));
    const rest = first < 0 ? batch : batch.slice(first);
    if (retriesLeft !== 0) return deliver(rest, retriesLeft - 1, invokeCount + 1);
    return giveUp(rest, 'PartialBatchFailure', `${failures.length} records reported as failed`, invokeCount + 1);
  };

  for (let i = 0; i < matching.length; i += settings.batchSize) {
    const batch = matching.slice(i, i + settings.batchSize);
    await deliver(batch, settings.maximumRetryAttempts);
    onBatchDone?.(sequenceOf(batch[batch.length - 1] as StreamRecord));
  }
  return { delivered: matching.length, filteredOut: records.length - matching.length, invocations, failedBatches };
}
