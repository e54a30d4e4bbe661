import { Duration, Token } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { type AlarmSink, type Severity, thresholdAlarm } from '../alarms';

export interface FunctionAlarmsProps {
  readonly function: IFunction;
  /** The function's timeout, which its p99 duration is compared with. */
  readonly timeout: Duration;
  /** Short PascalCase name in alarm names, e.g. `Catalog`. */
  readonly label: string;
  readonly sink: AlarmSink;
  /**
   * Percent of invocations that fail before the error-rate alarm fires.
   *
   * @default 1
   */
  readonly errorPercent?: number;
  /**
   * How bad a high error rate is: critical where callers see the failures (route functions),
   * warning where retries and a failure queue or compensation catch them.
   *
   * @default 'critical'
   */
  readonly errorSeverity?: Severity;
  /**
   * p99 duration, as a percent of the timeout, above which the duration alarm warns.
   *
   * @default 80
   */
  readonly durationPercent?: number;
}

/** The defaults, visible in one place. */
const DEFAULTS = {
  errorPercent: 1,
  errorSeverity: 'critical',
  durationPercent: 80,
} as const;

const ONE_MINUTE = Duration.minutes(1);

/**
 * The alarms of one Lambda function: its error rate (errors per invocation, so that it means the
 * same at any traffic), any throttling, and a p99 duration close to its timeout, where the next
 * slow dependency turns into timeouts.
 */
export class FunctionAlarms extends Construct {
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: FunctionAlarmsProps) {
    super(scope, id);
    const { function: fn, label, sink } = props;
    const errorPercent = props.errorPercent ?? DEFAULTS.errorPercent;
    const durationPercent = props.durationPercent ?? DEFAULTS.durationPercent;
    for (const [name, value] of [
      ['errorPercent', errorPercent],
      ['durationPercent', durationPercent],
    ] as const) {
      if (!Token.isUnresolved(value) && (value <= 0 || value > 100)) {
        throw new Error(`FunctionAlarms ${id}: ${name} must be above 0 and at most 100, got ${value}`);
      }
    }
    const durationLimitMs = Math.round((props.timeout.toMilliseconds() * durationPercent) / 100);

    this.alarms = [
      thresholdAlarm(this, 'ErrorRate', sink, {
        subject: `${label}-ErrorRate`,
        severity: props.errorSeverity ?? DEFAULTS.errorSeverity,
        meaning: `${label}: more than ${errorPercent}% of invocations failed (Errors / Invocations) in 3 of the last 5 minutes.`,
        runbook: 'function-errors',
        metric: new MathExpression({
          // A minute without errors has no Errors datapoint; without invocations, no rate at all.
          expression: '100 * FILL(errors, 0) / invocations',
          usingMetrics: {
            errors: fn.metricErrors({ statistic: 'Sum', period: ONE_MINUTE }),
            invocations: fn.metricInvocations({ statistic: 'Sum', period: ONE_MINUTE }),
          },
          label: `${label} errors, % of invocations`,
          period: ONE_MINUTE,
        }),
        threshold: errorPercent,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      thresholdAlarm(this, 'Throttles', sink, {
        subject: `${label}-Throttles`,
        severity: 'warning',
        meaning: `${label}: Lambda refused invocations for lack of concurrency (Throttles) in 3 of the last 5 minutes.`,
        runbook: 'function-throttles',
        metric: fn.metricThrottles({ statistic: 'Sum', period: ONE_MINUTE }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      thresholdAlarm(this, 'Duration', sink, {
        subject: `${label}-DurationNearTimeout`,
        severity: 'warning',
        meaning: `${label}: p99 duration was above ${durationPercent}% of the ${props.timeout.toSeconds()} s timeout (${durationLimitMs} ms) for 15 minutes; slower still, invocations time out.`,
        runbook: 'function-duration-near-its-timeout',
        metric: fn.metricDuration({ statistic: 'p99', period: Duration.minutes(5) }),
        threshold: durationLimitMs,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        evaluateLowSampleCountPercentile: 'ignore',
      }),
    ];
  }
}
