import { Duration } from 'aws-cdk-lib';
import type { IBackupVault } from 'aws-cdk-lib/aws-backup';
import { type Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { type AlarmSink, thresholdAlarm } from '../alarms';

export interface BackupAlarmsProps {
  /** The vault the plan backs up to. */
  readonly vault: IBackupVault;
  /** Whether the plan copies recovery points to another region. */
  readonly copies: boolean;
  /** Namespace and service of the restore drill's validation metrics (lambdas/backup/restore-validation.ts). */
  readonly drillMetrics: { readonly namespace: string; readonly service: string };
  /** Short PascalCase name in alarm names, e.g. `Backup`. */
  readonly label: string;
  readonly sink: AlarmSink;
}

/** AWS Backup publishes job counts every five minutes. */
const FIVE_MINUTES = Duration.minutes(5);
const ONE_DAY = Duration.days(1);

/**
 * The alarms of the table's backups: backup jobs that failed or never started, copies to the other
 * region that failed, a restore drill that failed (its restore job, or the validation of what it
 * restored), and a drill that has not succeeded for a week.
 *
 * AWS/Backup metrics are published by `BackupVaultName` and by `ResourceType`
 * (test/fixtures/metric-contract.ts). Backup jobs are counted for this vault alone. Copy and
 * restore jobs are counted for every DynamoDB resource of the account and region, because the
 * guide does not say under which vault (source or destination, or none for a restore) they are
 * filed: in an account shared with other DynamoDB backups they may fire for those too.
 */
export class BackupAlarms extends Construct {
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: BackupAlarmsProps) {
    super(scope, id);
    const { label, sink } = props;
    const backupMetric = (metricName: string, dimensionsMap: Record<string, string>, period = FIVE_MINUTES) =>
      new Metric({ namespace: 'AWS/Backup', metricName, dimensionsMap, statistic: 'Sum', period });
    const byVault = { BackupVaultName: props.vault.backupVaultName };
    const dynamoDb = { ResourceType: 'DynamoDB' };
    const drillMetric = (metricName: string, period: Duration) =>
      new Metric({
        namespace: props.drillMetrics.namespace,
        metricName,
        dimensionsMap: { service: props.drillMetrics.service },
        statistic: 'Sum',
        period,
      });

    this.alarms = [
      thresholdAlarm(this, 'JobsFailed', sink, {
        subject: `${label}-JobsFailed`,
        severity: 'warning',
        meaning: `${label}: a backup job of the table failed, or expired without starting in its one-hour window (NumberOfBackupJobsFailed + NumberOfBackupJobsExpired, this vault): that day's, week's or month's recovery point is missing. Point-in-time recovery still covers its own window.`,
        runbook: 'backup-jobs-failed',
        metric: new MathExpression({
          expression: 'FILL(failed, 0) + FILL(expired, 0)',
          usingMetrics: {
            failed: backupMetric('NumberOfBackupJobsFailed', byVault),
            expired: backupMetric('NumberOfBackupJobsExpired', byVault),
          },
          label: 'Backup jobs failed or expired',
          period: FIVE_MINUTES,
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      ...(props.copies
        ? [
            thresholdAlarm(this, 'CopyJobsFailed', sink, {
              subject: `${label}-CopyJobsFailed`,
              severity: 'warning',
              meaning: `${label}: a copy of a DynamoDB recovery point to the other region's vault failed (NumberOfCopyJobsFailed, ResourceType DynamoDB): that recovery point has no copy outside this region.`,
              runbook: 'backup-copy-jobs-failed',
              metric: backupMetric('NumberOfCopyJobsFailed', dynamoDb),
              threshold: 1,
              comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
              evaluationPeriods: 1,
              treatMissingData: TreatMissingData.NOT_BREACHING,
            }),
          ]
        : []),
      thresholdAlarm(this, 'RestoreDrillFailed', sink, {
        subject: `${label}-RestoreDrillFailed`,
        severity: 'warning',
        meaning: `${label}: the restore drill failed: AWS Backup could not restore a DynamoDB recovery point (NumberOfRestoreJobsFailed), or the restored table failed verification (RestoreValidationFailed: counts, canary orders or indexes). Until this is understood, assume a restore at 3 a.m. would fail the same way.`,
        runbook: 'restore-drill-failed',
        metric: new MathExpression({
          expression: 'FILL(restoreFailed, 0) + FILL(validationFailed, 0)',
          usingMetrics: {
            restoreFailed: backupMetric('NumberOfRestoreJobsFailed', dynamoDb),
            validationFailed: drillMetric('RestoreValidationFailed', FIVE_MINUTES),
          },
          label: 'Restore drill failures',
          period: FIVE_MINUTES,
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      thresholdAlarm(this, 'RestoreDrillNotRun', sink, {
        subject: `${label}-RestoreDrillNotRun`,
        severity: 'warning',
        meaning: `${label}: no restore drill has verified a restored table for seven days (RestoreValidationSucceeded, daily sums); the drill runs weekly. A drill that stops running fails silently otherwise.`,
        runbook: 'restore-drill-did-not-run',
        metric: drillMetric('RestoreValidationSucceeded', ONE_DAY),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        // CloudWatch evaluates at most seven days of daily periods; a weekly drill that succeeds
        // leaves at most six empty days between two successes.
        evaluationPeriods: 7,
        datapointsToAlarm: 7,
        treatMissingData: TreatMissingData.BREACHING,
      }),
    ];
  }
}
