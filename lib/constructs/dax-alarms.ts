import { Duration, Token } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { type AlarmSink, thresholdAlarm } from '../alarms';

/** A function that reads through the cluster, and the routes whose reads it counts. */
export interface CachedReader {
  /** The Powertools service name: the `service` dimension of its metrics. */
  readonly service: string;
  /** Route keys of the cached routes: the `route` dimension of its metrics. */
  readonly routeKeys: readonly string[];
}

export interface DaxAlarmsProps {
  /** The cluster's name as DAX stores it (lower case): the `ClusterId` dimension of AWS/DAX. */
  readonly clusterName: string;
  /** Short PascalCase name in alarm names, e.g. `Dax`. */
  readonly label: string;
  readonly sink: AlarmSink;
  /** Namespace of the functions' own metrics, where `DaxFallbacks` is published. */
  readonly metricsNamespace: string;
  /** The functions that read through the cluster: their fallbacks to the table are summed. */
  readonly readers: readonly CachedReader[];
  /**
   * CPU utilization of the busiest node, in percent, above which the CPU alarm warns.
   *
   * @default 70
   */
  readonly cpuPercent?: number;
}

/** The defaults, visible in one place. */
const DEFAULTS = { cpuPercent: 70 } as const;

const ONE_MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/** At most this many metrics in one alarm (CloudWatch's limit on a metric-math alarm). */
const MAX_ALARM_METRICS = 10;

/**
 * The alarms of a DAX cluster and of the reads that go through it. None is critical: every read
 * DAX cannot answer is answered by the table (lambdas/data/dax-reads.ts), so customers see slower
 * reads, not failures, while the table pays for what the cache no longer absorbs.
 *
 * - CPU of the busiest node (`CPUUtilization`, Maximum by `ClusterId`): near saturation DAX
 *   throttles, and the smallest nodes are burstable.
 * - Evictions (`EvictedSize`): the working set no longer fits, hit rates fall, misses go to the table.
 * - Failed requests (`FailedRequestCount`: user errors, throttles and faults, as DAX counts them).
 * - Fallbacks (`DaxFallbacks`, counted by the functions): reads the table answered instead of DAX,
 *   summed over every cached route, which is what a shopper's request actually experienced.
 *
 * DAX publishes only non-zero values, so a quiet cluster has no data and that is not breaching.
 */
export class DaxAlarms extends Construct {
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: DaxAlarmsProps) {
    super(scope, id);
    const { clusterName, label, sink } = props;
    const cpuPercent = props.cpuPercent ?? DEFAULTS.cpuPercent;
    if (!Token.isUnresolved(cpuPercent) && (cpuPercent <= 0 || cpuPercent > 100)) {
      throw new Error(`DaxAlarms ${id}: cpuPercent must be above 0 and at most 100, got ${cpuPercent}`);
    }
    const fallbackSeries = props.readers.flatMap((reader) =>
      reader.routeKeys.map((route) => ({ service: reader.service, route })),
    );
    if (fallbackSeries.length === 0 || fallbackSeries.length > MAX_ALARM_METRICS) {
      throw new Error(
        `DaxAlarms ${id}: readers must name from 1 to ${MAX_ALARM_METRICS} cached routes in all, got ${fallbackSeries.length}`,
      );
    }
    const dax = (metricName: string, statistic: string, period: Duration) =>
      new Metric({ namespace: 'AWS/DAX', metricName, dimensionsMap: { ClusterId: clusterName }, statistic, period });

    this.alarms = [
      thresholdAlarm(this, 'Cpu', sink, {
        subject: `${label}-CPUUtilization`,
        severity: 'warning',
        meaning: `${label}: a node of cluster ${clusterName} used more than ${cpuPercent}% CPU for 15 minutes; near saturation DAX throttles and reads fall back to the table.`,
        runbook: 'dax-cpu-high',
        metric: dax('CPUUtilization', 'Maximum', FIVE_MINUTES),
        threshold: cpuPercent,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      thresholdAlarm(this, 'Evictions', sink, {
        subject: `${label}-Evictions`,
        severity: 'warning',
        meaning: `${label}: cluster ${clusterName} evicted cached data to make room in each of the last 15 minutes; the working set no longer fits and more reads go to the table.`,
        runbook: 'dax-evictions',
        metric: dax('EvictedSize', 'Sum', FIVE_MINUTES),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      thresholdAlarm(this, 'FailedRequests', sink, {
        subject: `${label}-FailedRequests`,
        severity: 'warning',
        meaning: `${label}: cluster ${clusterName} answered requests with errors (FailedRequestCount: user errors, throttles and faults) in 3 of the last 5 minutes.`,
        runbook: 'dax-failed-requests',
        metric: dax('FailedRequestCount', 'Sum', ONE_MINUTE),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      thresholdAlarm(this, 'Fallbacks', sink, {
        subject: `${label}-Fallbacks`,
        severity: 'warning',
        meaning: `${label}: catalogue reads fell back from DAX to the table (DaxFallbacks) in 3 of the last 5 minutes; shoppers are served, slower, and the table takes the load.`,
        runbook: 'dax-reads-falling-back-to-the-table',
        metric: new MathExpression({
          // Published only when a fallback happens: each route's series is filled with zeros first.
          expression: 'SUM(FILL(METRICS(), 0))',
          usingMetrics: Object.fromEntries(
            fallbackSeries.map((dimensions, i) => [
              `f${i}`,
              new Metric({
                namespace: props.metricsNamespace,
                metricName: 'DaxFallbacks',
                dimensionsMap: dimensions,
                statistic: 'Sum',
                period: ONE_MINUTE,
              }),
            ]),
          ),
          label: `${label} fallbacks to the table, all cached routes`,
          period: ONE_MINUTE,
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
  }
}
