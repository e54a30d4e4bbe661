import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Tracing } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { AppConfig, BackupConfig } from '../config';
import { AdvancedBackupFeatures } from '../constructs/advanced-backup-features';
import { RestoreDrill } from '../constructs/restore-drill';
import { TableBackup } from '../constructs/table-backup';

export interface BackupStackProps extends StackProps {
  readonly config: AppConfig;
  readonly backup: BackupConfig;
  /** The single table. */
  readonly table: ITableV2;
  /** The application key: encrypts the drill's restored table and the validation function's logs. */
  readonly key: IKey;
}

/**
 * The data-protection stack: AWS Backup's vault (with a key of its own), plan and selection for the
 * single table, optional copies to another region, the account's advanced DynamoDB backup features,
 * and the weekly restore drill with its validation (docs/operations/backup-and-restore.md).
 *
 * Stateful like the data stack: the vault holds the recovery points, so in production it is
 * retained, locked and termination-protected. Its alarms live in the monitoring stack.
 */
export class BackupStack extends Stack {
  readonly tableBackup: TableBackup;
  readonly drill: RestoreDrill;

  constructor(scope: Construct, id: string, props: BackupStackProps) {
    super(scope, id, props);
    const { config, backup } = props;
    const retention = {
      daily: Duration.days(backup.dailyRetentionDays),
      weekly: Duration.days(backup.weeklyRetentionDays),
      monthly: Duration.days(backup.monthlyRetentionDays),
    };
    this.tableBackup = new TableBackup(this, 'TableBackup', {
      table: props.table,
      retention,
      monthlyColdStorageAfter:
        backup.coldStorageAfterDays === undefined ? undefined : Duration.days(backup.coldStorageAfterDays),
      copyVaultArn: backup.copyVault?.arn,
      // Production: locked between the shortest and the longest retention the plan uses, and no one
      // may delete a recovery point. A dev stage must be removable, which needs both off.
      ...(config.retainData
        ? { lock: { minRetention: retention.daily, maxRetention: retention.monthly }, blockRecoveryPointDeletion: true }
        : { blockRecoveryPointDeletion: false }),
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    if (backup.advancedFeatures) {
      const features = new AdvancedBackupFeatures(this, 'AdvancedDynamoDbBackup');
      // Backups made before the setting is on would be DynamoDB backups, encrypted with the table's key.
      this.tableBackup.plan.node.addDependency(features);
    }

    this.drill = new RestoreDrill(this, 'RestoreDrill', {
      table: props.table,
      vault: this.tableBackup.vault,
      restoreRole: this.tableBackup.role,
      key: props.key,
      planName: `${config.appName}_${config.stage}_table_drill`,
      statusShards: config.statusShards,
      tolerancePercent: backup.restoreCheckTolerancePercent,
      metricsNamespace: config.appName,
      tracing: config.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
    });

    new CfnOutput(this, 'BackupVaultName', {
      value: this.tableBackup.vault.backupVaultName,
      description: 'The vault of the table’s recovery points (npm run restore -- --help)',
    });
    new CfnOutput(this, 'RestoreRoleArn', {
      value: this.tableBackup.role.roleArn,
      description: 'The role AWS Backup restores with',
    });
  }
}
