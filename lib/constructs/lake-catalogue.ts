import {
  type CfnTable,
  type Column,
  Database,
  DataFormat,
  PartitionProjectionConfiguration,
  S3Table,
  S3TableStorage,
  Schema,
  type Type,
} from 'aws-cdk-lib/aws-glue';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  ARCHIVE_PARTITION_COLUMN,
  type ColumnType,
  type CuratedColumn,
  type CuratedTable,
  curatedTables,
  expiredCartsTable,
  PARTITION_COLUMN,
} from '../../lambdas/model/curated-tables';

export interface LakeCatalogueProps {
  /** Name of the Glue database (lib/names.ts): analysts type it in their queries. */
  readonly databaseName: string;
  /** The lake bucket, which holds the curated tables. */
  readonly lake: IBucket;
  /** Prefix of the curated tables in the lake, ending in `/`: each table is `<prefix><table>/`. */
  readonly curatedPrefix: string;
  /** The expired-cart archive (the Streams stack's bucket), which the `expired_carts` table reads. */
  readonly archive: IBucket;
  /** Prefix of the archived carts in it, without `/`. */
  readonly archivePrefix: string;
  /**
   * First day of the archive's partitions, for Athena's partition projection.
   *
   * @default '2026-01-01'
   */
  readonly archiveSince?: string;
}

const TYPES: Readonly<Record<ColumnType, Type>> = {
  string: Schema.STRING,
  bigint: Schema.BIG_INT,
  boolean: Schema.BOOLEAN,
  timestamp: Schema.TIMESTAMP,
  date: Schema.DATE,
};

const glueColumn = (column: Pick<CuratedColumn, 'name' | 'type' | 'comment'>): Column => ({
  name: column.name,
  type: TYPES[column.type],
  comment: column.comment,
});

/**
 * The lake's Glue catalogue: a database with one Parquet table per curated table of the model
 * (lambdas/model/curated-tables.ts), partitioned by export date, and the `expired_carts` table over
 * the cart archive's JSON.
 *
 * The curated tables' partitions are registered by the Glue job as it writes them. The archive's
 * are projected by Athena from the day in the object keys, so nothing has to register them.
 */
export class LakeCatalogue extends Construct {
  readonly database: Database;
  /** The curated tables, by name. */
  readonly tables: Readonly<Record<string, S3Table>>;
  readonly expiredCarts: S3Table;

  constructor(scope: Construct, id: string, props: LakeCatalogueProps) {
    super(scope, id);
    if (!props.curatedPrefix.endsWith('/')) {
      throw new Error(`LakeCatalogue: curatedPrefix must end in "/", got ${JSON.stringify(props.curatedPrefix)}`);
    }
    this.database = new Database(this, 'Database', {
      databaseName: props.databaseName,
      description: 'The order store, exported from DynamoDB and curated into one table per entity (docs/analytics.md)',
    });

    const tables: Record<string, S3Table> = {};
    for (const table of curatedTables()) tables[table.name] = this.curatedTable(table, props);
    this.tables = tables;

    const archive = expiredCartsTable();
    this.expiredCarts = new S3Table(this, 'ExpiredCarts', {
      database: this.database,
      tableName: archive.name,
      description: archive.description,
      storage: S3TableStorage.fromBucket(props.archive),
      s3Prefix: `${props.archivePrefix}/`,
      dataFormat: DataFormat.JSON,
      columns: archive.columns.map(glueColumn),
      partitionKeys: [glueColumn(ARCHIVE_PARTITION_COLUMN)],
      partitionProjection: {
        [ARCHIVE_PARTITION_COLUMN.name]: PartitionProjectionConfiguration.date({
          min: props.archiveSince ?? '2026-01-01',
          max: 'NOW',
          format: 'yyyy-MM-dd',
        }),
      },
    });
    // The archive's JSON names fields as the entity does (customerId); the table's columns are
    // snake case (customer_id). The OpenX SerDe maps one to the other.
    (this.expiredCarts.node.defaultChild as CfnTable).addPropertyOverride(
      'TableInput.StorageDescriptor.SerdeInfo.Parameters',
      Object.fromEntries(archive.columns.map((column) => [`mapping.${column.name}`, column.field])),
    );
  }

  private curatedTable(table: CuratedTable, props: LakeCatalogueProps): S3Table {
    const pascal = table.name.replace(/(^|_)([a-z])/g, (_match, _sep, letter: string) => letter.toUpperCase());
    return new S3Table(this, pascal, {
      database: this.database,
      tableName: table.name,
      description: table.description,
      storage: S3TableStorage.fromBucket(props.lake),
      s3Prefix: `${props.curatedPrefix}${table.name}/`,
      dataFormat: DataFormat.PARQUET,
      columns: table.columns.map(glueColumn),
      partitionKeys: [glueColumn(PARTITION_COLUMN)],
    });
  }
}
