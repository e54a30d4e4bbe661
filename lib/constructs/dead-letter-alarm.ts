import { Duration } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type AlarmSink, type Severity, thresholdAlarm } from '../alarms';

export interface DeadLetterAlarmProps {
  /** A queue that only ever receives what something else gave up on. */
  readonly queue: IQueue;
  /** Short PascalCase name in the alarm name, e.g. `SalesAggregator-Failures`. */
  readonly label: string;
  /** What a message in the queue stands for, and what it costs while it waits there. */
  readonly meaning: string;
  /** Anchor of the queue's runbook section. */
  readonly runbook: string;
  readonly sink: AlarmSink;
  /**
   * How bad one message in the queue is.
   *
   * @default 'critical'
   */
  readonly severity?: Severity;
}

/**
 * An alarm on a failure or dead-letter queue: any visible message is work the app gave up on,
 * which someone has to look at. It stays in ALARM until the queue is emptied (by a redrive or by
 * deleting the messages), so it cannot be forgotten.
 */
export class DeadLetterAlarm extends Construct {
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterAlarmProps) {
    super(scope, id);
    this.alarm = thresholdAlarm(this, 'Alarm', props.sink, {
      subject: props.label,
      severity: props.severity ?? 'critical',
      meaning: props.meaning,
      runbook: props.runbook,
      metric: props.queue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // SQS stops publishing for a queue that has been empty and idle for six hours.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
