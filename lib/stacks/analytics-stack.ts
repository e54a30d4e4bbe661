import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ARCHIVE_PREFIX } from '../../lambdas/model/streams';
import { reports } from '../analytics-schema';
import type { AppConfig } from '../config';
import { AthenaReports } from '../constructs/athena-reports';
import { CurationJob } from '../constructs/curation-job';
import { ExportWorkflow } from '../constructs/export-workflow';
import { LakeCatalogue } from '../constructs/lake-catalogue';
import { loggedBucket } from '../constructs/logged-bucket';
import { RedshiftWarehouse } from '../constructs/redshift-warehouse';
import { stageNames } from '../names';
import { LOAD_STATEMENT, setupStatements } from '../warehouse-sql';

export interface AnalyticsStackProps extends StackProps {
  readonly config: AppConfig;
  /** The table to export. */
  readonly table: ITableV2;
  /** The application key: the lake, the job's output and logs, Athena's results and Redshift are encrypted with it. */
  readonly key: IKey;
  /** The Streams stack's expired-cart archive, which the abandoned-carts report reads. */
  readonly archive: IBucket;
}

/** The lake's folders: raw exports, curated tables, Athena's results and Glue's scratch space. */
export const LAKE_PREFIXES = {
  exports: 'exports/',
  curated: 'curated/',
  athenaResults: 'athena-results/',
  glueTemp: 'glue-temp/',
} as const;

/**
 * The analytics stack: every night the table is exported to an S3 lake, curated by a Glue job into
 * one Parquet table per entity in the Glue catalogue, and reported on by Athena; with `redshift`,
 * each run is also loaded into Redshift Serverless (docs/analytics.md).
 *
 * It holds the lake bucket, which it retains in production like the data stack's stores, and
 * otherwise compute that bills only while it runs. It reads the table through its export, never
 * through its capacity.
 */
export class AnalyticsStack extends Stack {
  readonly lake: Bucket;
  readonly catalogue: LakeCatalogue;
  readonly curation: CurationJob;
  readonly athena: AthenaReports;
  readonly workflow: ExportWorkflow;
  /** Absent unless `redshift` is on. */
  readonly warehouse?: RedshiftWarehouse;

  constructor(scope: Construct, id: string, props: AnalyticsStackProps) {
    super(scope, id, props);
    const { config, table, key } = props;
    const names = stageNames(config);
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.lake = loggedBucket(this, {
      ids: { bucket: 'Lake', accessLogs: 'LakeAccessLogs' },
      description: 'the lake bucket',
      key,
      logPrefix: 'lake/',
      versioned: config.retainData,
      lifecycleRules: [
        // Raw exports are only the curation's input: a day that failed can be curated again
        // within the week, and any day of the last 35 can be exported again from PITR.
        { id: 'RawExports', prefix: LAKE_PREFIXES.exports, expiration: Duration.days(config.retainData ? 14 : 7) },
        { id: 'AthenaResults', prefix: LAKE_PREFIXES.athenaResults, expiration: Duration.days(30) },
        { id: 'GlueScratch', prefix: LAKE_PREFIXES.glueTemp, expiration: Duration.days(1) },
        // Curated data is kept; the files a re-run replaced are not.
        { id: 'ReplacedFiles', noncurrentVersionExpiration: Duration.days(7) },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy,
    });

    this.catalogue = new LakeCatalogue(this, 'Catalogue', {
      databaseName: names.analyticsDatabase,
      lake: this.lake,
      curatedPrefix: LAKE_PREFIXES.curated,
      archive: props.archive,
      archivePrefix: ARCHIVE_PREFIX,
    });

    this.curation = new CurationJob(this, 'Curation', {
      lake: this.lake,
      exportPrefix: LAKE_PREFIXES.exports,
      curatedPrefix: LAKE_PREFIXES.curated,
      tempPrefix: LAKE_PREFIXES.glueTemp,
      database: this.catalogue.database,
      key,
    });

    const storeReports = reports();
    this.athena = new AthenaReports(this, 'Athena', {
      workgroupName: names.athenaWorkgroup,
      database: this.catalogue.database.databaseName,
      results: this.lake,
      resultsPrefix: LAKE_PREFIXES.athenaResults,
      key,
      reports: storeReports,
    });

    if (config.redshift) {
      this.warehouse = new RedshiftWarehouse(this, 'Warehouse', {
        namespaceName: names.redshiftNamespace,
        workgroupName: names.redshiftWorkgroup,
        key,
        lake: this.lake,
        curatedPrefix: LAKE_PREFIXES.curated,
        glueDatabase: this.catalogue.database.databaseName,
        removalPolicy,
      });
    }
    const warehouse = this.warehouse;

    this.workflow = new ExportWorkflow(this, 'ExportWorkflow', {
      table,
      key,
      lake: this.lake,
      exportPrefix: LAKE_PREFIXES.exports,
      job: this.curation.job,
      tracing: config.tracing,
      logRemovalPolicy: removalPolicy,
      ...(warehouse === undefined
        ? {}
        : {
            warehouse: {
              workgroupName: warehouse.workgroup.workgroupName,
              workgroupArn: warehouse.workgroupArn,
              database: warehouse.database,
              secretArn: warehouse.adminSecretArn,
              setupStatements: setupStatements({
                bucket: this.lake.bucketName,
                curatedPrefix: LAKE_PREFIXES.curated,
                glueDatabase: this.catalogue.database.databaseName,
                reports: storeReports,
              }),
              loadStatement: LOAD_STATEMENT,
            },
          }),
    });

    new CfnOutput(this, 'LakeBucketName', { value: this.lake.bucketName, description: 'The analytics lake' });
    new CfnOutput(this, 'GlueDatabaseName', {
      value: this.catalogue.database.databaseName,
      description: 'Glue database of the curated tables (Athena: choose it, or qualify table names with it)',
    });
    new CfnOutput(this, 'AthenaWorkgroupName', {
      value: names.athenaWorkgroup,
      description: 'Athena workgroup with the report queries (Saved queries)',
    });
    new CfnOutput(this, 'ExportWorkflowArn', {
      value: this.workflow.stateMachine.stateMachineArn,
      description: 'Start it by hand with {"runTime": "<ISO instant>"} to run a day again (docs/analytics.md)',
    });
    if (warehouse !== undefined) {
      new CfnOutput(this, 'RedshiftWorkgroupName', { value: names.redshiftWorkgroup });
      new CfnOutput(this, 'RedshiftAdminSecretArn', {
        value: warehouse.adminSecretArn,
        description: 'Admin credentials of the warehouse (Redshift query editor v2: "AWS Secrets Manager")',
      });
    }
  }

  /**
   * Three Availability Zones of the stack's region, whichever account it is deployed to: Redshift
   * Serverless needs subnets in three, and resolving them at deploy time keeps `cdk synth` free of
   * the context lookup (and the credentials) an environment-specific stack would need.
   */
  override get availabilityZones(): string[] {
    return [0, 1, 2].map((index) => Fn.select(index, Fn.getAzs()));
  }
}
