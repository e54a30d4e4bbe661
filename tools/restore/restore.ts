/**
 * `npm run restore`: restore the single table to a point in time or from a backup into a new
 * table, wait for it, reapply what a restore does not carry over, verify it, and say how to cut
 * over or copy items back (docs/operations/backup-and-restore.md).
 */
import {
  ApplicationAutoScalingClient,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { BackupClient, ListRecoveryPointsByResourceCommand, StartRestoreJobCommand } from '@aws-sdk/client-backup';
import {
  BackupNotFoundException,
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutResourcePolicyCommand,
  ResourceNotFoundException,
  RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand,
  type SSESpecification,
  type TableDescription,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateContributorInsightsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { verifyRestoredTable } from '../../lambdas/data/restore-verification';
import { type EntityCounts, formatRestoreCheck, type RestoreCheck } from '../../lambdas/model/restore-check';
import { cutOverSteps } from './cut-over';
import { describeSettings, type TableSettings } from './table-settings';

/** Where the restored data comes from. */
export type RestoreSource =
  | { readonly kind: 'point-in-time'; readonly time: Date }
  | { readonly kind: 'latest' }
  | { readonly kind: 'backup'; readonly backupArn: string };

export interface RestoreOptions {
  readonly sourceTable: string;
  readonly targetTable: string;
  readonly from: RestoreSource;
  /** From the data stack's synthesized template. */
  readonly settings: TableSettings;
  readonly statusShards: number;
  readonly tolerancePercent: number;
  /** Counts the restored table must hold exactly, instead of a comparison with the source now. */
  readonly expectedCounts?: { readonly label: string; readonly counts: EntityCounts };
  /** The role AWS Backup restores with (the Backup stack's RestoreRoleArn output), for AWS Backup recovery points. */
  readonly restoreRoleArn?: string;
  readonly dryRun: boolean;
  /** Between two looks at a restore in progress. */
  readonly pollMs?: number;
  readonly log: (line: string) => void;
  /** SDK clients; built from the environment (region, credentials, AWS_ENDPOINT_URL*) when absent. */
  readonly clients?: () => RestoreClients;
}

export interface RestoreClients {
  readonly dynamodb: DynamoDBClient;
  readonly backup: BackupClient;
  readonly autoscaling: ApplicationAutoScalingClient;
}

/** A mistake the person can fix: printed as it is, without a stack trace. */
export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

export interface RestoreResult {
  readonly targetTable: string;
  readonly restoreSeconds: number;
  /** What was reapplied, and what failed and must be done by hand. */
  readonly reapplied: readonly { readonly setting: string; readonly error?: string }[];
  readonly check?: RestoreCheck;
}

const isBackupServiceArn = (arn: string) => /^arn:aws[a-z-]*:backup:/.test(arn);

function describeSource(from: RestoreSource): string {
  switch (from.kind) {
    case 'point-in-time':
      return `the point in time ${from.time.toISOString()} (RestoreTableToPointInTime)`;
    case 'latest':
      return 'the latest restorable time, about five minutes ago (RestoreTableToPointInTime)';
    case 'backup':
      return isBackupServiceArn(from.backupArn)
        ? `the AWS Backup recovery point ${from.backupArn} (StartRestoreJob)`
        : `the DynamoDB backup ${from.backupArn} (RestoreTableFromBackup)`;
  }
}

/** The plan, as `--dry-run` prints it and every run starts with. */
export function restorePlan(options: RestoreOptions): string[] {
  return [
    `Restore plan${options.dryRun ? ' (dry run: nothing is called)' : ''}:`,
    `  1. Check that ${options.sourceTable} exists and that the source is restorable.`,
    `  2. Restore ${describeSource(options.from)} into the new table ${options.targetTable}, encrypted with the source's key, and wait until it is active.`,
    '  3. Reapply what a restore does not carry over, from the synthesized data stack:',
    ...describeSettings(options.settings).map((line) => `       - ${line}`),
    `  4. Verify: items per entity type against ${options.expectedCounts === undefined ? `the source now (at most ${options.tolerancePercent}% short)` : options.expectedCounts.label}, canary orders, every index.`,
    '  5. Print the steps to cut over, or to copy items back.',
  ];
}

async function describeTable(dynamodb: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  try {
    return (await dynamodb.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Run the plan: restore, wait, reapply, verify, print the way forward. */
export async function runRestore(options: RestoreOptions): Promise<RestoreResult | undefined> {
  const { log } = options;
  for (const line of restorePlan(options)) log(line);
  if (options.dryRun) return undefined;
  const clients =
    options.clients?.() ??
    ({
      dynamodb: new DynamoDBClient({}),
      backup: new BackupClient({}),
      autoscaling: new ApplicationAutoScalingClient({}),
    } satisfies RestoreClients);
  const { dynamodb } = clients;

  // 1. Checks, each with what to do about it.
  log('');
  const source = await describeTable(dynamodb, options.sourceTable);
  if (source === undefined && options.from.kind !== 'backup') {
    throw new RestoreError(
      `Table ${options.sourceTable} does not exist in this account and region: check --source-table, AWS_REGION and the credentials' account. A deleted table can only be restored from a backup (--backup-arn).`,
    );
  }
  if ((await describeTable(dynamodb, options.targetTable)) !== undefined) {
    throw new RestoreError(`Table ${options.targetTable} exists already: choose another --target-table.`);
  }
  let recoveryPoint: Date;
  let sse: SSESpecification | undefined = source?.SSEDescription?.KMSMasterKeyArn
    ? { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: source.SSEDescription.KMSMasterKeyArn }
    : undefined;
  if (options.from.kind === 'backup') {
    recoveryPoint = await checkBackup(clients, options, options.from.backupArn);
  } else {
    const { ContinuousBackupsDescription: pitr } = await dynamodb.send(
      new DescribeContinuousBackupsCommand({ TableName: options.sourceTable }),
    );
    const window = pitr?.PointInTimeRecoveryDescription;
    if (window?.PointInTimeRecoveryStatus !== 'ENABLED') {
      throw new RestoreError(
        `Point-in-time recovery is not enabled on ${options.sourceTable}: restore from a backup instead (--backup-arn; aws dynamodb list-backups --table-name ${options.sourceTable}).`,
      );
    }
    const earliest = window.EarliestRestorableDateTime;
    const latest = window.LatestRestorableDateTime;
    if (options.from.kind === 'point-in-time') {
      const time = options.from.time;
      if ((earliest !== undefined && time < earliest) || (latest !== undefined && time > latest)) {
        throw new RestoreError(
          `--to-time ${time.toISOString()} is outside the recovery window of ${options.sourceTable}: ${earliest?.toISOString()} to ${latest?.toISOString()}. Choose a time inside it, or --latest.`,
        );
      }
      recoveryPoint = time;
    } else {
      recoveryPoint = latest ?? new Date();
    }
  }
  log(`Source checked; the restored data is from ${recoveryPoint.toISOString()}.`);

  // 2. Restore and wait.
  const started = Date.now();
  if (options.from.kind === 'backup' && isBackupServiceArn(options.from.backupArn)) {
    if (options.restoreRoleArn === undefined) {
      throw new RestoreError(
        'An AWS Backup recovery point is restored by AWS Backup with a role: pass --restore-role-arn (the Backup stack output RestoreRoleArn).',
      );
    }
    const job = await clients.backup.send(
      new StartRestoreJobCommand({
        RecoveryPointArn: options.from.backupArn,
        IamRoleArn: options.restoreRoleArn,
        ResourceType: 'DynamoDB',
        Metadata: {
          targetTableName: options.targetTable,
          ...(sse?.KMSMasterKeyId ? { encryptionType: 'KMS', kmsMasterKeyArn: sse.KMSMasterKeyId } : {}),
        },
      }),
    );
    log(`AWS Backup restore job ${job.RestoreJobId} started.`);
  } else if (options.from.kind === 'backup') {
    if (sse === undefined) {
      const { BackupDescription } = await dynamodb.send(
        new DescribeBackupCommand({ BackupArn: options.from.backupArn }),
      );
      const key = BackupDescription?.SourceTableFeatureDetails?.SSEDescription?.KMSMasterKeyArn;
      sse = key === undefined ? undefined : { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key };
    }
    await dynamodb.send(
      new RestoreTableFromBackupCommand({
        BackupArn: options.from.backupArn,
        TargetTableName: options.targetTable,
        ...(sse === undefined ? {} : { SSESpecificationOverride: sse }),
      }),
    );
  } else {
    await dynamodb.send(
      new RestoreTableToPointInTimeCommand({
        // The name, not the ARN: the source is in this account and region.
        SourceTableName: options.sourceTable,
        TargetTableName: options.targetTable,
        ...(options.from.kind === 'latest' ? { UseLatestRestorableTime: true } : { RestoreDateTime: recoveryPoint }),
        ...(sse === undefined ? {} : { SSESpecificationOverride: sse }),
      }),
    );
  }
  let restored: TableDescription | undefined;
  for (;;) {
    restored = await describeTable(dynamodb, options.targetTable);
    const seconds = Math.round((Date.now() - started) / 1000);
    const inProgress = restored?.RestoreSummary?.RestoreInProgress === true;
    if (restored?.TableStatus === 'ACTIVE' && !inProgress) break;
    log(`  restoring ${options.targetTable}: ${restored?.TableStatus ?? 'not created yet'}, ${seconds} s`);
    await sleep(options.pollMs ?? 15_000);
  }
  const restoreSeconds = (Date.now() - started) / 1000;
  log(`Restored ${options.targetTable} in ${restoreSeconds.toFixed(1)} s.`);

  // 3. Reapply.
  const reapplied = await reapply(clients, options.targetTable, restored, options.settings, log);

  // 4. Verify.
  const check = await verifyRestoredTable({
    client: dynamodb,
    restoredTable: options.targetTable,
    sourceTable: source === undefined ? options.targetTable : options.sourceTable,
    recoveryPoint,
    statusShards: options.statusShards,
    tolerancePercent: options.tolerancePercent,
    expectedCounts:
      options.expectedCounts ??
      (source === undefined ? { label: 'nothing: the source table is gone', counts: {} } : undefined),
    onProgress: (message) => log(`  ${message}`),
  });
  log('');
  log(formatRestoreCheck(check));

  // 5. The way forward.
  log('');
  for (const line of cutOverSteps({
    sourceTable: options.sourceTable,
    targetTable: options.targetTable,
    passed: check.passed,
  })) {
    log(line);
  }
  return { targetTable: options.targetTable, restoreSeconds, reapplied, check };
}

async function checkBackup(clients: RestoreClients, options: RestoreOptions, arn: string): Promise<Date> {
  if (isBackupServiceArn(arn)) {
    const sourceArn = `arn:aws:dynamodb:${await clients.dynamodb.config.region()}:${arn.split(':')[4]}:table/${options.sourceTable}`;
    const page = await clients.backup.send(new ListRecoveryPointsByResourceCommand({ ResourceArn: sourceArn }));
    const point = page.RecoveryPoints?.find((p) => p.RecoveryPointArn === arn);
    if (point?.CreationDate === undefined) {
      throw new RestoreError(
        `No recovery point ${arn} of ${options.sourceTable}: list them with aws backup list-recovery-points-by-resource --resource-arn ${sourceArn}`,
      );
    }
    return point.CreationDate;
  }
  try {
    const { BackupDescription } = await clients.dynamodb.send(new DescribeBackupCommand({ BackupArn: arn }));
    const created = BackupDescription?.BackupDetails?.BackupCreationDateTime;
    if (BackupDescription?.BackupDetails?.BackupStatus !== 'AVAILABLE' || created === undefined) {
      throw new RestoreError(`Backup ${arn} is ${BackupDescription?.BackupDetails?.BackupStatus}, not AVAILABLE.`);
    }
    return created;
  } catch (error) {
    if (error instanceof BackupNotFoundException) {
      throw new RestoreError(
        `No backup ${arn}: list the table's backups with aws dynamodb list-backups --table-name ${options.sourceTable}, or its AWS Backup recovery points in the Backup stack's vault.`,
      );
    }
    throw error;
  }
}

/** Apply each setting; a failure is reported and the rest go on, so that one refusal does not hide the others. */
async function reapply(
  clients: RestoreClients,
  table: string,
  description: TableDescription | undefined,
  settings: TableSettings,
  log: (line: string) => void,
): Promise<{ setting: string; error?: string }[]> {
  const { dynamodb, autoscaling } = clients;
  const steps: [string, () => Promise<unknown>][] = [];
  if (settings.timeToLiveAttribute !== undefined) {
    const attribute = settings.timeToLiveAttribute;
    steps.push([
      `TTL on ${attribute}`,
      () =>
        dynamodb.send(
          new UpdateTimeToLiveCommand({
            TableName: table,
            TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
          }),
        ),
    ]);
  }
  if (settings.streamViewType !== undefined) {
    const view = settings.streamViewType;
    steps.push([
      `stream ${view}`,
      () =>
        dynamodb.send(
          new UpdateTableCommand({
            TableName: table,
            StreamSpecification: { StreamEnabled: true, StreamViewType: view as 'NEW_AND_OLD_IMAGES' },
          }),
        ),
    ]);
  }
  if (settings.pointInTimeRecovery !== undefined) {
    const days = settings.pointInTimeRecovery.recoveryPeriodInDays;
    steps.push([
      `point-in-time recovery, ${days} days`,
      () =>
        dynamodb.send(
          new UpdateContinuousBackupsCommand({
            TableName: table,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: days },
          }),
        ),
    ]);
  }
  const arn = description?.TableArn ?? '';
  const tags = [...settings.tags, { Key: 'restored-from', Value: 'npm run restore' }];
  steps.push([
    `tags ${tags.map((t) => t.Key).join(', ')}`,
    () => dynamodb.send(new TagResourceCommand({ ResourceArn: arn, Tags: tags })),
  ]);
  if (settings.deletionProtection) {
    steps.push([
      'deletion protection',
      () => dynamodb.send(new UpdateTableCommand({ TableName: table, DeletionProtectionEnabled: true })),
    ]);
  }
  for (const a of settings.autoscaling) {
    const resourceId = a.indexName === undefined ? `table/${table}` : `table/${table}/index/${a.indexName}`;
    const kind = a.indexName === undefined ? 'table' : 'index';
    const dimension = `dynamodb:${kind}:${a.dimension}CapacityUnits` as const;
    steps.push([
      `autoscaling ${a.indexName ?? 'table'} ${a.dimension} ${a.min}-${a.max} at ${a.targetUtilization}%`,
      async () => {
        await autoscaling.send(
          new RegisterScalableTargetCommand({
            ServiceNamespace: 'dynamodb',
            ResourceId: resourceId,
            ScalableDimension: dimension,
            MinCapacity: a.min,
            MaxCapacity: a.max,
          }),
        );
        await autoscaling.send(
          new PutScalingPolicyCommand({
            PolicyName: `${table}-${a.indexName ?? 'table'}-${a.dimension}`,
            ServiceNamespace: 'dynamodb',
            ResourceId: resourceId,
            ScalableDimension: dimension,
            PolicyType: 'TargetTrackingScaling',
            TargetTrackingScalingPolicyConfiguration: {
              TargetValue: a.targetUtilization,
              PredefinedMetricSpecification: { PredefinedMetricType: `DynamoDB${a.dimension}CapacityUtilization` },
            },
          }),
        );
      },
    ]);
  }
  for (const [index, mode] of Object.entries(settings.contributorInsights)) {
    steps.push([
      `Contributor Insights ${mode} on ${index === '' ? 'the table' : index}`,
      () =>
        dynamodb.send(
          new UpdateContributorInsightsCommand({
            TableName: table,
            ...(index === '' ? {} : { IndexName: index }),
            ContributorInsightsAction: 'ENABLE',
            ContributorInsightsMode: mode as 'THROTTLED_KEYS',
          }),
        ),
    ]);
  }
  if (settings.resourcePolicy !== undefined) {
    const policy = JSON.stringify(settings.resourcePolicy);
    steps.push([
      'resource policy',
      () => dynamodb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: policy })),
    ]);
  }
  log('Reapplying what a restore does not carry over:');
  const results: { setting: string; error?: string }[] = [];
  for (const [setting, apply] of steps) {
    try {
      await apply();
      results.push({ setting });
      log(`  ✓ ${setting}`);
    } catch (error) {
      const message = `${(error as Error).name}: ${(error as Error).message}`;
      results.push({ setting, error: message });
      log(`  ✗ ${setting}: ${message} (set it by hand)`);
    }
  }
  for (const u of settings.unreadable) log(`  ✗ ${u}: set it by hand`);
  return results;
}
