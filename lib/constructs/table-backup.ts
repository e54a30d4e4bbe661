import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupSelection, BackupVault } from 'aws-cdk-lib/aws-backup';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** How long each kind of recovery point is kept. */
export interface BackupRetention {
  readonly daily: Duration;
  readonly weekly: Duration;
  readonly monthly: Duration;
}

export interface TableBackupProps {
  /** The table to back up. */
  readonly table: ITableV2;
  readonly retention: BackupRetention;
  /**
   * When monthly recovery points move to cold storage. AWS Backup tiers DynamoDB recovery points
   * only with its advanced DynamoDB features on, and keeps them there at least 90 days.
   *
   * @default - they stay in warm storage
   */
  readonly monthlyColdStorageAfter?: Duration;
  /**
   * ARN of a vault in another region that receives a copy of every recovery point, kept as long as
   * the original.
   *
   * @default - no copies
   */
  readonly copyVaultArn?: string;
  /**
   * Lock the vault: recovery points cannot be deleted or shortened before the lock's minimum
   * retention, and none may be kept longer than its maximum. Governance mode (no grace period set),
   * so that a user with `backup:DeleteBackupVaultLockConfiguration` can still remove it.
   *
   * @default - no lock
   */
  readonly lock?: { readonly minRetention: Duration; readonly maxRetention: Duration };
  /**
   * Deny `backup:DeleteRecoveryPoint` and `backup:UpdateRecoveryPointLifecycle` to everyone in the
   * vault's access policy; the plan's own lifecycle still expires them.
   *
   * @default true
   */
  readonly blockRecoveryPointDeletion?: boolean;
  /**
   * What happens to the vault and its key when they leave the stack. A vault that holds recovery
   * points cannot be deleted until they are.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The safe choices, visible in one place. */
const SECURE_DEFAULTS = {
  blockRecoveryPointDeletion: true,
  removalPolicy: RemovalPolicy.RETAIN,
} as const;

/** Rule schedules, in UTC, spread so that rules of one day never start together. */
export const BACKUP_SCHEDULES = {
  daily: 'cron(0 3 * * ? *)',
  weekly: 'cron(0 4 ? * SUN *)',
  monthly: 'cron(0 5 1 * ? *)',
} as const;

const days = (d: Duration) => d.toDays();

/**
 * AWS Backup for one table: a vault encrypted with a key of its own, a plan with daily, weekly and
 * monthly rules, and a selection of the table whose role may back it up and restore it.
 *
 * The vault's key is not the table's: with AWS Backup's advanced DynamoDB features on, recovery
 * points are encrypted with the vault's key, so they stay restorable when the table's key is
 * disabled, scheduled for deletion or its policy broken, and a principal that can use the table's
 * key cannot thereby read the backups.
 *
 * @example
 * new TableBackup(this, 'Backup', { table, retention: { daily: Duration.days(7), weekly: Duration.days(35), monthly: Duration.days(120) } });
 */
export class TableBackup extends Construct {
  readonly vault: BackupVault;
  readonly key: Key;
  readonly plan: BackupPlan;
  /** The role AWS Backup assumes to back up and restore the table; the restore drill uses it too. */
  readonly role: Role;

  constructor(scope: Construct, id: string, props: TableBackupProps) {
    super(scope, id);
    const { retention, lock } = props;
    const removalPolicy = props.removalPolicy ?? SECURE_DEFAULTS.removalPolicy;
    const [daily, weekly, monthly] = [retention.daily, retention.weekly, retention.monthly].map((d) =>
      Token.isUnresolved(d) ? Number.NaN : days(d),
    ) as [number, number, number];
    if (daily > weekly || weekly > monthly) {
      throw new Error(
        `TableBackup ${id}: retention must grow from daily to weekly to monthly, got ${daily}, ${weekly}, ${monthly} days`,
      );
    }
    const cold = props.monthlyColdStorageAfter;
    if (cold !== undefined && monthly < days(cold) + 90) {
      throw new Error(
        `TableBackup ${id}: monthly retention (${monthly} days) must be at least 90 days beyond the move to cold storage (${days(cold)} days)`,
      );
    }
    if (lock !== undefined && (days(lock.minRetention) > daily || days(lock.maxRetention) < monthly)) {
      throw new Error(
        `TableBackup ${id}: the lock's retention (${days(lock.minRetention)} to ${days(lock.maxRetention)} days) must allow every rule's (${daily} to ${monthly} days), or backup jobs fail`,
      );
    }

    this.key = new Key(this, 'Key', {
      description: `Encrypts the recovery points in the ${this.node.path} backup vault`,
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(30),
    });
    this.vault = new BackupVault(this, 'Vault', {
      encryptionKey: this.key,
      blockRecoveryPointDeletion: props.blockRecoveryPointDeletion ?? SECURE_DEFAULTS.blockRecoveryPointDeletion,
      lockConfiguration: lock,
      removalPolicy,
    });

    const copyActions = (deleteAfter: Duration, moveToColdStorageAfter?: Duration) =>
      props.copyVaultArn === undefined
        ? undefined
        : [
            {
              destinationBackupVault: BackupVault.fromBackupVaultArn(
                this,
                `CopyVault${days(deleteAfter)}`,
                props.copyVaultArn,
              ),
              deleteAfter,
              moveToColdStorageAfter,
            },
          ];
    const rule = (ruleName: string, schedule: string, deleteAfter: Duration, moveToColdStorageAfter?: Duration) =>
      new BackupPlanRule({
        ruleName,
        scheduleExpression: Schedule.expression(schedule),
        startWindow: Duration.hours(1),
        completionWindow: Duration.hours(8),
        deleteAfter,
        moveToColdStorageAfter,
        copyActions: copyActions(deleteAfter, moveToColdStorageAfter),
      });
    this.plan = new BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: [
        rule('Daily', BACKUP_SCHEDULES.daily, retention.daily),
        rule('Weekly', BACKUP_SCHEDULES.weekly, retention.weekly),
        rule('Monthly', BACKUP_SCHEDULES.monthly, retention.monthly, cold),
      ],
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup backs up and restores the table with this role',
    });
    new BackupSelection(this, 'Selection', {
      backupPlan: this.plan,
      resources: [BackupResource.fromDynamoDbTable(props.table)],
      role: this.role,
      allowRestores: true,
    });
    Validations.of(this.role).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
        reason:
          'AWS Backup documents this policy (or its equivalent) as required for advanced DynamoDB backups, and AWS keeps it current as DynamoDB backup actions change; only backup.amazonaws.com assumes the role, for this selection.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
        reason:
          'AWS Backup documents this policy as required to restore advanced DynamoDB backups (RestoreTableFromAwsBackup and the table settings a restore writes); only backup.amazonaws.com assumes the role.',
      },
    );
  }
}
