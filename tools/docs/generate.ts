/**
 * `npm run docs`: write the generated sections of the documentation from the API catalogue
 * (lambdas/model/api-catalogue.ts). `npm run docs -- --check` writes nothing and exits 1 when a
 * committed page is stale; a test does the same check on every run of `npm test`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { conditionalRequests, patternsTable, routesTable, workflowsTable } from './catalogue-tables';
import { replaceSections } from './markdown';

const ROOT = join(__dirname, '..', '..');

/** Each page with generated sections, and what they hold. */
export function generatedSections(): Readonly<Record<string, Readonly<Record<string, string>>>> {
  return {
    'docs/access-patterns.md': {
      'access patterns': patternsTable(),
      'conditional requests': conditionalRequests(),
      workflows: workflowsTable(),
    },
    'README.md': { routes: routesTable() },
  };
}

/** Each page as it should be: its committed text with the generated sections brought up to date. */
export function expectedPages(
  root = ROOT,
): { readonly file: string; readonly current: string; readonly expected: string }[] {
  return Object.entries(generatedSections()).map(([file, sections]) => {
    const current = readFileSync(join(root, file), 'utf8');
    return { file, current, expected: replaceSections(file, current, sections) };
  });
}

function main(): void {
  const check = process.argv.includes('--check');
  const stale = expectedPages().filter((page) => page.current !== page.expected);
  if (check) {
    for (const page of stale) console.error(`${page.file} is stale: run npm run docs`);
    process.exitCode = stale.length === 0 ? 0 : 1;
    return;
  }
  for (const page of stale) writeFileSync(join(ROOT, page.file), page.expected);
  console.log(stale.length === 0 ? 'The generated docs are current.' : `Wrote ${stale.map((p) => p.file).join(', ')}.`);
}

if (require.main === module) main();
