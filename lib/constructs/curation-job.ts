import { join } from 'node:path';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  CloudWatchEncryption,
  Code,
  type Database,
  GlueVersion,
  JobBookmarksEncryption,
  PySparkEtlJob,
  S3Encryption,
  SecurityConfiguration,
  WorkerType,
} from 'aws-cdk-lib/aws-glue';
import { type Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { curatedTables } from '../../lambdas/model/curated-tables';
import { ANALYTICS_DIR, SCHEMA_DOCUMENT } from '../analytics-schema';
import { acknowledgeWildcardResources } from '../nag';

export interface CurationJobProps {
  /** The lake bucket: the job reads `exportPrefix`, writes `curatedPrefix` and `tempPrefix`. */
  readonly lake: IBucket;
  /** Where the workflow exports the table, ending in `/`. */
  readonly exportPrefix: string;
  /** Where the curated tables live, ending in `/`. */
  readonly curatedPrefix: string;
  /** Glue's scratch space, ending in `/`. */
  readonly tempPrefix: string;
  /** The Glue database of the curated tables, whose partitions the job registers. */
  readonly database: Database;
  /** Encrypts what the job writes to S3, its logs and its bookmarks. */
  readonly key: IKey;
  /**
   * Workers of the G.1X type (1 DPU each); two is the fewest a Spark job runs with.
   *
   * @default 2
   */
  readonly workers?: number;
  /**
   * How long a run may take before Glue stops it.
   *
   * @default Duration.minutes(60)
   */
  readonly timeout?: Duration;
}

/** The defaults, visible in one place. */
const DEFAULTS = { workers: 2, timeout: Duration.minutes(60) } as const;

/** The job's per-run arguments, which the workflow sets (analytics/glue/curate_export.py reads them). */
export const RUN_ARGUMENTS = ['--export_prefix', '--export_arn', '--export_date'] as const;

/**
 * The Glue 5.0 (Spark 3.5) job that curates one export into the lake: its script, the plain
 * Python module it calls and the schema document it reads (all in analytics/), a security
 * configuration that encrypts its S3 output, logs and bookmarks with the application key, and a
 * role that can read only the exports, write only the curated tables and Glue's scratch space,
 * and register partitions only in this database.
 *
 * It retries nothing itself: the workflow decides what a failed run means.
 */
export class CurationJob extends Construct {
  readonly job: PySparkEtlJob;
  readonly role: Role;
  readonly securityConfiguration: SecurityConfiguration;

  constructor(scope: Construct, id: string, props: CurationJobProps) {
    super(scope, id);
    for (const [name, prefix] of Object.entries({
      exportPrefix: props.exportPrefix,
      curatedPrefix: props.curatedPrefix,
      tempPrefix: props.tempPrefix,
    })) {
      if (!prefix.endsWith('/')) throw new Error(`CurationJob: ${name} must end in "/", got ${JSON.stringify(prefix)}`);
    }
    const workers = props.workers ?? DEFAULTS.workers;
    if (!Number.isInteger(workers) || workers < 2) {
      throw new Error(
        `CurationJob: workers must be a whole number of at least 2 (Glue's minimum for Spark), got ${workers}`,
      );
    }
    const stack = Stack.of(this);
    const { lake, key } = props;

    this.securityConfiguration = new SecurityConfiguration(this, 'SecurityConfiguration', {
      s3Encryption: S3Encryption.kms(key),
      cloudWatchEncryption: CloudWatchEncryption.kms(key),
      jobBookmarksEncryption: JobBookmarksEncryption.clientSideKms(key),
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('glue.amazonaws.com'),
      description: 'Curation job: reads the exports, writes the curated tables, registers their partitions',
    });
    const exports = lake.arnForObjects(`${props.exportPrefix}*`);
    const written = [lake.arnForObjects(`${props.curatedPrefix}*`), lake.arnForObjects(`${props.tempPrefix}*`)];
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'ReadTheExports', actions: ['s3:GetObject'], resources: [exports] }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteTheCuratedTables',
        // Spark's overwrite lists and deletes the export date's folder before writing it again.
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: written,
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ListOnlyTheJobsPrefixes',
        actions: ['s3:ListBucket'],
        resources: [lake.bucketArn],
        conditions: {
          StringLike: { 's3:prefix': [props.exportPrefix, props.curatedPrefix, props.tempPrefix].map((p) => `${p}*`) },
        },
      }),
    );
    key.grant(this.role, 'kms:Decrypt', 'kms:GenerateDataKey');

    const catalog = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const tableArns = curatedTables().map((table) => catalog('table', `${props.database.databaseName}/${table.name}`));
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'RegisterPartitionsOfTheCuratedTables',
        actions: ['glue:GetTable', 'glue:GetPartition', 'glue:BatchCreatePartition'],
        resources: [catalog('catalog'), props.database.databaseArn, ...tableArns],
      }),
    );

    // Continuous logging to /aws-glue/jobs/* groups, encrypted through the security configuration.
    const logGroups = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '/aws-glue/jobs/*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteEncryptedJobLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
        resources: [logGroups, `${logGroups}:*`],
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'PublishJobMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': 'Glue' } },
      }),
    );

    this.job = new PySparkEtlJob(this, 'Job', {
      description: 'Curates one DynamoDB export into the lake: Parquet per entity, partitioned by export date',
      role: this.role,
      glueVersion: GlueVersion.V5_0,
      script: Code.fromAsset(join(ANALYTICS_DIR, 'glue', 'curate_export.py')),
      extraPythonFiles: [Code.fromAsset(join(ANALYTICS_DIR, 'glue', 'curation.py'))],
      extraFiles: [Code.fromAsset(join(ANALYTICS_DIR, '..', SCHEMA_DOCUMENT))],
      workerConfiguration: { workerType: WorkerType.G_1X, numberOfWorkers: workers },
      timeout: props.timeout ?? DEFAULTS.timeout,
      maxRetries: 0,
      maxConcurrentRuns: 1,
      securityConfiguration: this.securityConfiguration,
      continuousLogging: { enabled: true },
      defaultArguments: {
        '--curated_root': lake.s3UrlForObject(props.curatedPrefix),
        '--database': props.database.databaseName,
        '--schema_file': 'curated-tables.json',
        '--TempDir': lake.s3UrlForObject(props.tempPrefix),
        // Each run reads a whole export of its own; there is nothing to resume from.
        '--job-bookmark-option': 'job-bookmark-disable',
      },
    });

    // The job's code is read from the CDK's assets bucket: the construct's own grant, with wildcards.
    const assetGrant = this.role.node.tryFindChild('DefaultPolicy') as Policy | undefined;
    const assetResources = (assetGrant?.document.toJSON()?.Statement ?? [])
      .filter((statement: { Action?: string | string[] }) => [statement.Action].flat().includes('s3:GetObject*'))
      .flatMap((statement: { Resource?: string | string[] }) => [statement.Resource ?? []].flat());
    acknowledgeWildcardResources(
      this.role,
      assetResources,
      'Glue reads the job script, its Python module and its schema file from the CDK assets bucket; the grant is the construct’s own read grant on that bucket.',
    );
    for (const action of ['s3:GetBucket*', 's3:GetObject*', 's3:List*']) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: 'The Glue construct’s read grant on the CDK assets bucket, from which Glue loads the job’s code.',
      });
    }
    acknowledgeWildcardResources(
      this.role,
      [exports, ...written, `${logGroups}:*`, logGroups],
      'The job reads the objects of any export under the exports prefix, replaces any export date of the curated tables under their prefix, uses Glue scratch space under its prefix, and writes the log groups Glue names under /aws-glue/jobs/; each wildcard is within one prefix of one bucket.',
    );
    acknowledgeWildcardResources(
      this.role,
      ['*'],
      'CloudWatch PutMetricData has no resource-level permissions; the statement is held to the Glue namespace by its condition.',
    );
  }
}
