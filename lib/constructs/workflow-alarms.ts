import { Duration } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, type IMetric, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IEventBus, IRule } from 'aws-cdk-lib/aws-events';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type AlarmSink, thresholdAlarm } from '../alarms';
import { DeadLetterAlarm } from './dead-letter-alarm';

export interface WorkflowAlarmsProps {
  readonly stateMachine: IStateMachine;
  /** The rule that starts the workflow. */
  readonly trigger: IRule;
  /** The custom bus the rule is on: its metrics are published per bus and rule. */
  readonly bus: IEventBus;
  /** The rule target's dead-letter queue. */
  readonly deadLetters: IQueue;
  /** Short PascalCase name in alarm names, e.g. `Fulfilment`. */
  readonly label: string;
  readonly sink: AlarmSink;
}

const ONE_MINUTE = Duration.minutes(1);

/**
 * The alarms of an event-started workflow: executions that failed or timed out, and the rule that
 * starts them failing to deliver, failing to dead-letter, or leaving events in its dead-letter
 * queue.
 *
 * EventBridge publishes a rule's metrics with `RuleName` alone for the default bus and with
 * `EventBusName` and `RuleName` for a custom bus, so the bus is part of every rule metric here
 * (CDK's canned `EventsMetrics` uses `RuleName` alone, which for this rule has no data).
 */
export class WorkflowAlarms extends Construct {
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: WorkflowAlarmsProps) {
    super(scope, id);
    const { label, sink } = props;
    const ruleMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/Events',
        metricName,
        dimensionsMap: { EventBusName: props.bus.eventBusName, RuleName: props.trigger.ruleName },
        statistic: 'Sum',
        period: ONE_MINUTE,
      });
    const anyIn = (subject: string, meaning: string, runbook: string, metric: IMetric) =>
      thresholdAlarm(this, subject, sink, {
        subject: `${label}-${subject}`,
        severity: 'critical',
        meaning,
        runbook,
        metric,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });

    this.alarms = [
      anyIn(
        'ExecutionsFailed',
        `${label}: a workflow execution failed (ExecutionsFailed). A step failed for good and the order was compensated (cancelled and restocked), or compensation itself failed.`,
        'fulfilment-executions-failed',
        props.stateMachine.metricFailed({ statistic: 'Sum', period: ONE_MINUTE }),
      ),
      anyIn(
        'ExecutionsTimedOut',
        `${label}: a workflow execution ran past its timeout (ExecutionsTimedOut) and stopped where it was, without compensation: that order is stuck in its current status.`,
        'fulfilment-executions-timed-out',
        props.stateMachine.metricTimedOut({ statistic: 'Sum', period: ONE_MINUTE }),
      ),
      anyIn(
        'TriggerFailedInvocations',
        `${label}: the rule that starts the workflow gave up on an event after its retries (FailedInvocations); the event went to the dead-letter queue and that order's workflow did not start.`,
        'orderplaced-deliveries-failing',
        ruleMetric('FailedInvocations'),
      ),
      anyIn(
        'TriggerEventsLost',
        `${label}: the rule could not put a failed event in its dead-letter queue (InvocationsFailedToBeSentToDlq): that event is lost, and an order will not be fulfilled unless it is restarted by hand.`,
        'events-lost-dead-letter-delivery-failed',
        ruleMetric('InvocationsFailedToBeSentToDlq'),
      ),
      new DeadLetterAlarm(this, 'DeadLetters', {
        queue: props.deadLetters,
        label: `${label}-TriggerDeadLetters`,
        meaning: `${label}: OrderPlaced events wait in the rule's dead-letter queue: their orders have no workflow yet. Events are kept 14 days.`,
        runbook: 'orderplaced-dead-letter-queue-not-empty',
        sink,
      }).alarm,
    ];
  }
}
