import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IBackupVault } from 'aws-cdk-lib/aws-backup';
import { CfnRestoreTestingPlan, CfnRestoreTestingSelection } from 'aws-cdk-lib/aws-backup';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Tracing } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { GlobalIndexes, LocalIndexes } from '../../lambdas/model/table-design';
import { acknowledgeWildcardResources } from '../nag';
import { AppFunction } from './app-function';

export interface RestoreDrillProps {
  /** The protected table: restored from its recovery points, and the validation's source. */
  readonly table: ITableV2;
  /** The vault whose recovery points are restored. */
  readonly vault: IBackupVault;
  /** The role AWS Backup restores with. */
  readonly restoreRole: IRole;
  /** Encrypts the restored table (the table's own key) and the validation function's logs. */
  readonly key: IKey;
  /** Name of the restore testing plan: letters, digits and underscores. */
  readonly planName: string;
  /** Write shards of the status index, for the canary orders. */
  readonly statusShards: number;
  /** How far below the source a restored entity type's count may be (lambdas/model/restore-check.ts). */
  readonly tolerancePercent: number;
  readonly metricsNamespace: string;
  /**
   * When the drill runs, as an AWS Backup cron expression in UTC.
   *
   * @default - every Tuesday at 06:00 UTC, after the weekend's weekly recovery point
   */
  readonly schedule?: string;
  /**
   * Hours AWS Backup keeps the restored table for validation before it deletes it.
   *
   * @default 2
   */
  readonly validationWindowHours?: number;
  /**
   * X-Ray tracing of the validation function.
   *
   * @default - the function construct's default, active
   */
  readonly tracing?: Tracing;
}

/** The defaults, visible in one place. */
const DEFAULTS = { schedule: 'cron(0 6 ? * TUE *)', validationWindowHours: 2 } as const;

/** The prefix AWS Backup gives the tables restore testing creates (its inferred `targetTableName`). */
export const RESTORE_TEST_TABLE_PREFIX = 'awsbackup-restore-test-';

/** Powertools service name of the validation function: the `service` dimension of its metrics. */
export const RESTORE_DRILL_SERVICE = 'RestoreDrill';

/**
 * A scheduled restore drill: AWS Backup restore testing restores the table's latest recovery point
 * of the week into a new table, encrypted with the table's own key, and a validation function,
 * started by the restore job's completion event, verifies it with the same checks as
 * `npm run restore` and reports the verdict to AWS Backup (PutRestoreValidationResult). AWS Backup
 * deletes the restored table when the validation window ends.
 */
export class RestoreDrill extends Construct {
  readonly plan: CfnRestoreTestingPlan;
  readonly selection: CfnRestoreTestingSelection;
  readonly validation: AppFunction;
  readonly trigger: Rule;

  constructor(scope: Construct, id: string, props: RestoreDrillProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_]{1,50}$/.test(props.planName)) {
      throw new Error(
        `RestoreDrill ${id}: planName must be 1 to 50 letters, digits or underscores, got ${JSON.stringify(props.planName)}`,
      );
    }
    const windowHours = props.validationWindowHours ?? DEFAULTS.validationWindowHours;
    if (!Number.isInteger(windowHours) || windowHours < 1 || windowHours > 168) {
      throw new Error(
        `RestoreDrill ${id}: validationWindowHours must be a whole number from 1 to 168, got ${windowHours}`,
      );
    }
    const stack = Stack.of(this);

    this.plan = new CfnRestoreTestingPlan(this, 'Plan', {
      restoreTestingPlanName: props.planName,
      scheduleExpression: props.schedule ?? DEFAULTS.schedule,
      scheduleExpressionTimezone: 'Etc/UTC',
      startWindowHours: 1,
      recoveryPointSelection: {
        algorithm: 'LATEST_WITHIN_WINDOW',
        includeVaults: [props.vault.backupVaultArn],
        recoveryPointTypes: ['SNAPSHOT'],
        selectionWindowDays: 7,
      },
    });
    this.selection = new CfnRestoreTestingSelection(this, 'Selection', {
      restoreTestingPlanName: this.plan.restoreTestingPlanName,
      restoreTestingSelectionName: 'Table',
      protectedResourceType: 'DynamoDB',
      protectedResourceArns: [props.table.tableArn],
      iamRoleArn: props.restoreRole.roleArn,
      // AWS Backup would restore with an AWS-owned key: a week's copy of the customers' data
      // deserves the same key as the table.
      restoreMetadataOverrides: { encryptionType: 'KMS', kmsMasterKeyArn: props.key.keyArn },
      validationWindowHours: windowHours,
    });
    this.selection.node.addDependency(this.plan);

    this.validation = new AppFunction(this, 'Validation', {
      handler: 'backup/validate-restore.ts',
      description: 'Restore drill: verifies the table AWS Backup restore testing restored, and reports to AWS Backup',
      encryptionKey: props.key,
      serviceName: RESTORE_DRILL_SERVICE,
      metricsNamespace: props.metricsNamespace,
      memorySize: 1024,
      // A full count of a large table takes minutes; Lambda allows fifteen.
      timeout: Duration.minutes(15),
      tracing: props.tracing,
    });
    // The source table, to compare the restored one with: counted by Scan, its indexes by Query.
    this.validation
      .bindTable(props.table, {
        actions: ['dynamodb:Query', 'dynamodb:Scan'],
        indexes: [...Object.values(GlobalIndexes), ...Object.values(LocalIndexes)].map((i) => i.indexName),
      })
      .withEnvironment({
        STATUS_SHARDS: String(props.statusShards),
        RESTORE_CHECK_TOLERANCE_PERCENT: String(props.tolerancePercent),
      });
    const restoredTables = stack.formatArn({
      service: 'dynamodb',
      resource: 'table',
      resourceName: `${RESTORE_TEST_TABLE_PREFIX}*`,
    });
    this.validation.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadRestoredTables',
        actions: ['dynamodb:DescribeTable', 'dynamodb:Scan', 'dynamodb:Query'],
        resources: [restoredTables, `${restoredTables}/index/*`],
      }),
    );
    this.validation.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReportValidation',
        actions: ['backup:DescribeRestoreJob', 'backup:PutRestoreValidationResult'],
        resources: ['*'],
      }),
    );
    acknowledgeWildcardResources(
      this.validation.role,
      [restoredTables, `${restoredTables}/index/*`],
      'Restore testing names each restored table awsbackup-restore-test- and a random suffix (its inferred targetTableName, which cannot be overridden): the grant reads only such tables and their indexes.',
    );
    Validations.of(this.validation.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Besides X-Ray: backup:DescribeRestoreJob and backup:PutRestoreValidationResult name a restore job by an id that exists only once the drill runs; there is no ARN to grant on beforehand.',
    });

    this.trigger = new Rule(this, 'OnRestoreTested', {
      description: 'A restore test of the table completed: validate the restored table',
      eventPattern: {
        source: ['aws.backup'],
        detailType: ['Restore Job State Change'],
        detail: {
          status: ['COMPLETED'],
          resourceType: ['DynamoDB'],
          restoreTestingPlanArn: [this.plan.attrRestoreTestingPlanArn],
        },
      },
      targets: [new LambdaFunction(this.validation.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });
  }
}
