import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IBackupVault } from 'aws-cdk-lib/aws-backup';
import { type ITableV2, Operation } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus, IRule } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { GlobalIndexes } from '../../lambdas/model/table-design';
import type { AppConfig } from '../config';
import { Alerting } from '../constructs/alerting';
import { AnalyticsAlarms } from '../constructs/analytics-alarms';
import { ApiAlarms } from '../constructs/api-alarms';
import { BackupAlarms } from '../constructs/backup-alarms';
import { type CachedReader, DaxAlarms } from '../constructs/dax-alarms';
import { FunctionAlarms } from '../constructs/function-alarms';
import { type DashboardRoute, OpsDashboard } from '../constructs/ops-dashboard';
import { RESTORE_DRILL_SERVICE } from '../constructs/restore-drill';
import { StreamConsumerAlarms } from '../constructs/stream-consumer-alarms';
import { TableAlarms, type TableCapacity } from '../constructs/table-alarms';
import { WorkflowAlarms } from '../constructs/workflow-alarms';
import { stageNames } from '../names';

/**
 * Every DynamoDB operation the functions call on the single table (lambdas/data/; a test checks
 * the list against the code). BatchWriteItem is absent: only the local seed (local/seed.ts) uses
 * it, against DynamoDB Local.
 */
export const TABLE_OPERATIONS = [
  Operation.GET_ITEM,
  Operation.QUERY,
  Operation.SCAN,
  Operation.BATCH_GET_ITEM,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
  Operation.TRANSACT_GET_ITEMS,
] as const;

/** Operations on the request path, whose latency customers feel. Scan serves only the back-office export. */
export const REQUEST_PATH_OPERATIONS = TABLE_OPERATIONS.filter((op) => op !== Operation.SCAN);

/** What Powertools idempotency calls on its table (its DynamoDB persistence layer). */
export const IDEMPOTENCY_OPERATIONS = [
  Operation.GET_ITEM,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
] as const;

/** A Lambda function to watch. */
export interface WatchedFunction {
  /** Short PascalCase name in alarm names and on the dashboard. */
  readonly label: string;
  readonly function: IFunction;
  readonly timeout: Duration;
}

/** A stream consumer to watch: its function, its failure queue and its mapping's limits. */
export interface WatchedStreamConsumer extends WatchedFunction {
  readonly failures: IQueue;
  readonly maxBatchingWindow: Duration;
  readonly maxRecordAge: Duration;
}

/** What the monitoring stack watches of the backup stack. */
export interface WatchedBackup {
  readonly vault: IBackupVault;
  /** Whether recovery points are copied to another region. */
  readonly copies: boolean;
  /** The restore drill's validation function. */
  readonly validation: WatchedFunction;
}

export interface MonitoringStackProps extends StackProps {
  readonly config: AppConfig;
  /** The application key, which encrypts the alarm topic. */
  readonly key: IKey;
  readonly table: ITableV2;
  readonly idempotencyTable: ITableV2;
  /** Absent on a target without an HTTP API. */
  readonly api?: IHttpApi;
  /** The route functions, each with the route keys it serves (for capacity per access pattern). */
  readonly routeFunctions: readonly (WatchedFunction & {
    readonly service: string;
    readonly routeKeys: readonly string[];
  })[];
  readonly streamConsumers: readonly WatchedStreamConsumer[];
  readonly workflowFunctions: readonly WatchedFunction[];
  readonly stateMachine: IStateMachine;
  readonly trigger: IRule;
  readonly bus: IEventBus;
  readonly triggerDeadLetters: IQueue;
  /** Absent where the target has no AWS Backup. */
  readonly backup?: WatchedBackup;
  /** The DAX cluster, with `-c dax=true`, and the functions that read through it. */
  readonly cache?: { readonly clusterName: string; readonly readers: readonly CachedReader[] };
  /**
   * The analytics export: its workflow, the schedule group of the schedule that starts it, and the
   * schedule's dead-letter queue.
   *
   * @default - no analytics stack, no analytics alarms
   */
  readonly analytics?: WatchedAnalytics;
}

