/**
 * The analytics stack as synthesized: the lake bucket, the schedule, the workflow's permissions,
 * the Glue job, the catalogue's tables against the model, the Athena workgroup, and with
 * `redshift` the warehouse; and that without `analytics` none of it exists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { curatedTables, expiredCartsTable, PARTITION_COLUMN } from '../../lambdas/model/curated-tables';
import { ANALYTICS_DIR, GLUE_TYPES, reports } from '../../lib/analytics-schema';
import { RUN_ARGUMENTS } from '../../lib/constructs/curation-job';
import { LAKE_PREFIXES } from '../../lib/stacks/analytics-stack';
import { LOAD_STATEMENT, setupStatements } from '../../lib/warehouse-sql';
import type { CfnTemplate } from '../../local/emulation/cloudformation';
import { allStates, workflowDefinition } from '../fixtures/analytics-workflow';
import { synthTemplates } from '../fixtures/app';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

const analytics = synthTemplates({ analytics: 'true' });
const withRedshift = synthTemplates({ stage: 'prod', analytics: 'true', redshift: 'true' });
const template = analytics.analytics as Template;
const prodTemplate = withRedshift.analytics as Template;

const only = (t: Template, type: string): { id: string; properties: Record<string, unknown> } => {
  const found = Object.entries(t.findResources(type));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  const [id, resource] = found[0] as [string, { Properties: Record<string, unknown> }];
  return { id, properties: resource.Properties };
};
const idOf = (t: Template, type: string, prefix: string): string => {
  const id = Object.keys(t.findResources(type)).find((logicalId) => logicalId.startsWith(prefix));
  if (id === undefined) throw new Error(`no ${type} ${prefix}*`);
  return id;
};
/** Every statement of the policies attached to a role. */
const statementsOf = (t: Template, rolePrefix: string): Statement[] => {
  const role = idOf(t, 'AWS::IAM::Role', rolePrefix);
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
};
const actionsOf = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());
const statementWith = (statements: Statement[], action: string) =>
  statements.filter((s) => [s.Action].flat().includes(action));

const stand = { tableArn: 'TABLE', keyArn: 'KEY', bucket: 'LAKE', jobName: 'JOB' };

describe('GIVEN the default configuration', () => {
  test('THEN there is no analytics stack, and no analytics alarm', () => {
    const templates = synthTemplates();
    expect(templates.analytics).toBeUndefined();
    expect(JSON.stringify(templates.monitoring.toJSON())).not.toMatch(/Analytics-/);
  });
});

