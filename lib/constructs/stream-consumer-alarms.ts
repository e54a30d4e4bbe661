import { Duration } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type AlarmSink, thresholdAlarm } from '../alarms';
import { DeadLetterAlarm } from './dead-letter-alarm';

export interface StreamConsumerAlarmsProps {
  /** The function the table's stream is mapped to. */
  readonly function: IFunction;
  /** The mapping's on-failure destination. */
  readonly failures: IQueue;
  /** How long the mapping may wait to fill a batch; a lone record waits that long by design. */
  readonly maxBatchingWindow: Duration;
  /** Age at which the mapping gives records up to the failure queue. */
  readonly maxRecordAge: Duration;
  /** Short PascalCase name in alarm names, e.g. `SalesAggregator`. */
  readonly label: string;
  readonly sink: AlarmSink;
  /**
   * Lag, beyond the batching window, at which the consumer warns.
   *
   * @default Duration.minutes(1)
   */
  readonly warningLag?: Duration;
  /**
   * Lag at which the consumer is critical, if the mapping keeps records that long; otherwise half
   * the mapping's record age, since records older than that are given up on.
   *
   * @default Duration.hours(1)
   */
  readonly criticalLag?: Duration;
}

/** The defaults, visible in one place. */
const DEFAULTS = {
  warningLag: Duration.minutes(1),
  criticalLag: Duration.hours(1),
} as const;

/**
 * The alarms of one stream consumer: how far behind the stream it reads (IteratorAge, the age of
 * the newest record of the last batch), at a warning and a critical level, and its failure queue.
 *
 * The stream keeps records for 24 hours; a consumer an hour behind is far from losing them, but
 * far enough that its effects (sales figures, order events, the archive) are visibly late. Each
 * level is derived from the mapping: the warning allows for its batching window, and the critical
 * level must come before the mapping's own maximum record age, or it could never fire.
 */
export class StreamConsumerAlarms extends Construct {
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: StreamConsumerAlarmsProps) {
    super(scope, id);
    const { label, sink } = props;
    const warningMs =
      (props.warningLag ?? DEFAULTS.warningLag).toMilliseconds() + props.maxBatchingWindow.toMilliseconds();
    const criticalMs = Math.min(
      (props.criticalLag ?? DEFAULTS.criticalLag).toMilliseconds(),
      props.maxRecordAge.toMilliseconds() / 2,
    );
    if (criticalMs <= warningMs) {
      throw new Error(
        `StreamConsumerAlarms ${id}: the critical lag (${criticalMs} ms) must exceed the warning lag (${warningMs} ms); raise the mapping's maxRecordAge`,
      );
    }
    const iteratorAge = props.function.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) });
    const lag = (level: 'warning' | 'critical', limitMs: number, minutes: number) =>
      thresholdAlarm(this, level === 'warning' ? 'LagWarning' : 'LagCritical', sink, {
        subject: `${label}-IteratorAge`,
        severity: level,
        meaning: `${label}: the stream consumer is more than ${Math.round(limitMs / 1000)} s behind the table (IteratorAge) for ${minutes} minutes. Its effects are that late; records older than ${props.maxRecordAge.toMinutes()} min go to its failure queue unprocessed.`,
        runbook: 'stream-consumer-falling-behind',
        metric: iteratorAge,
        threshold: limitMs,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: minutes,
        // No batches, no IteratorAge: an idle consumer is not behind.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });

    this.alarms = [
      lag('warning', warningMs, 5),
      lag('critical', criticalMs, 5),
      new DeadLetterAlarm(this, 'FailureQueue', {
        queue: props.failures,
        label: `${label}-Failures`,
        meaning: `${label}: a batch of stream records was given up on and described to the failure queue. Its changes were not applied; the records stay in the stream for 24 hours from when they were written.`,
        runbook: 'stream-failure-queue-not-empty',
        sink,
      }).alarm,
    ];
  }
}