/** What the analytics stack gives the monitoring stack to alarm on. */
export interface WatchedAnalytics {
  readonly stateMachine: IStateMachine;
  readonly scheduleGroup: IScheduleGroup;
  readonly scheduleDeadLetters: IQueue;
}

/**
 * The operations stack: alarms on everything that can fail quietly, the topic they notify, the
 * composite alarm to page on, and the dashboard (docs/operations/monitoring.md).
 *
 * It holds nothing stateful and only reads the other stacks' resources, so it can be changed or
 * redeployed on its own; removing it leaves the application running unwatched.
 */
export class MonitoringStack extends Stack {
  readonly alerting: Alerting;
  readonly dashboard?: OpsDashboard;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config } = props;
    const { monitoring, billing } = config;
    const { thresholds } = monitoring;
    const names = stageNames(config);

    this.alerting = new Alerting(this, 'Alerting', {
      encryptionKey: props.key,
      alarmPrefix: names.alarmPrefix,
      topicName: names.alarmTopic,
      subscription: monitoring.subscription,
    });
    const sink = this.alerting;

    const capacity: TableCapacity =
      billing.mode === 'on-demand'
        ? {
            mode: 'on-demand',
            maxReadRequestUnits: billing.maxReadRequestUnits,
            maxWriteRequestUnits: billing.maxWriteRequestUnits,
          }
        : { mode: 'provisioned', maxReadCapacityUnits: billing.read.max, maxWriteCapacityUnits: billing.write.max };
    const globalIndexNames = Object.values(GlobalIndexes).map((index) => index.indexName);

    new TableAlarms(this, 'TableAlarms', {
      table: props.table,
      label: 'Table',
      sink,
      operations: TABLE_OPERATIONS,
      latencyOperations: REQUEST_PATH_OPERATIONS,
      globalIndexNames,
      capacity,
      capacityAlarmPercent: thresholds.capacityPercent,
      latencyP99: Duration.millis(thresholds.latencyP99Ms),
      multiItemLatencyP99: Duration.millis(thresholds.multiItemLatencyP99Ms),
      replicaRegions: config.replicas.map((replica) => replica.region),
      replicationLatency: Duration.millis(thresholds.replicationLatencyMs),
      expectTtlDeletions: monitoring.expectTtlDeletions,
      anomalyAlarms: monitoring.anomalyAlarms,
    });
    // The idempotency table is always on demand; it shares the single table's ceiling (DataStack).
    new TableAlarms(this, 'IdempotencyTableAlarms', {
      table: props.idempotencyTable,
      label: 'IdempotencyTable',
      sink,
      operations: IDEMPOTENCY_OPERATIONS,
      capacity:
        billing.mode === 'on-demand'
          ? {
              mode: 'on-demand',
              maxReadRequestUnits: billing.maxReadRequestUnits,
              maxWriteRequestUnits: billing.maxWriteRequestUnits,
            }
          : undefined,
      capacityAlarmPercent: thresholds.capacityPercent,
      anomalyAlarms: false,
    });

    const functionAlarms = (fn: WatchedFunction, errorSeverity: 'critical' | 'warning') =>
      new FunctionAlarms(this, `${fn.label}Alarms`, {
        function: fn.function,
        timeout: fn.timeout,
        label: fn.label,
        sink,
        errorPercent: thresholds.functionErrorPercent,
        errorSeverity,
        durationPercent: thresholds.functionDurationPercent,
      });
    // Callers see a route function's errors; a consumer's or a step's are retried, and what is
    // given up on raises its own critical alarm (failure queue, failed execution).
    for (const fn of props.routeFunctions) functionAlarms(fn, 'critical');
    for (const fn of props.streamConsumers) functionAlarms(fn, 'warning');
    for (const fn of props.workflowFunctions) functionAlarms(fn, 'warning');

    for (const consumer of props.streamConsumers) {
      new StreamConsumerAlarms(this, `${consumer.label}StreamAlarms`, {
        function: consumer.function,
        failures: consumer.failures,
        maxBatchingWindow: consumer.maxBatchingWindow,
        maxRecordAge: consumer.maxRecordAge,
        label: consumer.label,
        sink,
      });
    }

    new WorkflowAlarms(this, 'FulfilmentAlarms', {
      stateMachine: props.stateMachine,
      trigger: props.trigger,
      bus: props.bus,
      deadLetters: props.triggerDeadLetters,
      label: 'Fulfilment',
      sink,
    });

    if (props.backup !== undefined) {
      new BackupAlarms(this, 'BackupAlarms', {
        vault: props.backup.vault,
        copies: props.backup.copies,
        drillMetrics: { namespace: config.appName, service: RESTORE_DRILL_SERVICE },
        label: 'Backup',
        sink,
      });
      // The drill runs weekly and reports its own failures; errors before a verdict are the function's.
      functionAlarms(props.backup.validation, 'warning');
    }

    if (props.analytics !== undefined) {
      new AnalyticsAlarms(this, 'AnalyticsAlarms', {
        stateMachine: props.analytics.stateMachine,
        scheduleGroup: props.analytics.scheduleGroup,
        deadLetters: props.analytics.scheduleDeadLetters,
        label: 'Analytics',
        sink,
      });
    }

    if (props.api !== undefined) {
      new ApiAlarms(this, 'ApiAlarms', {
        api: props.api,
        label: 'Api',
        sink,
        errorPercent: thresholds.apiErrorPercent,
        latencyP99: Duration.millis(thresholds.apiLatencyP99Ms),
      });
    }

    if (props.cache !== undefined) {
      new DaxAlarms(this, 'DaxAlarms', {
        clusterName: props.cache.clusterName,
        label: 'Dax',
        sink,
        metricsNamespace: config.appName,
        readers: props.cache.readers,
      });
    }

    if (monitoring.dashboard) {
      const routes: DashboardRoute[] = props.routeFunctions.flatMap((fn) =>
        fn.routeKeys.map((routeKey) => ({ service: fn.service, routeKey })),
      );
      this.dashboard = new OpsDashboard(this, 'Dashboard', {
        dashboardName: names.dashboard,
        alarms: [
          this.alerting.pagingAlarm,
          ...this.alerting.alarmsOf('critical'),
          ...this.alerting.alarmsOf('warning'),
        ],
        tables: [
          { label: 'Table', table: props.table, operations: TABLE_OPERATIONS, globalIndexNames, capacity },
          { label: 'IdempotencyTable', table: props.idempotencyTable, operations: IDEMPOTENCY_OPERATIONS },
        ],
        metricsNamespace: config.appName,
        routes,
        streamConsumers: props.streamConsumers,
        queues: [
          ...props.streamConsumers.map((c) => ({ label: `${c.label} failures`, queue: c.failures })),
          { label: 'OrderPlaced dead letters', queue: props.triggerDeadLetters },
        ],
        workflow: { stateMachine: props.stateMachine, trigger: props.trigger, bus: props.bus },
        api: props.api,
        functions: [
          ...props.routeFunctions,
          ...props.streamConsumers,
          ...props.workflowFunctions,
          ...(props.backup === undefined ? [] : [props.backup.validation]),
        ],
      });
    }

    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alerting.topic.topicArn,
      description: 'Subscribe people, pagers or chat to this topic (docs/operations/monitoring.md)',
    });
    new CfnOutput(this, 'PagingAlarmName', {
      value: this.alerting.pagingAlarm.alarmName,
      description: 'In ALARM while any critical alarm is: the one alarm to page on',
    });
  }
}
