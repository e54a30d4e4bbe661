/**
 * The generated parts of docs/analytics.md and the schema document the Glue job reads, both from
 * the curated tables of the model (lambdas/model/curated-tables.ts).
 */
import { curatedTables, expiredCartsTable, SKIPPED_ENTITY_TYPES } from '../../lambdas/model/curated-tables';
import { curatedSchemaJson, GLUE_TYPES, SCHEMA_DOCUMENT } from '../../lib/analytics-schema';
import { table } from './markdown';

export const ANALYTICS_PAGE = 'docs/analytics.md';
export const CURATED_TABLES_SOURCE = 'lambdas/model/curated-tables.ts';

const code = (text: string) => `\`${text}\``;

/** One row per curated table: its columns (nullable ones marked), its key, what was left out and why. */
export function curatedTablesTable(): string {
  const rows = [...curatedTables(), expiredCartsTable()].map((t) => [
    code(t.name),
    t.name === expiredCartsTable().name ? 'cart archive (JSON)' : t.entityType,
    t.columns.map((c) => `${code(c.name)} ${GLUE_TYPES[c.type]}${c.nullable ? '?' : ''}`).join(', '),
    t.naturalKey.map(code).join(', '),
    Object.entries(t.leftOut)
      .map(([field, reason]) => `${code(field)}: ${reason}`)
      .join('; ') || '—',
  ]);
  return table(['table', 'from', 'columns (`?`: may be null)', 'key per export date', 'left out'], rows);
}

/** The entity types that are not curated, and why. */
export function skippedEntityTypesTable(): string {
  return table(
    ['entity type', 'why it has no table'],
    Object.entries(SKIPPED_ENTITY_TYPES).map(([type, reason]) => [type, reason]),
  );
}

/** Whole files that `npm run docs` writes. */
export function generatedFiles(): { readonly file: string; readonly expected: string }[] {
  return [{ file: SCHEMA_DOCUMENT, expected: curatedSchemaJson() }];
}
