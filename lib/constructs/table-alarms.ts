import { Duration, Token } from 'aws-cdk-lib';
import {
  type Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  type Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2, Operation } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type AlarmSink, anomalyAlarm, thresholdAlarm } from '../alarms';

/** The table's capacity ceilings, which its capacity alarms compare consumption with. */
export type TableCapacity =
  | {
      readonly mode: 'on-demand';
      /** @default - no read ceiling, so no read capacity alarm */
      readonly maxReadRequestUnits?: number;
      /** @default - no write ceiling, so no write capacity alarm */
      readonly maxWriteRequestUnits?: number;
    }
  | {
      readonly mode: 'provisioned';
      /** The autoscaling maximum of read capacity, for the table and each global index. */
      readonly maxReadCapacityUnits: number;
      /** The autoscaling maximum of write capacity, for the table and each global index. */
      readonly maxWriteCapacityUnits: number;
    };

export interface TableAlarmsProps {
  readonly table: ITableV2;
  /** Short PascalCase name in alarm names, e.g. `Table`. */
  readonly label: string;
  readonly sink: AlarmSink;
  /**
   * Every operation the application calls on the table: SystemErrors is summed over them. At most
   * ten, CloudWatch's limit of metrics in one alarm.
   */
  readonly operations: readonly Operation[];
  /**
   * Operations on the request path, whose p99 SuccessfulRequestLatency is alarmed one by one.
   *
   * @default - none
   */
  readonly latencyOperations?: readonly Operation[];
  /**
   * Names of the table's global secondary indexes, each watched for throttles and capacity.
   *
   * @default - none
   */
  readonly globalIndexNames?: readonly string[];
  /**
   * The capacity ceilings consumption is compared with.
   *
   * @default - on demand without a ceiling: no capacity alarms
   */
  readonly capacity?: TableCapacity;
  /**
   * Percent of a ceiling (or of provisioned capacity) at which consumption warns.
   *
   * @default 80
   */
  readonly capacityAlarmPercent?: number;
  /**
   * p99 latency above which a single-item operation or Query warns.
   *
   * @default Duration.millis(50)
   */
  readonly latencyP99?: Duration;
  /**
   * p99 latency above which BatchGetItem, BatchWriteItem or a transaction warns.
   *
   * @default Duration.millis(100)
   */
  readonly multiItemLatencyP99?: Duration;
  /**
   * Regions of the table's replicas, each watched for replication latency.
   *
   * @default - none
   */
  readonly replicaRegions?: readonly string[];
  /**
   * Average replication latency above which a replica warns.
   *
   * @default Duration.seconds(30)
   */
  readonly replicationLatency?: Duration;
  /**
   * Warn when TTL deleted nothing for a day (items are expected to expire every day).
   *
   * @default false
   */
  readonly expectTtlDeletions?: boolean;
  /**
   * Anomaly-detection alarms on ConditionalCheckFailedRequests and TransactionConflict, whose
   * normal level is not zero.
   *
   * @default true
   */
  readonly anomalyAlarms?: boolean;
}

/** The defaults, visible in one place. */
const DEFAULTS = {
  capacityAlarmPercent: 80,
  latencyP99: Duration.millis(50),
  multiItemLatencyP99: Duration.millis(100),
  replicationLatency: Duration.seconds(30),
  expectTtlDeletions: false,
  anomalyAlarms: true,
} as const;

/** CloudWatch's limit of metrics in one alarm. */
const MAX_ALARM_METRICS = 10;

/** Operations that touch many items in one request, and so take longer. */
const MULTI_ITEM_OPERATIONS: ReadonlySet<string> = new Set([
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);

const ONE_MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/** A metric-math id from an operation name: ids start with a lowercase letter. */
const idOf = (name: string): string => `${name.charAt(0).toLowerCase()}${name.slice(1)}`;

/**
 * The alarms of one DynamoDB table, on the dimension sets DynamoDB publishes each metric with
 * (test/fixtures/metric-contract.ts holds them, from the DynamoDB developer guide):
 *
 * - read and write throttle events of the table and of each global index;
 * - SystemErrors summed over every operation the application calls, transactions included, as
 *   one metric-math alarm (SystemErrors exists only per `Operation`; CDK's
 *   `metricSystemErrorsForOperations()` sums all 14 operations, more than an alarm may hold, and
 *   drops a minute in which any operation had no data);
 * - p99 SuccessfulRequestLatency per request-path operation;
 * - ReplicationLatency per replica region;
 * - consumed capacity against the on-demand ceiling, or against the autoscaling maximum and the
 *   currently provisioned capacity;
 * - TimeToLiveDeletedItemCount staying at zero for a day, when items are expected to expire;
 * - ConditionalCheckFailedRequests and TransactionConflict above their anomaly-detection band.
 */
export class TableAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: TableAlarmsProps) {
    super(scope, id);
    const { table, label, sink } = props;
    if (props.operations.length === 0 || props.operations.length > MAX_ALARM_METRICS) {
      throw new Error(
        `TableAlarms ${id}: operations must name 1 to ${MAX_ALARM_METRICS} operations (one alarm sums their SystemErrors), got ${props.operations.length}`,
      );
    }
    const capacityPercent = props.capacityAlarmPercent ?? DEFAULTS.capacityAlarmPercent;
    if (!Token.isUnresolved(capacityPercent) && (capacityPercent <= 0 || capacityPercent > 100)) {
      throw new Error(
        `TableAlarms ${id}: capacityAlarmPercent must be above 0 and at most 100, got ${capacityPercent}`,
      );
    }

