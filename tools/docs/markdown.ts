/**
 * Markdown helpers for generated documentation: tables laid out the way the formatter (biome)
 * lays them out, and generated sections between markers inside hand-written pages.
 */

/** Escape what would end a table cell. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A table with every column padded to its widest cell, as biome formats Markdown tables. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [header, ...rows].map((row) => row.map(cell));
  const widths = header.map((_, i) => Math.max(3, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) => `| ${widths.map((w, i) => (row[i] ?? '').padEnd(w)).join(' | ')} |`;
  const [head = [], ...body] = cells;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...body.map(line)].join('\n');
}

/** The markers around a generated section; the opening one says how to regenerate it. */
export const markers = (name: string) => ({
  begin: `<!-- generated: ${name} (from lambdas/model/api-catalogue.ts; edit there, then npm run docs) -->`,
  end: `<!-- end of generated: ${name} -->`,
});

/** Thrown when a page lacks the markers of a section it should hold. */
export class MissingSectionError extends Error {
  constructor(file: string, name: string) {
    super(`${file} has no generated section "${name}": add the lines\n${markers(name).begin}\n${markers(name).end}`);
    this.name = 'MissingSectionError';
  }
}

/** The page with each named section's content replaced by the given one. */
export function replaceSections(file: string, page: string, sections: Readonly<Record<string, string>>): string {
  let result = page;
  for (const [name, content] of Object.entries(sections)) {
    const { begin, end } = markers(name);
    const from = result.indexOf(begin);
    const to = result.indexOf(end, from);
    if (from < 0 || to < 0) throw new MissingSectionError(file, name);
    result = `${result.slice(0, from + begin.length)}\n\n${content.trim()}\n\n${result.slice(to)}`;
  }
  return result;
}
