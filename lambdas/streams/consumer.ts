/**
 * The one way every stream consumer runs: the Powertools batch processor around a per-record
 * handler, partial batch responses (so Lambda retries from the first failed record instead of the
 * whole batch), logs and metrics per record, and a choice of ordering.
 *
 * - `in-order`: records are handled one by one, and at the first failure the rest of the batch is
 *   held back (reported as failed without being handled). Lambda then retries from the failed
 *   record; if it fails again as the first of its batch, the whole batch has failed, the function
 *   returns an error, and Lambda bisects the batch until the bad record is alone. So a poison
 *   record reaches the failure queue by itself, every other record is handled once and in stream
 *   order, and nothing overtakes a record that is being retried. Right for events whose order
 *   matters and for writes to shared items (one writer, no transaction conflicts).
 * - `unordered`: records are handled concurrently. Right for independent, idempotent effects
 *   (objects written under deterministic keys). A retry from a failed record also repeats the
 *   later records of its batch.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { instrumented, logger, metrics } from '../shared/observability';
import type { DynamoDBRecord } from './records';
import { MalformedRecordError } from './records';

/** What a record handler did with one record, for logs and metrics. */
export type RecordOutcome = 'applied' | 'duplicate' | 'ignored';

export type RecordHandler = (record: DynamoDBRecord) => Promise<RecordOutcome>;

export type Ordering = 'in-order' | 'unordered';

/** A record not handled because an earlier record of the batch failed. */
export class HeldBackError extends Error {
  constructor(sequenceNumber: string | undefined) {
    super(`Record ${sequenceNumber ?? '?'} held back behind an earlier failed record`);
    this.name = 'HeldBackError';
  }
}

export function streamConsumer(handleRecord: RecordHandler, options: { readonly ordering: Ordering }) {
  return instrumented(async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    let failed = false;
    const outcomes: Record<RecordOutcome | 'failed' | 'heldBack', number> = {
      applied: 0,
      duplicate: 0,
      ignored: 0,
      failed: 0,
      heldBack: 0,
    };

    const handle = async (record: DynamoDBRecord): Promise<void> => {
      if (options.ordering === 'in-order' && failed) {
        outcomes.heldBack += 1;
        throw new HeldBackError(record.dynamodb?.SequenceNumber);
      }
      try {
        outcomes[await handleRecord(record)] += 1;
      } catch (error) {
        failed = true;
        outcomes.failed += 1;
        logger.error('Stream record failed', {
          eventId: record.eventID,
          sequenceNumber: record.dynamodb?.SequenceNumber,
          error: error as Error,
        });
        throw error;
      }
    };

    try {
      return await processPartialResponse(event, handle, processor, {
        context,
        processInParallel: options.ordering === 'unordered',
        // All records failed: answer with an error, so that Lambda bisects the batch.
        throwOnFullBatchFailure: true,
      });
    } finally {
      for (const [outcome, count] of Object.entries(outcomes)) {
        metrics.addMetric(`Records${outcome[0]?.toUpperCase()}${outcome.slice(1)}`, MetricUnit.Count, count);
      }
    }
  });
}

/** A stream event from a mapping with a tumbling window: Lambda adds the shard, the window and the state. */
export interface WindowedStreamEvent extends DynamoDBStreamEvent {
  readonly shardId: string;
  readonly window: { readonly start: string; readonly end: string };
  /** What the function returned last in this window: `{}` at its start. */
  readonly state?: Readonly<Record<string, unknown>>;
  readonly isFinalInvokeForWindow: boolean;
  readonly isWindowTerminatedEarly?: boolean;
}

/** What a windowed function answers: the state for the window's next invocation. */
export interface WindowedResponse {
  readonly state: Readonly<Record<string, unknown>>;
  readonly batchItemFailures: readonly { readonly itemIdentifier: string }[];
}

/** An aggregation over a tumbling window of one shard. */
export interface WindowAggregation<S extends Readonly<Record<string, unknown>>> {
  /** The state of a window that has had no record yet. */
  readonly empty: S;
  /** Add a batch of records to the state, in order; throws at a record it cannot use. */
  add(records: readonly DynamoDBRecord[], state: S): Promise<S>;
  /** Apply a finished window's state (the window's final invocation), once however often it runs. */
  finish(state: S, shardId: string): Promise<void>;
}

/**
 * A consumer of a mapping with a tumbling window (Lambda passes each invocation the state the last
 * one returned, and calls the function once more, `isFinalInvokeForWindow`, when the window ends).
 *
 * A batch is added to the state whole or not at all: a record that cannot be added fails the
 * invocation, Lambda retries the batch from the state it had and, bisecting, isolates the record
 * until it alone goes to the failure destination. Partial batch responses are not used, so nothing
 * depends on what Lambda does with the state of a partly failed batch.
 */
export function windowedConsumer<S extends Readonly<Record<string, unknown>>>(aggregation: WindowAggregation<S>) {
  return instrumented(async (event: WindowedStreamEvent, context: Context): Promise<WindowedResponse> => {
    void context;
    const given = event.state === undefined || Object.keys(event.state).length === 0 ? undefined : event.state;
    let state = (given as S | undefined) ?? aggregation.empty;
    try {
      state = await aggregation.add(event.Records, state);
    } catch (error) {
      metrics.addMetric('BatchesFailed', MetricUnit.Count, 1);
      logger.error('Stream batch failed; Lambda retries it from the state before it', {
        shardId: event.shardId,
        firstSequenceNumber: event.Records[0]?.dynamodb?.SequenceNumber,
        records: event.Records.length,
        malformed: error instanceof MalformedRecordError,
        error: error as Error,
      });
      throw error;
    }
    metrics.addMetric('RecordsAdded', MetricUnit.Count, event.Records.length);
    if (!event.isFinalInvokeForWindow) return { state, batchItemFailures: [] };
    await aggregation.finish(state, event.shardId);
    metrics.addMetric('WindowsFinished', MetricUnit.Count, 1);
    return { state: {}, batchItemFailures: [] };
  });
}
