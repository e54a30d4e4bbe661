import type { App } from 'aws-cdk-lib';
import { routeList } from '../lambdas/model/api-catalogue';
import { FUNCTION_GROUPS, type FunctionGroup } from '../lambdas/model/api-routes';
import type { AppConfig } from './config';
import { AnalyticsStack } from './stacks/analytics-stack';
import { ApiStack } from './stacks/api-stack';
import { BackupStack } from './stacks/backup-stack';
import { DataStack } from './stacks/data-stack';
import { FulfilmentStack } from './stacks/fulfilment-stack';
import { MonitoringStack } from './stacks/monitoring-stack';
import { StreamsStack } from './stacks/streams-stack';

/** The stacks of one stage, for callers that wire them further or test them. */
export interface StoreStacks {
  readonly data: DataStack;
  /** Absent where the target has no AWS Backup (lib/targets.ts). */
  readonly backup?: BackupStack;
  readonly api: ApiStack;
  readonly streams: StreamsStack;
  readonly fulfilment: FulfilmentStack;
  readonly monitoring: MonitoringStack;
  /** Only with `analytics` on. */
  readonly analytics?: AnalyticsStack;
}

/**
 * Add the application's stacks for one stage to an app.
 *
 * `bin/app.ts` calls this with the configuration it read from context; tests call it with theirs.
 */
export function addStoreStacks(app: App, config: AppConfig): StoreStacks {
  const env = { account: config.account, region: config.region };
  const prefix = `${config.appName}-${config.stage}`;
  const data = new DataStack(app, `${prefix}-Data`, {
    env,
    config,
    description: `${config.appName} (${config.stage}): KMS key, the single DynamoDB table and the shoppers' user pool`,
    terminationProtection: config.retainData,
  });
  const backup =
    config.backup === undefined
      ? undefined
      : new BackupStack(app, `${prefix}-Backup`, {
          env,
          config,
          backup: config.backup,
          table: data.table,
          key: data.key,
          description: `${config.appName} (${config.stage}): AWS Backup vault and plan for the table, and the weekly restore drill`,
          terminationProtection: config.retainData,
        });
  const api = new ApiStack(app, `${prefix}-Api`, {
    env,
    config,
    table: data.table,
    idempotencyTable: data.idempotencyTable,
    key: data.key,
    ...(data.shoppers === undefined ? {} : { shoppers: data.shoppers }),
    description: `${config.appName} (${config.stage}): HTTP API and its Lambda functions`,
  });
  const streams = new StreamsStack(app, `${prefix}-Streams`, {
    env,
    config,
    table: data.table,
    key: data.key,
    description: `${config.appName} (${config.stage}): stream consumers, the event bus and the expired-cart archive`,
  });
  const fulfilment = new FulfilmentStack(app, `${prefix}-Fulfilment`, {
    env,
    config,
    table: data.table,
    key: data.key,
    bus: streams.bus,
    description: `${config.appName} (${config.stage}): the order fulfilment workflow (Step Functions)`,
  });
  const analytics = config.analytics
    ? new AnalyticsStack(app, `${prefix}-Analytics`, {
        env,
        config,
        table: data.table,
        key: data.key,
        archive: streams.archive,
        description: `${config.appName} (${config.stage}): nightly export to the S3 lake, Glue curation, Athena reports${config.redshift ? ' and Redshift Serverless' : ''}`,
      })
    : undefined;
  const monitoring = new MonitoringStack(app, `${prefix}-Monitoring`, {
    env,
    config,
    key: data.key,
    table: data.table,
    idempotencyTable: data.idempotencyTable,
    api: api.api,
    routeFunctions: (Object.keys(FUNCTION_GROUPS) as FunctionGroup[]).map((group) => {
      const fn = api.functions[group];
      return {
        label: group,
        function: fn.function,
        timeout: fn.timeout,
        service: fn.serviceName,
        routeKeys: routeList()
          .filter((route) => route.group === group)
          .map((route) => route.route),
      };
    }),
    streamConsumers: Object.entries(streams.consumers).map(([label, consumer]) => ({
      label,
      function: consumer.function.function,
      timeout: consumer.function.timeout,
      failures: consumer.failures,
      maxBatchingWindow: consumer.delivery.maxBatchingWindow,
      maxRecordAge: consumer.delivery.maxRecordAge,
    })),
    workflowFunctions: Object.entries(fulfilment.functions).map(([label, fn]) => ({
      label,
      function: fn.function,
      timeout: fn.timeout,
    })),
    stateMachine: fulfilment.stateMachine,
    trigger: fulfilment.trigger,
    bus: streams.bus,
    triggerDeadLetters: fulfilment.triggerDeadLetters,
    backup:
      backup === undefined
        ? undefined
        : {
            vault: backup.tableBackup.vault,
            copies: config.backup?.copyVault !== undefined,
            validation: {
              label: 'RestoreDrill',
              function: backup.drill.validation.function,
              timeout: backup.drill.validation.timeout,
            },
          },
    ...(api.cache === undefined
      ? {}
      : {
          cache: {
            clusterName: api.cache.clusterName,
            readers: api.cachedGroups.map((group) => ({
              service: api.functions[group].serviceName,
              routeKeys: routeList()
                .filter((route) => route.group === group && route.cached === true)
                .map((route) => route.route),
            })),
          },
        }),
    ...(analytics === undefined
      ? {}
      : {
          analytics: {
            stateMachine: analytics.workflow.stateMachine,
            scheduleGroup: analytics.workflow.scheduleGroup,
            scheduleDeadLetters: analytics.workflow.deadLetters,
          },
        }),
    description: `${config.appName} (${config.stage}): alarms, the alarm topic and the operations dashboard`,
  });
  return {
    data,
    ...(backup === undefined ? {} : { backup }),
    api,
    streams,
    fulfilment,
    monitoring,
    ...(analytics === undefined ? {} : { analytics }),
  };
}
