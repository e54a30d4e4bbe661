/**
 * Deployment targets: what each can run, and so what the LocalStack target leaves out and why, in
 * one place.
 *
 * `parseConfig` refuses the switches a target cannot run and copies the rest into `AppConfig`
 * (`tracing`, `httpApi`, `dashboard`, `anomalyAlarms`), which is all the stacks read: no stack
 * asks which target it is on. docs/localstack.md lists the same leave-outs with their
 * sources; docs/operations/monitoring.md those of the monitoring stack.
 */
import type { ContextKey, Target } from './config';

/** The context keys of AWS Backup, refused together where the target has no AWS Backup. */
export const BACKUP_KEYS = [
  'backupAdvancedFeatures',
  'backupDailyRetentionDays',
  'backupWeeklyRetentionDays',
  'backupMonthlyRetentionDays',
  'backupCopyVaultArn',
  'restoreCheckTolerancePercent',
] as const satisfies readonly ContextKey[];

/** Context switches that turn on something a target may lack. */
export type RefusableKey = Extract<
  ContextKey,
  | 'dax'
  | 'analytics'
  | 'redshift'
  | 'contributorInsights'
  | 'billing'
  | 'replicaKeyArns'
  | 'maxReadRequestUnits'
  | 'maxWriteRequestUnits'
  | (typeof BACKUP_KEYS)[number]
>;

/** What the stacks build on a target. */
export interface TargetProfile {
  /** X-Ray active tracing on every function and on the state machine. */
  readonly tracing: boolean;
  /**
   * The HTTP API (API Gateway v2) in front of the route functions, with its stage, access logs and
   * invoke policies; without it the functions are deployed on their own.
   */
  readonly httpApi: boolean;
  /** The CloudWatch dashboard of the monitoring stack. */
  readonly dashboard: boolean;
  /** Alarms on CloudWatch anomaly-detection bands (conditional-check failures, transaction conflicts). */
  readonly anomalyAlarms: boolean;
  /** The backup stack: AWS Backup's vault, plan and selection, the restore drill and its validation. */
  readonly backup: boolean;
  /**
   * Switches the target cannot run, each with the reason: `parseConfig` refuses them when they are
   * on, and defaults them to off there.
   */
  readonly refuses: Readonly<Partial<Record<RefusableKey, string>>>;
}

export const TARGET_PROFILES: Readonly<Record<Target, TargetProfile>> = {
  aws: { tracing: true, httpApi: true, dashboard: true, anomalyAlarms: true, backup: true, refuses: {} },
  localstack: {
    // X-Ray is in LocalStack's Ultimate plan only.
    tracing: false,
    // HTTP APIs need LocalStack's Base plan; its free plan has REST APIs only. Leaving the API out
    // lets the rest deploy on the free plan, where CloudFormation would otherwise fail on (or
    // silently skip) the AWS::ApiGatewayV2 resources.
    httpApi: false,
    // LocalStack's CloudFormation has providers for AWS::CloudWatch::Alarm and ::CompositeAlarm
    // (localstack/localstack#9296), SNS topics, subscriptions and topic policies, but none for
    // AWS::CloudWatch::Dashboard, and its CloudWatch does not implement anomaly detection
    // (PutAnomalyDetector). Metric alarms and the topic deploy; nothing there evaluates math or
    // anomaly bands the way CloudWatch does.
    dashboard: false,
    anomalyAlarms: false,
    // AWS Backup (vaults, plans, selections, restore testing) is in LocalStack's paid plans only, so
    // the backup stack is left out and its keys refused; PITR's restores are the table's own API.
    backup: false,
    refuses: {
      ...Object.fromEntries(
        BACKUP_KEYS.map((key) => [
          key,
          "AWS Backup needs one of LocalStack's paid plans, so the backup stack is left out",
        ]),
      ),
      dax: 'LocalStack has no DAX in any plan',
      analytics:
        'LocalStack has no DynamoDB table export or Redshift Serverless in any plan, and Glue needs its Ultimate plan',
      redshift: 'LocalStack has no Redshift Serverless in any plan',
      contributorInsights:
        'LocalStack\'s AWS::DynamoDB::GlobalTable does not apply Contributor Insights; leave it unset or "off"',
      billing:
        'LocalStack cannot create a provisioned AWS::DynamoDB::GlobalTable (CreateTable rejects its autoscaled capacity); leave it unset or "on-demand"',
      replicaKeyArns: 'LocalStack fails to create an AWS::DynamoDB::GlobalTable with replicas in other regions',
      maxReadRequestUnits:
        'an on-demand ceiling is a cost guard and LocalStack bills nothing; whether its AWS::DynamoDB::GlobalTable provider applies one is unverified',
      maxWriteRequestUnits:
        'an on-demand ceiling is a cost guard and LocalStack bills nothing; whether its AWS::DynamoDB::GlobalTable provider applies one is unverified',
    },
  },
};
