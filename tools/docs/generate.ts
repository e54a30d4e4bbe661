/**
 * `npm run docs`: write the generated parts of the documentation: the tables from the API
 * catalogue (lambdas/model/api-catalogue.ts), the security page's route authorization and function
 * grants (as the stacks derive them), the monitoring page's cost table and dashboard
 * picture from the synthesized stacks, and the curated tables of the analytics page with the
 * schema document the Glue job reads (analytics/curated-tables.json), from
 * lambdas/model/curated-tables.ts. `npm run docs -- --check` writes nothing and exits 1 when a
 * committed page is stale; tests do the same check on every run of `npm test`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ANALYTICS_PAGE,
  CURATED_TABLES_SOURCE,
  curatedTablesTable,
  generatedFiles,
  skippedEntityTypesTable,
} from './analytics';
import { cachedReads, conditionalRequests, patternsTable, routesTable, workflowsTable } from './catalogue-tables';
import { replaceSections, type Section } from './markdown';
import { costTable, dashboardSvg, LAYOUT_SVG, MONITORING_PAGE } from './monitoring';
import { functionGrantsTable, routeAuthorizationTable, SECURITY_PAGE, SECURITY_SOURCE } from './security';

const ROOT = join(__dirname, '..', '..');

/** Each page with generated sections, and what they hold. */
export function generatedSections(
  options: { readonly monitoring?: boolean } = {},
): Readonly<Record<string, Readonly<Record<string, Section>>>> {
  return {
    'docs/access-patterns.md': {
      'access patterns': patternsTable(),
      'conditional requests': conditionalRequests(),
      'cached reads': cachedReads(),
      workflows: workflowsTable(),
    },
    'README.md': { routes: routesTable() },
    [SECURITY_PAGE]: {
      'route authorization': { content: routeAuthorizationTable(), source: SECURITY_SOURCE },
      'function grants': { content: functionGrantsTable(), source: SECURITY_SOURCE },
    },
    [ANALYTICS_PAGE]: {
      'curated tables': { content: curatedTablesTable(), source: CURATED_TABLES_SOURCE },
      'skipped entity types': { content: skippedEntityTypesTable(), source: CURATED_TABLES_SOURCE },
    },
    ...(options.monitoring === false
      ? {}
      : { [MONITORING_PAGE]: { 'monitoring cost': { content: costTable(), source: 'tools/docs/monitoring.ts' } } }),
  };
}

/** Each page as it should be: its committed text with the generated sections brought up to date. */
export function expectedPages(
  options: { readonly root?: string; readonly monitoring?: boolean } = {},
): { readonly file: string; readonly current: string; readonly expected: string }[] {
  return Object.entries(generatedSections(options)).map(([file, sections]) => {
    const current = readFileSync(join(options.root ?? ROOT, file), 'utf8');
    return { file, current, expected: replaceSections(file, current, sections) };
  });
}

function main(): void {
  const check = process.argv.includes('--check');
  const svg = dashboardSvg();
  const stale = [
    ...expectedPages().filter((page) => page.current !== page.expected),
    ...generatedFiles().filter(
      (file) => !existsSync(join(ROOT, file.file)) || readFileSync(join(ROOT, file.file), 'utf8') !== file.expected,
    ),
    ...(readFileSync(join(ROOT, LAYOUT_SVG), 'utf8') === svg ? [] : [{ file: LAYOUT_SVG, expected: svg }]),
  ];
  if (check) {
    for (const page of stale) console.error(`${page.file} is stale: run npm run docs`);
    process.exitCode = stale.length === 0 ? 0 : 1;
    return;
  }
  for (const page of stale) writeFileSync(join(ROOT, page.file), page.expected);
  console.log(stale.length === 0 ? 'The generated docs are current.' : `Wrote ${stale.map((p) => p.file).join(', ')}.`);
}

if (require.main === module) main();
