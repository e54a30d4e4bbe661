/**
 * The Redshift warehouse's SQL, generated from the curated tables of the model
 * (lambdas/model/curated-tables.ts) and the report queries (analytics/reports/): the tables, the
 * staging tables the COPY lands in, the procedure that loads one export date, the report views and
 * the external schema over the Glue catalogue.
 *
 * Every setup statement can run again and changes nothing the second time, so the workflow runs
 * them all before every load. The load is one `CALL`: the procedure replaces an export date's rows
 * of every table in one transaction (delete, then copy), so re-running a day never doubles it.
 */
import { type ColumnType, type CuratedColumn, curatedTables, PARTITION_COLUMN } from '../lambdas/model/curated-tables';
import type { Report } from './analytics-schema';

/** Where things live in the warehouse. */
export const WAREHOUSE = {
  /** The database the namespace creates. */
  database: 'order_store',
  /** One table per curated table, every export date. */
  curatedSchema: 'curated',
  /** Where COPY lands one export date's files before they are moved into `curated`. */
  stagingSchema: 'staging',
  /** The report queries, as views over `curated`. */
  reportsSchema: 'reports',
  /** The Glue catalogue's database, for ad-hoc queries on the lake. */
  lakeSchema: 'lake',
  /** The procedure that loads one export date. */
  loadProcedure: 'load_export_date',
} as const;

/** Redshift's type for a column. */
export function redshiftType(column: Pick<CuratedColumn, 'type' | 'maxLength'>): string {
  const types: Record<ColumnType, string> = {
    string: `VARCHAR(${column.maxLength ?? 256})`,
    bigint: 'BIGINT',
    boolean: 'BOOLEAN',
    // UTC instants without a zone, as the Parquet files hold them.
    timestamp: 'TIMESTAMP',
    date: 'DATE',
  };
  return types[column.type];
}

const quote = (identifier: string) => `"${identifier}"`;

const columnDefinition = (column: Pick<CuratedColumn, 'name' | 'type' | 'maxLength' | 'nullable'>) =>
  `${quote(column.name)} ${redshiftType(column)}${column.nullable ? '' : ' NOT NULL'}`;

/** `CREATE TABLE IF NOT EXISTS` for a curated table (with its export date) or its staging table (without). */
export function createTable(table: ReturnType<typeof curatedTables>[number], kind: 'curated' | 'staging'): string {
  const columns = table.columns.map(columnDefinition);
  if (kind === 'staging') {
    return `CREATE TABLE IF NOT EXISTS ${WAREHOUSE.stagingSchema}.${table.name} (${columns.join(', ')})`;
  }
  const partition = columnDefinition({ ...PARTITION_COLUMN, nullable: false });
  return `CREATE TABLE IF NOT EXISTS ${WAREHOUSE.curatedSchema}.${table.name} (${[...columns, partition].join(', ')}) SORTKEY (${quote(PARTITION_COLUMN.name)})`;
}

export interface LoadLocation {
  /** The lake bucket's name. */
  readonly bucket: string;
  /** The curated tables' prefix in it, ending in `/`. */
  readonly curatedPrefix: string;
}

/**
 * The procedure that loads one export date of every curated table: for each, empty its staging
 * table, COPY the export date's Parquet files into it through the namespace's default IAM role
 * (which may read only the curated prefix), delete that date's rows and insert the staged ones.
 * A procedure runs in the caller's transaction, and the Data API commits each statement on its own,
 * so a `CALL` is all or nothing: a failed COPY leaves the earlier load of that date in place.
 */
export function loadProcedure(location: LoadLocation): string {
  const day = 'load_date';
  const steps = curatedTables().flatMap((table) => {
    const names = table.columns.map((c) => quote(c.name)).join(', ');
    const staging = `${WAREHOUSE.stagingSchema}.${table.name}`;
    const target = `${WAREHOUSE.curatedSchema}.${table.name}`;
    const folder = `s3://${location.bucket}/${location.curatedPrefix}${table.name}/${PARTITION_COLUMN.name}=`;
    return [
      `  DELETE FROM ${staging};`,
      `  EXECUTE 'COPY ${staging} FROM ''${folder}' || TO_CHAR(${day}, 'YYYY-MM-DD') || '/'' IAM_ROLE DEFAULT FORMAT AS PARQUET';`,
      `  DELETE FROM ${target} WHERE ${quote(PARTITION_COLUMN.name)} = ${day};`,
      `  INSERT INTO ${target} (${names}, ${quote(PARTITION_COLUMN.name)}) SELECT ${names}, ${day} FROM ${staging};`,
    ];
  });
  return [
    `CREATE OR REPLACE PROCEDURE ${WAREHOUSE.curatedSchema}.${WAREHOUSE.loadProcedure}(${day} DATE)`,
    'AS $$',
    'BEGIN',
    ...steps,
    'END;',
    '$$ LANGUAGE plpgsql',
  ].join('\n');
}

/** The statement each run loads its export date with; the Data API binds `:export_date`. */
export const LOAD_STATEMENT = `CALL ${WAREHOUSE.curatedSchema}.${WAREHOUSE.loadProcedure}(CAST(:export_date AS DATE))`;

/**
 * A report as a view. Its query names the curated tables without a schema; the workgroup's
 * `search_path` starts with `curated` (lib/constructs/redshift-warehouse.ts), which is where
 * Redshift resolves them when the view is created.
 */
export function reportView(report: Report): string {
  return `CREATE OR REPLACE VIEW ${WAREHOUSE.reportsSchema}.${report.name} AS\n${report.sql}`;
}

export interface SetupOptions extends LoadLocation {
  /** The Glue database the `lake` external schema reads. */
  readonly glueDatabase: string;
  /** The report queries; those over the cart archive are left out (see `warehouseReports`). */
  readonly reports: readonly Report[];
}

/**
 * The reports that become views: all but those over the cart archive, whose table Athena reads by
 * partition projection, which Redshift's external tables do not support.
 */
export function warehouseReports(reports: readonly Report[]): Report[] {
  return reports.filter((report) => !report.readsArchive);
}

/** Every setup statement, in the order they must run. */
export function setupStatements(options: SetupOptions): string[] {
  const tables = curatedTables();
  return [
    ...[WAREHOUSE.curatedSchema, WAREHOUSE.stagingSchema, WAREHOUSE.reportsSchema].map(
      (schema) => `CREATE SCHEMA IF NOT EXISTS ${schema}`,
    ),
    ...tables.map((table) => createTable(table, 'curated')),
    ...tables.map((table) => createTable(table, 'staging')),
    loadProcedure(options),
    ...warehouseReports(options.reports).map(reportView),
    `CREATE EXTERNAL SCHEMA IF NOT EXISTS ${WAREHOUSE.lakeSchema} FROM DATA CATALOG DATABASE '${options.glueDatabase}' IAM_ROLE DEFAULT`,
  ];
}
