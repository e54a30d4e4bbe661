import { Duration } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type AlarmSink, thresholdAlarm } from '../alarms';
import { DeadLetterAlarm } from './dead-letter-alarm';

export interface AnalyticsAlarmsProps {
  /** The export workflow. */
  readonly stateMachine: IStateMachine;
  /** The schedule group of the schedule that starts it: Scheduler publishes its metrics per group. */
  readonly scheduleGroup: IScheduleGroup;
  /** The schedule's dead-letter queue. */
  readonly deadLetters: IQueue;
  /** Short PascalCase name in alarm names, e.g. `Analytics`. */
  readonly label: string;
  readonly sink: AlarmSink;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The alarms of the nightly analytics export: a run that failed, timed out or was stopped; a
 * night whose run the schedule could not start (its invocation is in the dead-letter queue); and
 * an invocation that could not even be put there.
 *
 * All are warnings: reports are a day late, no customer notices, and the next night's run exports
 * the whole table again (docs/operations/runbook.md says how to run a day by hand).
 */
export class AnalyticsAlarms extends Construct {
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: AnalyticsAlarmsProps) {
    super(scope, id);
    const { label, sink } = props;
    const executions = (metric: 'metricFailed' | 'metricTimedOut' | 'metricAborted') =>
      props.stateMachine[metric]({ statistic: 'Sum', period: FIVE_MINUTES });

    this.alarms = [
      thresholdAlarm(this, 'RunFailed', sink, {
        subject: `${label}-RunFailed`,
        severity: 'warning',
        meaning: `${label}: an export run failed, timed out or was stopped (ExecutionsFailed + ExecutionsTimedOut + ExecutionsAborted). Its error names the step: ExportFailed, CurationFailed or WarehouseLoadFailed. The lake and the warehouse keep the previous export date; reports are a day behind.`,
        runbook: 'analytics-run-failed',
        metric: new MathExpression({
          expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
          usingMetrics: {
            failed: executions('metricFailed'),
            timedOut: executions('metricTimedOut'),
            aborted: executions('metricAborted'),
          },
          label: `${label} runs that did not succeed`,
          period: FIVE_MINUTES,
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new DeadLetterAlarm(this, 'ScheduleDeadLetters', {
        queue: props.deadLetters,
        label: `${label}-ScheduleDeadLetters`,
        severity: 'warning',
        meaning: `${label}: the schedule could not start the export workflow after its retries; the invocation waits in the dead-letter queue (kept 14 days) and that night has no run.`,
        runbook: 'analytics-schedule-dead-letter-queue-not-empty',
        sink,
      }).alarm,
      thresholdAlarm(this, 'ScheduleInvocationsLost', sink, {
        subject: `${label}-ScheduleInvocationsLost`,
        severity: 'warning',
        meaning: `${label}: the schedule could not start the workflow nor put the invocation in its dead-letter queue (InvocationsFailedToBeSentToDeadLetterCount): that night has no run, and nothing records it but this alarm.`,
        runbook: 'analytics-schedule-invocations-lost',
        metric: new Metric({
          namespace: 'AWS/Scheduler',
          metricName: 'InvocationsFailedToBeSentToDeadLetterCount',
          dimensionsMap: { ScheduleGroup: props.scheduleGroup.scheduleGroupName },
          statistic: 'Sum',
          period: FIVE_MINUTES,
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
  }
}
