import { Stack } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Report } from '../analytics-schema';

export interface AthenaReportsProps {
  /** Name of the workgroup (lib/names.ts): analysts choose it in the console. */
  readonly workgroupName: string;
  /** The Glue database the reports query. */
  readonly database: string;
  /** Where query results go: the lake bucket, under `resultsPrefix`. */
  readonly results: IBucket;
  /** Prefix of the results in the bucket, ending in `/`. */
  readonly resultsPrefix: string;
  /** Encrypts the results. */
  readonly key: IKey;
  /** The report queries (analytics/reports/), each a named query of the workgroup. */
  readonly reports: readonly Report[];
  /**
   * The most data one query may scan before Athena cancels it: a cost guard.
   *
   * @default 10 GiB ($0.05 at $5 per TB)
   */
  readonly bytesScannedCutoffPerQuery?: number;
}

/** The defaults, visible in one place. */
const DEFAULTS = { bytesScannedCutoffPerQuery: 10 * 1024 ** 3 } as const;

/**
 * An Athena workgroup for the lake: engine version 3, results encrypted with the application key
 * in the lake bucket, a per-query scan limit, and metrics in CloudWatch. The workgroup's settings
 * are enforced, so a query cannot send its results elsewhere or unencrypted. Each report is a
 * named query in it.
 */
export class AthenaReports extends Construct {
  readonly workgroup: CfnWorkGroup;
  readonly namedQueries: Readonly<Record<string, CfnNamedQuery>>;

  constructor(scope: Construct, id: string, props: AthenaReportsProps) {
    super(scope, id);
    if (!props.resultsPrefix.endsWith('/')) {
      throw new Error(`AthenaReports: resultsPrefix must end in "/", got ${JSON.stringify(props.resultsPrefix)}`);
    }
    this.workgroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: props.workgroupName,
      description: 'The order store lake: curated export tables and the cart archive (docs/analytics.md)',
      state: 'ENABLED',
      // Deleting the stack deletes the workgroup even after queries ran in it.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery ?? DEFAULTS.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: props.results.s3UrlForObject(props.resultsPrefix),
          expectedBucketOwner: Stack.of(this).account,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.key.keyArn },
        },
      },
    });

    const queries: Record<string, CfnNamedQuery> = {};
    for (const report of props.reports) {
      const query = new CfnNamedQuery(
        this,
        report.name.replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase()),
        {
          name: report.name,
          description: report.description,
          database: props.database,
          queryString: report.sql,
          workGroup: this.workgroup.ref,
        },
      );
      queries[report.name] = query;
    }
    this.namedQueries = queries;
  }
}
