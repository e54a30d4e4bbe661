/**
 * The backup stack: the vault's own key and (in prod) its lock and deletion policy, the plan's
 * rules and lifecycles, the selection and its role, copies to another region, the account setting
 * for advanced DynamoDB backups, the restore drill (plan, selection, trigger) and its validation
 * function's exact grants, and the backup alarms in the monitoring stack.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { CONFIG_VARIANTS, synthTemplates } from '../fixtures/app';
import { alarmsOf, metricsOfAlarm } from '../fixtures/cloudwatch';

type Props = Record<string, unknown>;

const backupOf = (raw: Record<string, unknown>): Template => {
  const { backup } = synthTemplates(raw);
  if (backup === undefined) throw new Error('no backup stack');
  return backup;
};

const onlyResource = (template: Template, type: string): Props => {
  const found = Object.values(template.findResources(type));
  expect({ type, count: found.length }).toEqual({ type, count: 1 });
  return (found[0]?.Properties ?? {}) as Props;
};

const rulesOf = (template: Template) =>
  (onlyResource(template, 'AWS::Backup::BackupPlan').BackupPlan as { BackupPlanRule: Props[] }).BackupPlanRule;

const keyRef = (template: Template) => {
  const keys = Object.keys(template.findResources('AWS::KMS::Key'));
  expect(keys).toHaveLength(1);
  return { 'Fn::GetAtt': [keys[0], 'Arn'] };
};

describe('BackupStack', () => {
  describe('GIVEN the default (dev) configuration', () => {
    const templates = synthTemplates();
    const backup = templates.backup as Template;

    test('THEN the vault is encrypted with a rotating key of its own, not the table’s', () => {
      expect(onlyResource(backup, 'AWS::Backup::BackupVault').EncryptionKeyArn).toEqual(keyRef(backup));
      backup.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      expect(JSON.stringify(onlyResource(backup, 'AWS::Backup::BackupVault'))).not.toMatch(/OrderStore-dev-Data/);
    });

    test('THEN a dev vault can be emptied and removed: no lock, no deletion block, destroyed with the stack', () => {
      const vault = onlyResource(backup, 'AWS::Backup::BackupVault');
      expect(vault.LockConfiguration).toBeUndefined();
      expect(vault.AccessPolicy).toBeUndefined();
      backup.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Delete' });
    });

    test('THEN the plan has daily, weekly and monthly rules with the dev retentions, monthly to cold storage after 30 days', () => {
      expect(rulesOf(backup)).toEqual([
        expect.objectContaining({
          RuleName: 'Daily',
          ScheduleExpression: 'cron(0 3 * * ? *)',
          StartWindowMinutes: 60,
          CompletionWindowMinutes: 480,
          Lifecycle: { DeleteAfterDays: 7 },
        }),
        expect.objectContaining({
          RuleName: 'Weekly',
          ScheduleExpression: 'cron(0 4 ? * SUN *)',
          Lifecycle: { DeleteAfterDays: 35 },
        }),
        expect.objectContaining({
          RuleName: 'Monthly',
          ScheduleExpression: 'cron(0 5 1 * ? *)',
          Lifecycle: { DeleteAfterDays: 120, MoveToColdStorageAfterDays: 30 },
        }),
      ]);
      for (const rule of rulesOf(backup)) expect(rule.CopyActions).toBeUndefined();
    });

    test('THEN the selection is the single table, with a role AWS Backup alone assumes to back up and restore', () => {
      const selection = onlyResource(backup, 'AWS::Backup::BackupSelection').BackupSelection as Props;
      expect(selection.Resources).toHaveLength(1);
      expect(JSON.stringify(selection.Resources)).toMatch(/OrderStore-dev-Data.*Table/);
      const [roleId] = Object.keys(
        backup.findResources('AWS::IAM::Role', {
          Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'backup.amazonaws.com' } }] } },
        }),
      );
      expect(selection.IamRoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
      const role = backup.findResources('AWS::IAM::Role')[roleId as string]?.Properties as Props;
      expect(JSON.stringify(role.ManagedPolicyArns)).toMatch(/AWSBackupServiceRolePolicyForBackup/);
      expect(JSON.stringify(role.ManagedPolicyArns)).toMatch(/AWSBackupServiceRolePolicyForRestores/);
    });

    test('THEN the account’s advanced DynamoDB backup features are turned on, before the plan exists', () => {
      const [id, resource] = Object.entries(backup.findResources('Custom::AWS'))[0] ?? [];
      expect(JSON.stringify(resource?.Properties.Create)).toContain(
        '\\"action\\":\\"UpdateRegionSettings\\",\\"parameters\\":{\\"ResourceTypeManagementPreference\\":{\\"DynamoDB\\":true}}',
      );
      expect(resource?.Properties.Delete).toBeUndefined();
      const plan = Object.values(backup.findResources('AWS::Backup::BackupPlan'))[0];
      expect(plan?.DependsOn).toEqual(expect.arrayContaining([expect.stringContaining((id as string).slice(0, 20))]));
    });

    test('THEN the restore drill restores the table’s latest weekly recovery point from this vault, encrypted with the table’s key', () => {
      const plan = onlyResource(backup, 'AWS::Backup::RestoreTestingPlan');
      expect(plan).toMatchObject({
        RestoreTestingPlanName: 'OrderStore_dev_table_drill',
        ScheduleExpression: 'cron(0 6 ? * TUE *)',
        RecoveryPointSelection: {
          Algorithm: 'LATEST_WITHIN_WINDOW',
          IncludeVaults: [{ 'Fn::GetAtt': [expect.stringMatching(/Vault/), 'BackupVaultArn'] }],
          RecoveryPointTypes: ['SNAPSHOT'],
          SelectionWindowDays: 7,
        },
      });
      const selection = onlyResource(backup, 'AWS::Backup::RestoreTestingSelection');
      expect(selection).toMatchObject({
        RestoreTestingPlanName: 'OrderStore_dev_table_drill',
        ProtectedResourceType: 'DynamoDB',
        ValidationWindowHours: 2,
        RestoreMetadataOverrides: { encryptionType: 'KMS', kmsMasterKeyArn: expect.anything() },
      });
      expect(JSON.stringify(selection.RestoreMetadataOverrides)).toMatch(/OrderStore-dev-Data.*DataKey/);
      expect(JSON.stringify(selection.ProtectedResourceArns)).toMatch(/OrderStore-dev-Data.*Table/);
    });

    test('THEN the validation function runs on the drill’s completed DynamoDB restore jobs only', () => {
      backup.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.backup'],
          'detail-type': ['Restore Job State Change'],
          detail: {
            status: ['COMPLETED'],
            resourceType: ['DynamoDB'],
            restoreTestingPlanArn: [
              { 'Fn::GetAtt': [Match.stringLikeRegexp('RestoreDrillPlan'), 'RestoreTestingPlanArn'] },
            ],
          },
        },
        Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } })],
      });
    });

    test('THEN the validation function may read the source table and the drill’s restored tables, and report to AWS Backup, and nothing else', () => {
      const policies = Object.values(backup.findResources('AWS::IAM::Policy')).filter((p) =>
        JSON.stringify(p).includes('RestoreDrillValidation'),
      );
      expect(policies).toHaveLength(1);
      const statements =
        (policies[0]?.Properties.PolicyDocument as { Statement: Props[] } | undefined)?.Statement ?? [];
      const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
      // restore-verification.ts counts the source by Scan and reads orders and index pages by Query.
      expect(bySid.ReadTable?.Action).toEqual(['dynamodb:Query', 'dynamodb:Scan']);
      expect(bySid.ReadGlobalIndexes?.Action).toBe('dynamodb:Query');
      expect(bySid.ReadLocalIndexes?.Action).toBe('dynamodb:Query');
      expect(bySid.WriteTable).toBeUndefined();
      expect(bySid.ReadRestoredTables).toMatchObject({
        Action: ['dynamodb:DescribeTable', 'dynamodb:Query', 'dynamodb:Scan'],
        Resource: [
          'arn:aws:dynamodb:eu-west-1:111111111111:table/awsbackup-restore-test-*',
          'arn:aws:dynamodb:eu-west-1:111111111111:table/awsbackup-restore-test-*/index/*',
        ],
      });
      expect(bySid.ReportValidation).toMatchObject({
        Action: ['backup:DescribeRestoreJob', 'backup:PutRestoreValidationResult'],
        Resource: '*',
      });
      const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
      expect(actions.filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite|Restore|CreateTable)/.test(a))).toEqual([]);
      expect(actions.filter((a) => a.startsWith('kms:'))).toEqual(['kms:Decrypt']);
    });
  });

  describe('GIVEN the prod stage', () => {
    const backup = backupOf({ stage: 'prod' });

    test('THEN the vault is locked from the daily to the monthly retention, and no one may delete a recovery point', () => {
      const vault = onlyResource(backup, 'AWS::Backup::BackupVault');
      expect(vault.LockConfiguration).toEqual({ MinRetentionDays: 35, MaxRetentionDays: 365 });
      expect(vault.AccessPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
            Resource: '*',
          },
        ],
      });
      backup.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      backup.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    });

    test('THEN the rules keep 35 days of dailies, 13 weeks of weeklies and a year of monthlies', () => {
      expect(rulesOf(backup).map((r) => r.Lifecycle)).toEqual([
        { DeleteAfterDays: 35 },
        { DeleteAfterDays: 91 },
        { DeleteAfterDays: 365, MoveToColdStorageAfterDays: 30 },
      ]);
    });
  });

  describe('GIVEN a copy vault in another region', () => {
    const backup = backupOf(CONFIG_VARIANTS.backupCopies ?? {});

    test('THEN every rule copies to it, kept as long as the original and tiered alike', () => {
      const arn = 'arn:aws:backup:us-west-2:111111111111:backup-vault:order-store-dr';
      expect(rulesOf(backup).map((r) => r.CopyActions)).toEqual([
        [{ DestinationBackupVaultArn: arn, Lifecycle: { DeleteAfterDays: 35 } }],
        [{ DestinationBackupVaultArn: arn, Lifecycle: { DeleteAfterDays: 91 } }],
        [{ DestinationBackupVaultArn: arn, Lifecycle: { DeleteAfterDays: 365, MoveToColdStorageAfterDays: 30 } }],
      ]);
    });
  });

  describe('GIVEN the advanced features switched off', () => {
    const backup = backupOf(CONFIG_VARIANTS.basicBackups ?? {});

    test('THEN the stack leaves the account setting alone and nothing moves to cold storage', () => {
      backup.resourceCountIs('Custom::AWS', 0);
      expect(rulesOf(backup).map((r) => r.Lifecycle)).toEqual([
        { DeleteAfterDays: 3 },
        { DeleteAfterDays: 35 },
        { DeleteAfterDays: 60 },
      ]);
    });
  });

  describe('GIVEN the LocalStack target', () => {
    test('THEN there is no backup stack, and no backup alarm', () => {
      const templates = synthTemplates({ target: 'localstack' });
      expect(templates.backup).toBeUndefined();
      const names = alarmsOf({ monitoring: templates.monitoring }).map((a) => String(a.properties.AlarmName));
      expect(names.filter((n) => n.includes('Backup') || n.includes('RestoreDrill'))).toEqual([]);
    });
  });
});

describe('Backup alarms in the monitoring stack', () => {
  const alarm = (template: Template, name: string): Props => {
    const found = alarmsOf({ template }).filter((a) => a.properties.AlarmName === name);
    expect({ name, count: found.length }).toEqual({ name, count: 1 });
    return found[0]?.properties ?? {};
  };
  const { monitoring } = synthTemplates();
  const topic = { Ref: Object.keys(monitoring.findResources('AWS::SNS::Topic'))[0] };

  test('THEN failed or expired backup jobs of this vault warn, through the alarm topic', () => {
    const props = alarm(monitoring, 'OrderStore-dev-warning-Backup-JobsFailed');
    expect(props).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
    expect(metricsOfAlarm(props).map((m) => [m.namespace, m.metricName, m.dimensions, m.statistic])).toEqual([
      ['AWS/Backup', 'NumberOfBackupJobsFailed', ['BackupVaultName'], 'Sum'],
      ['AWS/Backup', 'NumberOfBackupJobsExpired', ['BackupVaultName'], 'Sum'],
    ]);
    expect(props.AlarmDescription).toMatch(/Runbook: docs\/operations\/runbook\.md#backup-jobs-failed$/);
  });

  test('THEN a failed restore or validation of the drill warns, and so do seven days without a verified drill', () => {
    const failed = alarm(monitoring, 'OrderStore-dev-warning-Backup-RestoreDrillFailed');
    expect(metricsOfAlarm(failed).map((m) => [m.namespace, m.metricName, m.values])).toEqual([
      ['AWS/Backup', 'NumberOfRestoreJobsFailed', { ResourceType: 'DynamoDB' }],
      ['OrderStore', 'RestoreValidationFailed', { service: 'RestoreDrill' }],
    ]);
    expect(alarm(monitoring, 'OrderStore-dev-warning-Backup-RestoreDrillNotRun')).toMatchObject({
      MetricName: 'RestoreValidationSucceeded',
      Namespace: 'OrderStore',
      Dimensions: [{ Name: 'service', Value: 'RestoreDrill' }],
      Period: 86400,
      EvaluationPeriods: 7,
      DatapointsToAlarm: 7,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  test('THEN copy failures alarm only when copies are configured', () => {
    const names = (raw: Record<string, unknown>) =>
      alarmsOf({ m: synthTemplates(raw).monitoring }).map((a) => String(a.properties.AlarmName));
    expect(names({}).filter((n) => n.includes('CopyJobsFailed'))).toEqual([]);
    expect(
      alarm(synthTemplates(CONFIG_VARIANTS.backupCopies).monitoring, 'OrderStore-prod-warning-Backup-CopyJobsFailed'),
    ).toMatchObject({
      Namespace: 'AWS/Backup',
      MetricName: 'NumberOfCopyJobsFailed',
      Dimensions: [{ Name: 'ResourceType', Value: 'DynamoDB' }],
    });
  });

  test('THEN the validation function has the function alarms, at warning', () => {
    for (const kind of ['ErrorRate', 'Throttles', 'DurationNearTimeout']) {
      alarm(monitoring, `OrderStore-dev-warning-RestoreDrill-${kind}`);
    }
  });
});
