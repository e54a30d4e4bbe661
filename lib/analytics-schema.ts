/**
 * The curated tables (lambdas/model/curated-tables.ts) in each engine's terms: Glue and Athena
 * types, the document the Python transformation reads, and the report queries.
 *
 * `analytics/curated-tables.json` is `curatedSchemaJson()` as `npm run docs` writes it; a unit
 * test fails when the committed file differs, so the Glue job's column lists cannot drift from
 * the catalogue's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARCHIVE_PARTITION_COLUMN,
  type ColumnType,
  type CuratedColumn,
  curatedTables,
  expiredCartsTable,
  PARTITION_COLUMN,
  SKIPPED_ENTITY_TYPES,
} from '../lambdas/model/curated-tables';
import { ARCHIVE_PREFIX } from '../lambdas/model/streams';

/** The repository's `analytics/` folder: the Glue job, its schema document, the reports. */
export const ANALYTICS_DIR = join(__dirname, '..', 'analytics');

/** Where the schema document lives, relative to the repository root. */
export const SCHEMA_DOCUMENT = 'analytics/curated-tables.json';

/** Hive type names, as the Glue catalogue and Athena spell them. */
export const GLUE_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'string',
  bigint: 'bigint',
  boolean: 'boolean',
  timestamp: 'timestamp',
  date: 'date',
};

const documentColumn = (column: CuratedColumn) => ({
  name: column.name,
  field: column.field,
  type: column.type,
  glueType: GLUE_TYPES[column.type],
  nullable: column.nullable,
});

/** The schema document, as an object. */
export function curatedSchemaDocument(): Record<string, unknown> {
  const archive = expiredCartsTable();
  return {
    generatedBy: 'npm run docs, from lambdas/model/curated-tables.ts (through lib/analytics-schema.ts); do not edit',
    partitionColumn: PARTITION_COLUMN,
    tables: curatedTables().map((table) => ({
      name: table.name,
      entityType: table.entityType,
      naturalKey: table.naturalKey,
      columns: table.columns.map(documentColumn),
    })),
    skippedEntityTypes: SKIPPED_ENTITY_TYPES,
    archive: {
      name: archive.name,
      prefix: ARCHIVE_PREFIX,
      partitionColumn: ARCHIVE_PARTITION_COLUMN.name,
      columns: archive.columns.map(documentColumn),
    },
  };
}

/** The schema document as the committed file holds it. */
export function curatedSchemaJson(): string {
  return `${JSON.stringify(curatedSchemaDocument(), null, 2)}\n`;
}

/** A report of the store: one query in analytics/reports/, run by Athena, Redshift and DuckDB alike. */
export interface Report {
  /** File name without `.sql`, e.g. `revenue_by_day`: the named query's and the view's name. */
  readonly name: string;
  /** The first comment line: what the report shows. */
  readonly description: string;
  /** The query, without its comment. */
  readonly sql: string;
  /** Whether it reads the cart archive rather than the curated export. */
  readonly readsArchive: boolean;
}

/** The report queries, in file order. */
export function reports(dir: string = join(ANALYTICS_DIR, 'reports')): Report[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const [first = '', ...rest] = text.split('\n');
      const description = /^-- (.+)$/.exec(first)?.[1];
      if (description === undefined)
        throw new Error(`${file}: the first line must be a "-- " comment saying what it shows`);
      const sql = rest.join('\n').trim();
      return {
        name: file.replace(/\.sql$/, ''),
        description,
        sql,
        readsArchive: new RegExp(`\\b${expiredCartsTable().name}\\b`).test(sql),
      };
    });
}
