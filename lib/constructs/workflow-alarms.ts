import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
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
  /**
   * Percent of the executions started in a quarter hour that may fail before it is critical.
   * Some failures are the workflow working: a declined payment is compensated and the execution
   * ends failed.
   *
   * @default 10
   */
  readonly failedPercent?: number;
  /**
   * Fewest failed executions in a quarter hour that can raise the alarm, so that one declined
   * payment at night is not a page.
   *
   * @default 3
   */
  readonly minFailed?: number;
}

/** The defaults, visible in one place. */
const DEFAULTS = { failedPercent: 10, minFailed: 3 } as const;

const ONE_MINUTE = Duration.minutes(1);
const QUARTER_HOUR = Duration.minutes(15);

/**
 * The alarms of an event-started workflow: more executions failing than the business explains,
 * any execution timing out, and the rule that starts them failing to deliver, failing to
 * dead-letter, or leaving events in its dead-letter queue.
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

    const failedPercent = props.failedPercent ?? DEFAULTS.failedPercent;
    const minFailed = props.minFailed ?? DEFAULTS.minFailed;
    this.alarms = [
      thresholdAlarm(this, 'ExecutionsFailed', sink, {
        subject: `${label}-ExecutionsFailed`,
        severity: 'critical',
        meaning: `${label}: ${minFailed} or more executions failed in a quarter hour, more than ${failedPercent}% of those started (ExecutionsFailed / ExecutionsStarted). Each failed order was compensated (cancelled and restocked), or compensation failed too; this many means a dependency is down or a step is broken.`,
        runbook: 'fulfilment-executions-failed',
        metric: new MathExpression({
          // Zero unless enough executions failed to mean something: then the failed share.
          expression: `IF(FILL(failed, 0) >= ${minFailed} AND FILL(started, 0) > 0, 100 * FILL(failed, 0) / started, 0)`,
          usingMetrics: {
            failed: props.stateMachine.metricFailed({ statistic: 'Sum', period: QUARTER_HOUR }),
            started: props.stateMachine.metricStarted({ statistic: 'Sum', period: QUARTER_HOUR }),
          },
          label: `${label} failed executions, % of started`,
          period: QUARTER_HOUR,
        }),
        threshold: failedPercent,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
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
