import { Duration, Token } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { type Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { type AlarmSink, thresholdAlarm } from '../alarms';

export interface ApiAlarmsProps {
  readonly api: IHttpApi;
  /** Short PascalCase name in alarm names, e.g. `Api`. */
  readonly label: string;
  readonly sink: AlarmSink;
  /**
   * Percent of requests answered with a 5xx status before the error alarm fires.
   *
   * @default 1
   */
  readonly errorPercent?: number;
  /**
   * p99 latency, seen by callers, above which the latency alarm warns.
   *
   * @default Duration.seconds(1)
   */
  readonly latencyP99?: Duration;
}

/** The defaults, visible in one place. */
const DEFAULTS = {
  errorPercent: 1,
  latencyP99: Duration.seconds(1),
} as const;

const ONE_MINUTE = Duration.minutes(1);

/**
 * The alarms of an HTTP API as its callers see it: the share of requests answered with a 5xx
 * status (a rate, so that it means the same at any traffic; 4xx are the callers' own errors), and
 * the p99 latency, which includes API Gateway's own time.
 */
export class ApiAlarms extends Construct {
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: ApiAlarmsProps) {
    super(scope, id);
    const { api, label, sink } = props;
    const errorPercent = props.errorPercent ?? DEFAULTS.errorPercent;
    if (!Token.isUnresolved(errorPercent) && (errorPercent <= 0 || errorPercent > 100)) {
      throw new Error(`ApiAlarms ${id}: errorPercent must be above 0 and at most 100, got ${errorPercent}`);
    }
    const latency = props.latencyP99 ?? DEFAULTS.latencyP99;

    this.alarms = [
      thresholdAlarm(this, 'ServerErrorRate', sink, {
        subject: `${label}-5xxRate`,
        severity: 'critical',
        meaning: `${label}: more than ${errorPercent}% of requests were answered with a 5xx status in 3 of the last 5 minutes. Callers see failures.`,
        runbook: 'api-5xx-rate',
        metric: new MathExpression({
          expression: '100 * FILL(errors, 0) / requests',
          usingMetrics: {
            errors: api.metricServerError({ statistic: 'Sum', period: ONE_MINUTE }),
            requests: api.metricCount({ statistic: 'Sum', period: ONE_MINUTE }),
          },
          label: `${label} 5xx, % of requests`,
          period: ONE_MINUTE,
        }),
        threshold: errorPercent,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      thresholdAlarm(this, 'Latency', sink, {
        subject: `${label}-LatencyP99`,
        severity: 'warning',
        meaning: `${label}: p99 latency seen by callers was above ${latency.toMilliseconds()} ms for 15 minutes.`,
        runbook: 'api-p99-latency',
        metric: api.metricLatency({ statistic: 'p99', period: Duration.minutes(5) }),
        threshold: latency.toMilliseconds(),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        evaluateLowSampleCountPercentile: 'ignore',
      }),
    ];
  }
}