describe('GIVEN analytics=true', () => {
  test('THEN the lake is encrypted with the application key and bucket keys, TLS-only, private and logged', () => {
    const lake = template.findResources('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ BucketKeyEnabled: true })] },
      },
    });
    const [props] = Object.values(lake).map((r) => r.Properties);
    expect(props).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'OrderStore-dev-Data' }) },
            },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: idOf(template, 'AWS::S3::Bucket', 'LakeAccessLogs') } },
    });
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (p) =>
        JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: idOf(template, 'AWS::S3::Bucket', 'Lake5') }),
    );
    expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  test('THEN raw exports expire, Athena results and Glue scratch expire, and curated data is kept', () => {
    const lake = template.toJSON().Resources[idOf(template, 'AWS::S3::Bucket', 'Lake5')].Properties;
    const rules = lake.LifecycleConfiguration.Rules as { Prefix?: string; ExpirationInDays?: number }[];
    const byPrefix = Object.fromEntries(rules.filter((r) => r.Prefix).map((r) => [r.Prefix, r.ExpirationInDays]));
    expect(byPrefix).toEqual({
      [LAKE_PREFIXES.exports]: 7,
      [LAKE_PREFIXES.athenaResults]: 30,
      [LAKE_PREFIXES.glueTemp]: 1,
    });
    expect(rules.filter((r) => r.Prefix === undefined && r.ExpirationInDays !== undefined)).toEqual([]);
    const prodRules = prodTemplate.toJSON().Resources[idOf(prodTemplate, 'AWS::S3::Bucket', 'Lake5')].Properties
      .LifecycleConfiguration.Rules as { Prefix?: string; ExpirationInDays?: number }[];
    expect(prodRules.find((r) => r.Prefix === LAKE_PREFIXES.exports)?.ExpirationInDays).toBe(14);
  });

  test('THEN a schedule starts the workflow nightly with its scheduled time, retries and a dead-letter queue', () => {
    const { properties } = only(template, 'AWS::Scheduler::Schedule');
    const queue = idOf(template, 'AWS::SQS::Queue', 'ExportWorkflowScheduleDeadLetters');
    expect(properties).toMatchObject({
      ScheduleExpression: 'cron(0 2 * * ? *)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: { Ref: idOf(template, 'AWS::StepFunctions::StateMachine', 'ExportWorkflowStateMachine') },
        Input: JSON.stringify({ runTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 7200 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
      },
    });
    expect(template.toJSON().Resources[queue].Properties).toMatchObject({
      KmsMasterKeyId: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'OrderStore-dev-Data' }) },
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    const scheduler = statementsOf(template, 'ExportWorkflowScheduleRole');
    expect(actionsOf(scheduler).sort()).toEqual(
      ['kms:Decrypt', 'kms:GenerateDataKey', 'sqs:SendMessage', 'states:StartExecution'].sort(),
    );
  });

  test('THEN the workflow may export only this table, into the exports prefix, and run only this job', () => {
    const statements = statementsOf(template, 'ExportWorkflowStateMachineRole');
    const dynamodb = actionsOf(statements).filter((a) => a.startsWith('dynamodb:'));
    expect(dynamodb.sort()).toEqual(['dynamodb:DescribeExport', 'dynamodb:ExportTableToPointInTime']);
    const tableArn = {
      'Fn::GetStackOutput': Match.objectLike({ OutputName: Match.stringLikeRegexp('Table7ABB320EArn') }),
    };
    expect(statementWith(statements, 'dynamodb:ExportTableToPointInTime')).toEqual([
      expect.objectContaining({ Resource: expect.objectContaining({ 'Fn::GetStackOutput': expect.anything() }) }),
    ]);
    template.hasResourceProperties(
      'AWS::IAM::Policy',
      Match.objectLike({
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: 'dynamodb:ExportTableToPointInTime', Resource: tableArn }),
            Match.objectLike({
              Action: 'dynamodb:DescribeExport',
              Resource: { 'Fn::Join': ['', [tableArn, '/export/*']] },
            }),
          ]),
        },
      }),
    );
    const s3 = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([
      expect.objectContaining({
        Action: ['s3:AbortMultipartUpload', 's3:PutObject', 's3:PutObjectAcl'],
        Resource: {
          'Fn::Join': [
            '',
            [{ 'Fn::GetAtt': [idOf(template, 'AWS::S3::Bucket', 'Lake5'), 'Arn'] }, `/${LAKE_PREFIXES.exports}*`],
          ],
        },
      }),
    ]);
    const glue = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('glue:')));
    expect(glue).toEqual([
      expect.objectContaining({
        Action: ['glue:GetJobRun', 'glue:StartJobRun'],
        Resource: {
          'Fn::Join': [
            '',
            ['arn:aws:glue:eu-west-1:111111111111:job/', { Ref: idOf(template, 'AWS::Glue::Job', 'Curation') }],
          ],
        },
      }),
    ]);
    const kms = statementWith(statements, 'kms:GenerateDataKey').filter((s) => s.Condition !== undefined);
    expect(kms).toContainEqual(
      expect.objectContaining({ Condition: { StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com'] } } }),
    );
    expect(actionsOf(statements).filter((a) => a.startsWith('redshift'))).toEqual([]);
  });

  test('THEN the workflow is a Standard state machine, encrypted with the application key, logged and traced', () => {
    const { properties } = only(template, 'AWS::StepFunctions::StateMachine');
    expect(properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY' },
    });
  });

  test('THEN the workflow exports in full with a client token and a prefix named after the run, and polls', () => {
    const definition = workflowDefinition(template.toJSON() as CfnTemplate, stand);
    const states = Object.fromEntries(allStates(definition));
    expect(states.StartExport).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:dynamodb:exportTableToPointInTime',
      Parameters: {
        TableArn: 'TABLE',
        S3Bucket: 'LAKE',
        'S3Prefix.$': '$.location.prefix',
        ExportFormat: 'DYNAMODB_JSON',
        ExportType: 'FULL_EXPORT',
        S3SseAlgorithm: 'KMS',
        S3SseKmsKeyId: 'KEY',
        'ClientToken.$': '$.run.id',
      },
    });
    expect(states.LocateExport).toMatchObject({
      Parameters: {
        'prefix.$': `States.Format('${LAKE_PREFIXES.exports}export_date={}/run={}', $.run.exportDate, $.run.id)`,
      },
    });
    expect(states.StartCuration).toMatchObject({
      Resource: 'arn:aws:states:::glue:startJobRun',
      Parameters: {
        JobName: 'JOB',
        Arguments: Object.fromEntries(RUN_ARGUMENTS.map((a) => [`${a}.$`, expect.any(String)])),
      },
    });
    expect(states.GetJobRun).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:glue:getJobRun' });
    // Polled rather than .sync, and every failure named.
    expect(JSON.stringify(definition)).not.toContain('.sync');
    expect(
      allStates(definition)
        .filter(([, s]) => s.Type === 'Fail')
        .map(([name]) => name)
        .sort(),
    ).toEqual(['CurationFailed', 'ExportFailed', 'RunTimeMissing']);
  });

  test('THEN the Glue job is a Glue 5.0 Spark job with the security configuration and its arguments', () => {
    const { properties } = only(template, 'AWS::Glue::Job');
    const lake = idOf(template, 'AWS::S3::Bucket', 'Lake5');
    expect(properties).toMatchObject({
      GlueVersion: '5.0',
      Command: { Name: 'glueetl', PythonVersion: '3', ScriptLocation: expect.stringMatching(/\.py$/) },
      WorkerType: 'G.1X',
      NumberOfWorkers: 2,
      MaxRetries: 0,
      Timeout: 60,
      SecurityConfiguration: { Ref: idOf(template, 'AWS::Glue::SecurityConfiguration', 'Curation') },
      DefaultArguments: {
        '--curated_root': { 'Fn::Join': ['', ['s3://', { Ref: lake }, `/${LAKE_PREFIXES.curated}`]] },
        '--database': { Ref: idOf(template, 'AWS::Glue::Database', 'Catalogue') },
        '--schema_file': 'curated-tables.json',
        '--extra-py-files': expect.stringMatching(/\.py$/),
        '--extra-files': expect.stringMatching(/\.json$/),
        '--job-bookmark-option': 'job-bookmark-disable',
        '--enable-continuous-cloudwatch-log': 'true',
      },
    });
    const { properties: security } = only(template, 'AWS::Glue::SecurityConfiguration');
    const key = { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'OrderStore-dev-Data' }) };
    expect(security).toMatchObject({
      EncryptionConfiguration: {
        S3Encryptions: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: key }],
        CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: key },
        JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: key },
      },
    });
  });

  test('THEN the job script reads exactly the arguments the job’s defaults and the workflow pass it', () => {
    const script = readFileSync(join(ANALYTICS_DIR, 'glue', 'curate_export.py'), 'utf8');
    const listed = /^ARGUMENTS = \[([^\]]*)\]$/m.exec(script)?.[1];
    const read = (listed ?? '').split(',').map((name) => `--${name.trim().replace(/"/g, '')}`);
    const { properties } = only(template, 'AWS::Glue::Job');
    // The job's own arguments are lower snake case; Glue's are --TempDir, --job-language, --enable-...
    const own = Object.keys(properties.DefaultArguments as object).filter((key) => /^--[a-z_]+$/.test(key));
    expect(read.sort()).toEqual([...RUN_ARGUMENTS, ...own].sort());
  });

  test('THEN the job may read only the exports, write only the curated and scratch prefixes, and register partitions only in its database', () => {
    const statements = statementsOf(template, 'CurationRole');
    const lakeArn = { 'Fn::GetAtt': [idOf(template, 'AWS::S3::Bucket', 'Lake5'), 'Arn'] };
    const under = (prefix: string) => ({ 'Fn::Join': ['', [lakeArn, `/${prefix}*`]] });
    expect(statementWith(statements, 's3:GetObject').map((s) => s.Resource)).toEqual([
      under(LAKE_PREFIXES.exports),
      [under(LAKE_PREFIXES.curated), under(LAKE_PREFIXES.glueTemp)],
    ]);
    expect(statementWith(statements, 's3:PutObject').map((s) => s.Resource)).toEqual([
      [under(LAKE_PREFIXES.curated), under(LAKE_PREFIXES.glueTemp)],
    ]);
    expect(statementWith(statements, 's3:ListBucket')).toEqual([
      expect.objectContaining({
        Resource: lakeArn,
        Condition: { StringLike: { 's3:prefix': ['exports/*', 'curated/*', 'glue-temp/*'] } },
      }),
    ]);
    const [catalog] = statementWith(statements, 'glue:BatchCreatePartition');
    expect(catalog?.Action).toEqual(['glue:BatchCreatePartition', 'glue:GetPartition', 'glue:GetTable']);
    expect(JSON.stringify(catalog?.Resource)).not.toMatch(/table\/\*|database\/\*/);
    expect(catalog?.Resource).toHaveLength(2 + curatedTables().length);
    expect(actionsOf(statements).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });

  test.each(curatedTables().map((t) => [t.name, t]))(
    'THEN the catalogue table %s has exactly the model’s columns, partitioned by export date, in Parquet under the curated prefix',
    (name, table) => {
      const [resource] = Object.values(
        template.findResources('AWS::Glue::Table', { Properties: { TableInput: { Name: name } } }),
      );
      const input = resource?.Properties.TableInput;
      expect(input.StorageDescriptor.Columns).toEqual(
        table.columns.map((c) => ({ Name: c.name, Type: GLUE_TYPES[c.type], Comment: c.comment })),
      );
      expect(input.PartitionKeys).toEqual([
        { Name: PARTITION_COLUMN.name, Type: PARTITION_COLUMN.type, Comment: PARTITION_COLUMN.comment },
      ]);
      expect(input.StorageDescriptor).toMatchObject({
        InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        Location: {
          'Fn::Join': ['', ['s3://', { Ref: idOf(template, 'AWS::S3::Bucket', 'Lake5') }, `/curated/${name}/`]],
        },
      });
    },
  );

  test('THEN the expired_carts table reads the archive’s JSON by projected day, mapping field names to columns', () => {
    const archive = expiredCartsTable();
    const [resource] = Object.values(
      template.findResources('AWS::Glue::Table', { Properties: { TableInput: { Name: archive.name } } }),
    );
    const input = resource?.Properties.TableInput;
    expect(input.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).toEqual(
      archive.columns.map((c) => c.name),
    );
    expect(input.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.day.type': 'date',
      'projection.day.format': 'yyyy-MM-dd',
    });
    expect(input.StorageDescriptor.SerdeInfo).toEqual({
      SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
      Parameters: Object.fromEntries(archive.columns.map((c) => [`mapping.${c.name}`, c.field])),
    });
    expect(JSON.stringify(input.StorageDescriptor.Location)).toMatch(/OrderStore-dev-Streams.*expired-carts\//);
  });

  test('THEN the Athena workgroup enforces encrypted results in the lake and holds each report as a named query', () => {
    const { id, properties } = only(template, 'AWS::Athena::WorkGroup');
    expect(properties).toMatchObject({
      Name: 'OrderStore-dev-analytics',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: {
            'Fn::Join': [
              '',
              ['s3://', { Ref: idOf(template, 'AWS::S3::Bucket', 'Lake5') }, `/${LAKE_PREFIXES.athenaResults}`],
            ],
          },
          EncryptionConfiguration: {
            EncryptionOption: 'SSE_KMS',
            KmsKey: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'OrderStore-dev-Data' }) },
          },
        },
      },
    });
    const queries = Object.values(template.findResources('AWS::Athena::NamedQuery')).map((q) => q.Properties);
    expect(queries.map((q) => q.Name).sort()).toEqual(
      reports()
        .map((r) => r.name)
        .sort(),
    );
    for (const report of reports()) {
      expect(queries.find((q) => q.Name === report.name)).toEqual({
        Name: report.name,
        Description: report.description,
        Database: { Ref: idOf(template, 'AWS::Glue::Database', 'Catalogue') },
        QueryString: report.sql,
        WorkGroup: { Ref: id },
      });
    }
  });

  test('THEN the monitoring stack alarms on failed runs, the schedule’s dead letters and lost invocations', () => {
    const alarms = Object.values(analytics.monitoring.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties)
      .filter((p) => String(p.AlarmName).includes('Analytics'));
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual([
      'OrderStore-dev-warning-Analytics-RunFailed',
      'OrderStore-dev-warning-Analytics-ScheduleDeadLetters',
      'OrderStore-dev-warning-Analytics-ScheduleInvocationsLost',
    ]);
    const runFailed = alarms.find((a) => String(a.AlarmName).endsWith('RunFailed'));
    expect(
      runFailed?.Metrics.map(
        (m: { MetricStat?: { Metric: { MetricName: string } } }) => m.MetricStat?.Metric.MetricName,
      ),
    ).toEqual([undefined, 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']);
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
  });
});

