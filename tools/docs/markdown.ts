/**
 * Markdown helpers for generated documentation: tables laid out the way the formatter (biome)
 * lays them out, and generated sections between markers inside hand-written pages.
 */

/** Escape what would end a table cell. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * A table with every column padded to its widest cell, as biome formats Markdown tables; the
 * columns `rightAligned` names are aligned right (numbers).
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: readonly number[] = [],
): string {
  const cells = [header, ...rows].map((row) => row.map(cell));
  const widths = header.map((_, i) => Math.max(3, ...cells.map((row) => (row[i] ?? '').length)));
  const right = new Set(rightAligned);
  const pad = (text: string, i: number) => (right.has(i) ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0));
  const line = (row: readonly string[]) => `| ${widths.map((_, i) => pad(row[i] ?? '', i)).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (right.has(i) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  const [head = [], ...body] = cells;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/**
 * The markers around a generated section; the opening one says where it comes from and how to
 * regenerate it.
 */
export const markers = (name: string, source = 'lambdas/model/api-catalogue.ts') => ({
  begin: `<!-- generated: ${name} (from ${source}; edit there, then npm run docs) -->`,
  end: `<!-- end of generated: ${name} -->`,
});

/** Thrown when a page lacks the markers of a section it should hold. */
export class MissingSectionError extends Error {
  constructor(file: string, name: string, source?: string) {
    const { begin, end } = markers(name, source);
    super(`${file} has no generated section "${name}": add the lines\n${begin}\n${end}`);
    this.name = 'MissingSectionError';
  }
}

/** A section's content, and the module it is generated from when that is not the API catalogue. */
export type Section = string | { readonly content: string; readonly source: string };

/** The page with each named section's content replaced by the given one. */
export function replaceSections(file: string, page: string, sections: Readonly<Record<string, Section>>): string {
  let result = page;
  for (const [name, section] of Object.entries(sections)) {
    const { content, source } = typeof section === 'string' ? { content: section, source: undefined } : section;
    const { begin, end } = markers(name, source);
    const from = result.indexOf(begin);
    const to = result.indexOf(end, from);
    if (from < 0 || to < 0) throw new MissingSectionError(file, name, source);
    result = `${result.slice(0, from + begin.length)}\n\n${content.trim()}\n\n${result.slice(to)}`;
  }
  return result;
}
