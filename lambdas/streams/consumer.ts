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