describe('GIVEN analytics=true and redshift=true', () => {
  test('THEN the namespace is encrypted with the application key, its admin password generated into an encrypted secret', () => {
    const { properties } = only(prodTemplate, 'AWS::RedshiftServerless::Namespace');
    const secret = idOf(prodTemplate, 'AWS::SecretsManager::Secret', 'WarehouseAdminSecret');
    const copyRole = idOf(prodTemplate, 'AWS::IAM::Role', 'WarehouseCopyRole');
    expect(properties).toMatchObject({
      NamespaceName: 'orderstore-prod',
      DbName: 'order_store',
      AdminUsername: 'warehouse_admin',
      AdminUserPassword: {
        'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secret }, ':SecretString:password::}}']],
      },
      KmsKeyId: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'OrderStore-prod-Data' }) },
      DefaultIamRoleArn: { 'Fn::GetAtt': [copyRole, 'Arn'] },
      IamRoles: [{ 'Fn::GetAtt': [copyRole, 'Arn'] }],
    });
    expect(JSON.stringify(properties)).not.toMatch(/"AdminUserPassword":"[^{]/);
    expect(prodTemplate.toJSON().Resources[secret].Properties).toMatchObject({
      KmsKeyId: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'OrderStore-prod-Data' }) },
      GenerateSecretString: { GenerateStringKey: 'password', ExcludePunctuation: true, RequireEachIncludedType: true },
    });
    // Retained with the lake in production.
    expect(
      prodTemplate.toJSON().Resources[only(prodTemplate, 'AWS::RedshiftServerless::Namespace').id].DeletionPolicy,
    ).toBe('Retain');
  });

  test('THEN the workgroup is private, in three isolated subnets of a VPC without internet gateway or NAT, with no inbound rule', () => {
    const { properties } = only(prodTemplate, 'AWS::RedshiftServerless::Workgroup');
    expect(properties).toMatchObject({
      WorkgroupName: 'orderstore-prod',
      BaseCapacity: 8,
      MaxCapacity: 8,
      PubliclyAccessible: false,
      EnhancedVpcRouting: false,
      ConfigParameters: expect.arrayContaining([
        { ParameterKey: 'search_path', ParameterValue: 'curated,public' },
        { ParameterKey: 'require_ssl', ParameterValue: 'true' },
      ]),
    });
    const subnets = prodTemplate.findResources('AWS::EC2::Subnet');
    expect(Object.keys(subnets)).toHaveLength(3);
    expect((properties.SubnetIds as { Ref: string }[]).map((s) => s.Ref).sort()).toEqual(Object.keys(subnets).sort());
    for (const subnet of Object.values(subnets)) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    for (const type of ['AWS::EC2::InternetGateway', 'AWS::EC2::NatGateway', 'AWS::EC2::Route', 'AWS::EC2::EIP']) {
      prodTemplate.resourceCountIs(type, 0);
    }
    const { properties: group } = only(prodTemplate, 'AWS::EC2::SecurityGroup');
    expect(group.SecurityGroupIngress).toBeUndefined();
    prodTemplate.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    prodTemplate.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
  });

  test('THEN COPY’s role may read only the curated prefix and the catalogue’s tables', () => {
    const statements = statementsOf(prodTemplate, 'WarehouseCopyRole');
    const lakeArn = { 'Fn::GetAtt': [idOf(prodTemplate, 'AWS::S3::Bucket', 'Lake5'), 'Arn'] };
    expect(actionsOf(statements).sort()).toEqual(
      [
        'glue:GetDatabase',
        'glue:GetPartition',
        'glue:GetPartitions',
        'glue:GetTable',
        'glue:GetTables',
        'kms:Decrypt',
        's3:GetObject',
        's3:ListBucket',
      ].sort(),
    );
    expect(statementWith(statements, 's3:GetObject')[0]?.Resource).toEqual({
      'Fn::Join': ['', [lakeArn, `/${LAKE_PREFIXES.curated}*`]],
    });
    expect(statementWith(statements, 's3:ListBucket')[0]?.Condition).toEqual({
      StringLike: { 's3:prefix': [`${LAKE_PREFIXES.curated}*`] },
    });
  });

  test('THEN each run sets up the warehouse statement by statement and loads its export date with one CALL', () => {
    const definition = workflowDefinition(prodTemplate.toJSON() as CfnTemplate, {
      ...stand,
      databaseName: 'GLUEDB',
      workgroupName: 'WG',
      workgroupArn: 'WGARN',
      secretArn: 'SECRET',
    });
    const states = Object.fromEntries(allStates(definition));
    expect(states.CurationFinished?.Choices).toContainEqual(expect.objectContaining({ Next: 'WarehouseStatements' }));
    expect(states.WarehouseStatements).toMatchObject({
      Type: 'Pass',
      Result: {
        statements: setupStatements({
          bucket: 'LAKE',
          curatedPrefix: LAKE_PREFIXES.curated,
          glueDatabase: 'GLUEDB',
          reports: reports(),
        }),
      },
    });
    expect(states.SetUpWarehouse).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 1,
      ItemsPath: '$.warehouse.statements',
    });
    expect(states.RunLoad).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:redshiftdata:executeStatement',
      Parameters: {
        WorkgroupName: 'orderstore-prod',
        Database: 'order_store',
        SecretArn: 'SECRET',
        Sql: LOAD_STATEMENT,
        Parameters: [{ name: 'export_date', 'value.$': '$.run.exportDate' }],
      },
    });
    expect(states.DescribeLoad).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:redshiftdata:describeStatement' });
  });

  test('THEN the workflow may run statements only on this workgroup, read only its secret, and describe only its own statements', () => {
    const statements = statementsOf(prodTemplate, 'ExportWorkflowStateMachineRole');
    const workgroup = idOf(prodTemplate, 'AWS::RedshiftServerless::Workgroup', 'WarehouseWorkgroup');
    expect(statementWith(statements, 'redshift-data:ExecuteStatement').map((s) => s.Resource)).toEqual([
      { 'Fn::GetAtt': [workgroup, 'Workgroup.WorkgroupArn'] },
    ]);
    expect(statementWith(statements, 'redshift-data:DescribeStatement')).toEqual([
      expect.objectContaining({
        Resource: '*',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable.
        Condition: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
      }),
    ]);
    expect(
      new Set(statementWith(statements, 'secretsmanager:GetSecretValue').map((s) => JSON.stringify(s.Resource))),
    ).toEqual(
      new Set([JSON.stringify({ Ref: idOf(prodTemplate, 'AWS::SecretsManager::Secret', 'WarehouseAdminSecret') })]),
    );
    expect(statementWith(statements, 'kms:Decrypt').filter((s) => s.Condition !== undefined)).toContainEqual(
      expect.objectContaining({
        Condition: {
          StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com', 'secretsmanager.eu-west-1.amazonaws.com'] },
        },
      }),
    );
  });
});
