/**
 * Every Mermaid diagram in the README, CONTRIBUTING and docs/ renders: each is drawn by Mermaid in
 * a real browser, as GitHub draws it, and a diagram Mermaid cannot parse fails with its message.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { docPages } from '../../tools/docs/links';
import { launchChromium } from '../fixtures/browser';

const ROOT = join(__dirname, '..', '..');
const PAGES = docPages(ROOT);

/** The Mermaid blocks of a page, each with the line it starts on. */
function diagramsOf(page: string): { readonly line: number; readonly source: string }[] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const diagrams: { line: number; source: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== '```mermaid') continue;
    const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
    diagrams.push({ line: i + 1, source: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return diagrams;
}

const DIAGRAMS = PAGES.flatMap((page) => diagramsOf(page).map((d) => ({ page, ...d })));

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') });
  await page.evaluate(() => {
    (globalThis as unknown as { mermaid: { initialize(config: object): void } }).mermaid.initialize({
      startOnLoad: false,
    });
  });
}, 60_000);

afterAll(() => browser?.close());

test('the README has an architecture diagram, and every page that needs a picture has one', () => {
  const pagesWithDiagrams = new Set(DIAGRAMS.map((d) => d.page));
  for (const page of ['README.md', 'docs/design.md', 'docs/workflows.md', 'docs/streams.md', 'docs/local-runner.md']) {
    expect([page, pagesWithDiagrams.has(page)]).toEqual([page, true]);
  }
});

test.each(DIAGRAMS.map((d) => [`${d.page}:${d.line}`, d.source] as const))('%s renders', async (_where, source) => {
  const rendered = await page.evaluate(async (code) => {
    const mermaid = (
      globalThis as unknown as { mermaid: { render(id: string, code: string): Promise<{ svg: string }> } }
    ).mermaid;
    try {
      const { svg } = await mermaid.render(`diagram-${Math.random().toString(36).slice(2)}`, code);
      return { svg: svg.length, nodes: (svg.match(/<g /g) ?? []).length };
    } catch (error) {
      return { error: String((error as Error).message ?? error) };
    }
  }, source);
  expect(rendered).toEqual({ svg: expect.any(Number), nodes: expect.any(Number) });
  expect((rendered as { nodes: number }).nodes).toBeGreaterThan(2);
});
