/**
 * The warehouse's SQL against the model: each table's DDL declares exactly the model's columns in
 * order, with Redshift's types and nullability, plus the export date; the load procedure replaces
 * one export date of every table; the views are the reports that read the curated tables.
 */
import { curatedTables, PARTITION_COLUMN } from '../../lambdas/model/curated-tables';
import { reports } from '../../lib/analytics-schema';
import {
  createTable,
  LOAD_STATEMENT,
  loadProcedure,
  redshiftType,
  setupStatements,
  WAREHOUSE,
  warehouseReports,
} from '../../lib/warehouse-sql';

const LOCATION = { bucket: 'lake-bucket', curatedPrefix: 'curated/' };

/** `"name" TYPE [NOT NULL]` items of a CREATE TABLE statement, parsed. */
function columnsOf(ddl: string): { name: string; type: string; notNull: boolean }[] {
  const body = /^CREATE TABLE IF NOT EXISTS \S+ \((.*?)\)(?: SORTKEY \("[a-z_]+"\))?$/.exec(ddl)?.[1];
  if (body === undefined) throw new Error(`not a CREATE TABLE: ${ddl}`);
  return body.split(/, (?=")/).map((item) => {
    const match = /^"([a-z_]+)" ([A-Z]+(?:\(\d+\))?)( NOT NULL)?$/.exec(item);
    if (match === null) throw new Error(`unexpected column definition: ${item}`);
    return { name: match[1] as string, type: match[2] as string, notNull: match[3] !== undefined };
  });
}

describe('GIVEN the curated tables of the model', () => {
  test.each(curatedTables().map((t) => [t.name, t]))(
    'THEN the DDL of %s has its columns in order, then the export date, sorted by it',
    (name, table) => {
      const ddl = createTable(table, 'curated');
      expect(ddl.startsWith(`CREATE TABLE IF NOT EXISTS ${WAREHOUSE.curatedSchema}.${name} (`)).toBe(true);
      expect(columnsOf(ddl)).toEqual([
        ...table.columns.map((c) => ({ name: c.name, type: redshiftType(c), notNull: !c.nullable })),
        { name: PARTITION_COLUMN.name, type: 'DATE', notNull: true },
      ]);
      expect(ddl).toMatch(/SORTKEY \("export_date"\)$/);
      // The staging table is what COPY reads a Parquet file into: the file's columns, nothing more.
      expect(columnsOf(createTable(table, 'staging')).map((c) => c.name)).toEqual(table.columns.map((c) => c.name));
    },
  );

  test.each([
    [{ type: 'string', maxLength: 128 }, 'VARCHAR(128)'],
    [{ type: 'string' }, 'VARCHAR(256)'],
    [{ type: 'bigint' }, 'BIGINT'],
    [{ type: 'boolean' }, 'BOOLEAN'],
    [{ type: 'timestamp' }, 'TIMESTAMP'],
    [{ type: 'date' }, 'DATE'],
  ] as const)('THEN a %j column is %s in Redshift', (column, type) => {
    expect(redshiftType(column)).toBe(type);
  });

  test('THEN the load procedure replaces one export date of every table, in one call', () => {
    const procedure = loadProcedure(LOCATION);
    expect(procedure.split('\n')[0]).toBe(
      `CREATE OR REPLACE PROCEDURE ${WAREHOUSE.curatedSchema}.${WAREHOUSE.loadProcedure}(load_date DATE)`,
    );
    for (const table of curatedTables()) {
      const names = table.columns.map((c) => `"${c.name}"`).join(', ');
      const steps = procedure
        .split('\n')
        .filter((line) => line.includes(`.${table.name} `) || line.includes(`.${table.name};`));
      expect(steps).toEqual([
        `  DELETE FROM staging.${table.name};`,
        `  EXECUTE 'COPY staging.${table.name} FROM ''s3://lake-bucket/curated/${table.name}/export_date=' || TO_CHAR(load_date, 'YYYY-MM-DD') || '/'' IAM_ROLE DEFAULT FORMAT AS PARQUET';`,
        `  DELETE FROM curated.${table.name} WHERE "export_date" = load_date;`,
        `  INSERT INTO curated.${table.name} (${names}, "export_date") SELECT ${names}, load_date FROM staging.${table.name};`,
      ]);
    }
    // No COMMIT and no TRUNCATE (which commits): the whole load is the caller's one transaction.
    expect(procedure).not.toMatch(/\b(COMMIT|TRUNCATE)\b/i);
    expect(LOAD_STATEMENT).toBe('CALL curated.load_export_date(CAST(:export_date AS DATE))');
  });

  test('THEN setup creates schemas, tables and staging tables, the procedure, the report views and the lake schema, in that order', () => {
    const statements = setupStatements({ ...LOCATION, glueDatabase: 'order_store_dev', reports: reports() });
    const kinds = statements.map(
      (s) => /^CREATE (?:OR REPLACE )?(SCHEMA|TABLE|PROCEDURE|VIEW|EXTERNAL SCHEMA)/.exec(s)?.[1],
    );
    expect(kinds).toEqual([
      'SCHEMA',
      'SCHEMA',
      'SCHEMA',
      ...curatedTables().map(() => 'TABLE'),
      ...curatedTables().map(() => 'TABLE'),
      'PROCEDURE',
      ...warehouseReports(reports()).map(() => 'VIEW'),
      'EXTERNAL SCHEMA',
    ]);
    // Each can run again: the workflow runs them all before every load.
    for (const statement of statements)
      expect(statement).toMatch(
        /^CREATE (SCHEMA IF NOT EXISTS|TABLE IF NOT EXISTS|OR REPLACE|EXTERNAL SCHEMA IF NOT EXISTS)/,
      );
    expect(statements.at(-1)).toBe(
      "CREATE EXTERNAL SCHEMA IF NOT EXISTS lake FROM DATA CATALOG DATABASE 'order_store_dev' IAM_ROLE DEFAULT",
    );
  });

  test('THEN every report that reads the curated tables is a view, and the archive’s is left to Athena', () => {
    const views = warehouseReports(reports()).map((r) => r.name);
    expect(views).toEqual(['order_status_funnel', 'revenue_by_day', 'top_products']);
    expect(
      reports()
        .filter((r) => r.readsArchive)
        .map((r) => r.name),
    ).toEqual(['abandoned_carts']);
    const statements = setupStatements({ ...LOCATION, glueDatabase: 'db', reports: reports() });
    for (const report of warehouseReports(reports())) {
      expect(statements).toContain(`CREATE OR REPLACE VIEW reports.${report.name} AS\n${report.sql}`);
    }
  });
});