    const metric = (
      metricName: string,
      statistic: string,
      period: Duration,
      dimensions: Readonly<Record<string, string>> = {},
    ): Metric =>
      table.metric(metricName, { statistic, period, dimensionsMap: { TableName: table.tableName, ...dimensions } });
    const add = (alarm: Alarm) => this.alarms.push(alarm);

    // The table, then each global index: DynamoDB publishes throttles and consumption for both.
    const targets = [
      { name: label, id: '', dimensions: {} },
      ...(props.globalIndexNames ?? []).map((indexName) => ({
        name: `${label}-${indexName}`,
        id: indexName,
        dimensions: { GlobalSecondaryIndexName: indexName },
      })),
    ];

    for (const target of targets) {
      for (const kind of ['Read', 'Write'] as const) {
        add(
          thresholdAlarm(this, `${target.id}${kind}Throttles`, sink, {
            subject: `${target.name}-${kind}Throttles`,
            severity: 'warning',
            meaning: `${target.name}: ${kind.toLowerCase()} requests were throttled (${kind}ThrottleEvents) in 3 of the last 5 minutes. Retries absorb some; the rest reach callers as 503s or stream retries.`,
            runbook: 'table-or-index-throttled',
            metric: metric(`${kind}ThrottleEvents`, 'Sum', ONE_MINUTE, target.dimensions),
            threshold: 0,
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
        );
      }
    }

    // DynamoDB publishes only non-zero values, so each operation's series is filled with zeros
    // before the sum: otherwise a minute in which one operation had no error vanishes from it.
    const systemErrors = new MathExpression({
      expression: 'SUM(FILL(METRICS(), 0))',
      usingMetrics: Object.fromEntries(
        props.operations.map((operation) => [
          idOf(operation),
          metric('SystemErrors', 'Sum', ONE_MINUTE, { Operation: operation }),
        ]),
      ),
      label: `${label} SystemErrors, all operations`,
      period: ONE_MINUTE,
    });
    add(
      thresholdAlarm(this, 'SystemErrors', sink, {
        subject: `${label}-SystemErrors`,
        severity: 'critical',
        meaning: `${label}: DynamoDB answered with HTTP 500 (SystemErrors, summed over ${props.operations.join(', ')}) in 3 of the last 5 minutes. Requests fail after the SDK's retries.`,
        runbook: 'table-system-errors',
        metric: systemErrors,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    for (const operation of props.latencyOperations ?? []) {
      const limit = MULTI_ITEM_OPERATIONS.has(operation)
        ? (props.multiItemLatencyP99 ?? DEFAULTS.multiItemLatencyP99)
        : (props.latencyP99 ?? DEFAULTS.latencyP99);
      add(
        thresholdAlarm(this, `${operation}Latency`, sink, {
          subject: `${label}-${operation}-LatencyP99`,
          severity: 'warning',
          meaning: `${label}: p99 server-side latency of ${operation} (SuccessfulRequestLatency) was above ${limit.toMilliseconds()} ms for 15 minutes.`,
          runbook: 'table-p99-latency',
          metric: metric('SuccessfulRequestLatency', 'p99', FIVE_MINUTES, { Operation: operation }),
          threshold: limit.toMilliseconds(),
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          evaluateLowSampleCountPercentile: 'ignore',
        }),
      );
    }

    const replicationLimit = props.replicationLatency ?? DEFAULTS.replicationLatency;
    for (const region of props.replicaRegions ?? []) {
      add(
        thresholdAlarm(this, `ReplicationLatency${region}`, sink, {
          subject: `${label}-ReplicationLatency-${region}`,
          severity: 'warning',
          meaning: `${label}: changes reach the replica in ${region} more than ${replicationLimit.toSeconds()} s late on average (ReplicationLatency) for 15 minutes; reads there are stale and a failover would lose them.`,
          runbook: 'replication-latency',
          metric: metric('ReplicationLatency', 'Average', FIVE_MINUTES, { ReceivingRegion: region }),
          threshold: replicationLimit.toMilliseconds(),
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    this.capacityAlarms(props, targets, capacityPercent, metric);

    if (props.expectTtlDeletions ?? DEFAULTS.expectTtlDeletions) {
      add(
        thresholdAlarm(this, 'NoTtlDeletions', sink, {
          subject: `${label}-NoExpiredItems`,
          severity: 'warning',
          meaning: `${label}: TTL deleted no item in the last day (TimeToLiveDeletedItemCount). Abandoned carts are expected to expire every day; they are piling up instead, or TTL is off.`,
          runbook: 'no-expired-carts-for-a-day',
          metric: metric('TimeToLiveDeletedItemCount', 'Sum', Duration.days(1)),
          threshold: 1,
          comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 1,
          // DynamoDB publishes nothing for a day without deletions: that silence is the signal.
          treatMissingData: TreatMissingData.BREACHING,
        }),
      );
    }

    if (props.anomalyAlarms ?? DEFAULTS.anomalyAlarms) {
      const anomalies = [
        {
          metricName: 'ConditionalCheckFailedRequests',
          subject: 'ConditionalCheckFailuresAnomaly',
          runbook: 'conditional-check-failures-above-normal',
          meaning: `${label}: conditional writes fail (ConditionalCheckFailedRequests) far more than usual for 15 minutes. Some are expected (duplicate requests, stock checks); a surge means contention or a bug.`,
        },
        {
          metricName: 'TransactionConflict',
          subject: 'TransactionConflictsAnomaly',
          runbook: 'transaction-conflicts-above-normal',
          meaning: `${label}: transactions are rejected for conflicting with concurrent requests on the same items (TransactionConflict) far more than usual for 15 minutes. Hot items: orders of one product, one customer's cart.`,
        },
      ];
      for (const anomaly of anomalies) {
        add(
          anomalyAlarm(this, anomaly.subject, sink, {
            subject: `${label}-${anomaly.subject}`,
            severity: 'warning',
            meaning: anomaly.meaning,
            runbook: anomaly.runbook,
            metric: metric(anomaly.metricName, 'Sum', FIVE_MINUTES),
            stdDevs: 3,
            comparisonOperator: ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
            evaluationPeriods: 3,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
        );
      }
    }
  }

  private capacityAlarms(
    props: TableAlarmsProps,
    targets: readonly { readonly name: string; readonly id: string; readonly dimensions: Record<string, string> }[],
    percent: number,
    metric: (name: string, statistic: string, period: Duration, dimensions?: Record<string, string>) => Metric,
  ): void {
    const capacity = props.capacity;
    if (capacity === undefined) return;
    const ceilings =
      capacity.mode === 'on-demand'
        ? { Read: capacity.maxReadRequestUnits, Write: capacity.maxWriteRequestUnits }
        : { Read: capacity.maxReadCapacityUnits, Write: capacity.maxWriteCapacityUnits };
    const ceilingName = capacity.mode === 'on-demand' ? 'on-demand maximum' : 'autoscaling maximum';

    for (const target of targets) {
      for (const kind of ['Read', 'Write'] as const) {
        const ceiling = ceilings[kind];
        if (ceiling === undefined) continue;
        // Consumed units are a sum per minute; per second, they compare with a per-second ceiling.
        const consumed: IMetric = metric(`Consumed${kind}CapacityUnits`, 'Sum', ONE_MINUTE, target.dimensions);
        this.alarms.push(
          thresholdAlarm(this, `${target.id}${kind}NearCeiling`, props.sink, {
            subject: `${target.name}-${kind}NearCeiling`,
            severity: 'warning',
            meaning: `${target.name}: ${kind.toLowerCase()} consumption reached ${percent}% of its ${ceilingName} of ${ceiling} units per second in 3 of the last 5 minutes. At the ceiling DynamoDB throttles.`,
            runbook: 'capacity-near-its-ceiling',
            metric: new MathExpression({
              expression: `100 * consumed / 60 / ${ceiling}`,
              usingMetrics: { consumed },
              label: `${target.name} ${kind.toLowerCase()} units, % of ${ceilingName}`,
              period: ONE_MINUTE,
            }),
            threshold: percent,
            comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
        );
        if (capacity.mode !== 'provisioned') continue;
        // Provisioned capacity is published every five minutes; consumption is compared over the same window.
        this.alarms.push(
          thresholdAlarm(this, `${target.id}${kind}AboveProvisioned`, props.sink, {
            subject: `${target.name}-${kind}AboveProvisioned`,
            severity: 'warning',
            meaning: `${target.name}: ${kind.toLowerCase()} consumption stayed at ${percent}% or more of the provisioned capacity for 15 minutes: autoscaling is not keeping up, and bursts are throttled.`,
            runbook: 'autoscaling-not-keeping-up',
            metric: new MathExpression({
              expression: '100 * consumed / 300 / provisioned',
              usingMetrics: {
                consumed: metric(`Consumed${kind}CapacityUnits`, 'Sum', FIVE_MINUTES, target.dimensions),
                provisioned: metric(`Provisioned${kind}CapacityUnits`, 'Average', FIVE_MINUTES, target.dimensions),
              },
              label: `${target.name} ${kind.toLowerCase()} units, % of provisioned`,
              period: FIVE_MINUTES,
            }),
            threshold: percent,
            comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluationPeriods: 3,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
        );
      }
    }
  }
}
