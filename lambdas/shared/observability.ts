/**
 * Logger, metrics and tracer: module-scope singletons shared by every handler, configured by the
 * POWERTOOLS_* environment variables the function construct sets, and one way to instrument a
 * handler (`instrumented`), so that every function logs, measures and traces alike.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { metered } from './capacity';

export const logger = new Logger();
export const metrics = new Metrics();
export const tracer = new Tracer();

/**
 * Wrap a handler: Lambda context in every log line, a cold-start metric, a traced subsegment with
 * the error or response as metadata, and stored metrics flushed after every invocation.
 */
export function instrumented<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
): (event: E, context: Context) => Promise<R> {
  return async (event, context) => {
    logger.addContext(context);
    metrics.captureColdStartMetric();
    const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    const segment = parent?.addNewSubsegment(`## ${process.env._HANDLER ?? 'handler'}`);
    if (segment !== undefined) {
      tracer.setSegment(segment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
    }
    try {
      return await handler(event, context);
    } catch (error) {
      if (segment !== undefined) tracer.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      segment?.close();
      if (parent !== undefined) tracer.setSegment(parent);
      metrics.publishStoredMetrics();
    }
  };
}

/**
 * Run one request's work with a capacity meter and publish what it consumed as metrics, so that
 * dashboards show read and write units per route next to DynamoDB's own table totals.
 */
export async function publishCapacity<T>(work: () => Promise<T>): Promise<T> {
  const { result, usage } = await metered(work);
  metrics.addMetric('ConsumedReadCapacityUnits', MetricUnit.Count, usage.readCapacityUnits);
  metrics.addMetric('ConsumedWriteCapacityUnits', MetricUnit.Count, usage.writeCapacityUnits);
  metrics.addMetric('DynamoDBRequests', MetricUnit.Count, usage.requests);
  return result;
}
