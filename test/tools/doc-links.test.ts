/**
 * Every relative link of the README, CONTRIBUTING and docs/ leads to a file that exists, and every
 * `#section` it names to a heading of that page.
 */
import { join } from 'node:path';
import { anchorsOf, brokenLinks, docPages, githubSlug } from '../../tools/docs/links';

const ROOT = join(__dirname, '..', '..');
const PAGES = docPages(ROOT);

test.each(PAGES)('%s links only to files and headings that exist', (page) => {
  expect(brokenLinks(ROOT, page)).toEqual([]);
});

test('anchors are made as GitHub makes them', () => {
  expect(githubSlug('Kept data and stream checkpoints')).toBe('kept-data-and-stream-checkpoints');
  expect(githubSlug('Configuration, deploy and cost')).toBe('configuration-deploy-and-cost');
  expect(githubSlug('`npm start`: the app')).toBe('npm-start-the-app');
  expect([...anchorsOf('# A\n## Notes\n```\n# not a heading\n```\n## Notes\n')]).toEqual(['a', 'notes', 'notes-1']);
});
