/**
 * The generated documentation is current: the committed pages hold exactly what `npm run docs`
 * would write from the API catalogue.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { patternList } from '../../lambdas/model/api-catalogue';
import { generatedFiles } from '../../tools/docs/analytics';
import { expectedPages } from '../../tools/docs/generate';
import { MissingSectionError, replaceSections, table } from '../../tools/docs/markdown';

// The monitoring page's generated parts are checked by test/infra/monitoring-docs.test.ts, which synthesizes.
const pages = expectedPages({ monitoring: false });

test.each(pages.map((page) => [page.file, page]))('%s is current (npm run docs)', (_file, page) => {
  expect(page.current).toBe(page.expected);
});

test.each(generatedFiles().map((file) => [file.file, file]))(
  '%s is current (npm run docs): the Glue job reads the columns the model declares',
  (file, { expected }) => {
    expect(readFileSync(join(__dirname, '..', '..', file), 'utf8')).toBe(expected);
  },
);

test('every pattern of the catalogue is in the generated tables', () => {
  const [accessPatterns] = pages;
  for (const pattern of patternList()) expect(accessPatterns?.expected).toContain(`| ${pattern.number} `);
});

test('a generated section is replaced between its markers and nowhere else', () => {
  const page = [
    'before',
    '<!-- generated: t (from lambdas/model/api-catalogue.ts; edit there, then npm run docs) -->',
    'old',
    '<!-- end of generated: t -->',
    'after',
  ].join('\n');
  expect(replaceSections('page.md', page, { t: 'new' })).toBe(page.replace('old', '\nnew\n'));
  expect(() => replaceSections('page.md', 'no markers', { t: 'new' })).toThrow(MissingSectionError);
});

test('tables pad every column to its widest cell and escape pipes', () => {
  expect(table(['a', 'long header'], [['x|y', '1']])).toBe(
    ['| a    | long header |', '| ---- | ----------- |', '| x\\|y | 1           |'].join('\n'),
  );
});
