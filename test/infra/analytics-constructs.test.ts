/**
 * The analytics constructs refuse what would deploy but not work, saying what was wrong, the
 * value received and what is allowed.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Database } from 'aws-cdk-lib/aws-glue';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AthenaReports } from '../../lib/constructs/athena-reports';
import { CurationJob, type CurationJobProps } from '../../lib/constructs/curation-job';
import { ExportWorkflow } from '../../lib/constructs/export-workflow';
import { LakeCatalogue } from '../../lib/constructs/lake-catalogue';
import { RedshiftWarehouse, type RedshiftWarehouseProps } from '../../lib/constructs/redshift-warehouse';

function scope() {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const key = new Key(stack, 'Key');
  const lake = new Bucket(stack, 'Lake');
  const database = new Database(stack, 'Database', { databaseName: 'db' });
  return { stack, key, lake, database };
}

const jobProps = (s: ReturnType<typeof scope>): CurationJobProps => ({
  lake: s.lake,
  exportPrefix: 'exports/',
  curatedPrefix: 'curated/',
  tempPrefix: 'tmp/',
  database: s.database,
  key: s.key,
});

const warehouseProps = (s: ReturnType<typeof scope>): RedshiftWarehouseProps => ({
  namespaceName: 'store',
  workgroupName: 'store',
  key: s.key,
  lake: s.lake,
  curatedPrefix: 'curated/',
  glueDatabase: 'db',
  removalPolicy: RemovalPolicy.DESTROY,
});

describe('GIVEN the analytics constructs', () => {
  test('THEN a prefix without its trailing slash is refused, named with the value', () => {
    const s = scope();
    expect(() => new CurationJob(s.stack, 'Job', { ...jobProps(s), curatedPrefix: 'curated' })).toThrow(
      'CurationJob: curatedPrefix must end in "/", got "curated"',
    );
    expect(
      () =>
        new LakeCatalogue(s.stack, 'Catalogue', {
          databaseName: 'db2',
          lake: s.lake,
          curatedPrefix: 'curated',
          archive: s.lake,
          archivePrefix: 'expired-carts',
        }),
    ).toThrow('LakeCatalogue: curatedPrefix must end in "/", got "curated"');
    expect(
      () =>
        new AthenaReports(s.stack, 'Athena', {
          workgroupName: 'wg',
          database: 'db',
          results: s.lake,
          resultsPrefix: 'results',
          key: s.key,
          reports: [],
        }),
    ).toThrow('AthenaReports: resultsPrefix must end in "/", got "results"');
  });

  test('THEN a Spark job with fewer than two workers is refused', () => {
    const s = scope();
    expect(() => new CurationJob(s.stack, 'Job', { ...jobProps(s), workers: 1 })).toThrow(
      "CurationJob: workers must be a whole number of at least 2 (Glue's minimum for Spark), got 1",
    );
  });

  test('THEN the workflow refuses an exports prefix without its trailing slash', () => {
    const s = scope();
    const table = new TableV2(s.stack, 'Table', { partitionKey: { name: 'PK', type: AttributeType.STRING } });
    const { job } = new CurationJob(s.stack, 'Job', jobProps(s));
    expect(
      () =>
        new ExportWorkflow(s.stack, 'Workflow', {
          table,
          key: s.key,
          lake: s.lake,
          exportPrefix: 'exports',
          job,
          tracing: false,
          logRemovalPolicy: RemovalPolicy.DESTROY,
        }),
    ).toThrow('ExportWorkflow: exportPrefix must end in "/", got "exports"');
  });

  test.each<[Partial<RedshiftWarehouseProps>, string]>([
    [{ baseCapacity: 12 }, 'RedshiftWarehouse: baseCapacity must be a multiple of 8 from 8 to 1024 RPUs, got 12'],
    [{ baseCapacity: 4 }, 'RedshiftWarehouse: baseCapacity must be a multiple of 8 from 8 to 1024 RPUs, got 4'],
    [{ baseCapacity: 16, maxCapacity: 8 }, 'maxCapacity must be a multiple of 8 no less than baseCapacity (16), got 8'],
    [{ namespaceName: 'Store_1' }, 'namespace and workgroup names are 3 to 64 lower-case letters, digits or hyphens'],
  ])('THEN the warehouse refuses %j', (overrides, message) => {
    const s = scope();
    expect(() => new RedshiftWarehouse(s.stack, 'Warehouse', { ...warehouseProps(s), ...overrides })).toThrow(message);
  });
});
