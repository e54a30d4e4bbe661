/**
 * Run the analytics transformation on an export folder with the local Python
 * (analytics/local/curate_local.py): Parquet files under `<out>/curated/`, then the reports.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ANALYTICS_DIR, analyticsPython, missingPythonTools } from './python';

export interface CurationRun {
  /** The folder holding the export's `AWSDynamoDB/`. */
  readonly exportDir: string;
  /** Where `curated/` is written. */
  readonly out: string;
  /** The partition this run writes, YYYY-MM-DD. */
  readonly exportDate: string;
  /** A folder holding `expired-carts/day=<day>/*.json`, the cart archive's layout. */
  readonly cartArchive?: string;
}

/** What the transformation reports with `--json`. */
export interface CurationReport {
  readonly exportDate: string;
  readonly tally: {
    readonly lines: number;
    readonly rows: Readonly<Record<string, number>>;
    readonly deleted: Readonly<Record<string, number>>;
    readonly skipped: Readonly<Record<string, number>>;
    readonly unknown: Readonly<Record<string, number>>;
    readonly malformed: number;
  };
  readonly parquet: Readonly<Record<string, string>>;
  readonly reports: Readonly<Record<string, readonly Record<string, string | number | null>[]>>;
}

/** Thrown when the Python or its tools are missing, or the transformation fails; the message says which. */
export class CurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CurationError';
  }
}

function args(run: CurationRun, json: boolean): string[] {
  return [
    join(ANALYTICS_DIR, 'local', 'curate_local.py'),
    '--export-dir',
    run.exportDir,
    '--out',
    run.out,
    '--export-date',
    run.exportDate,
    ...(run.cartArchive === undefined ? [] : ['--cart-archive', run.cartArchive]),
    ...(json ? ['--json'] : []),
  ];
}

function python(): string {
  const interpreter = analyticsPython();
  const missing = missingPythonTools(interpreter);
  if (missing !== undefined) throw new CurationError(`The analytics transformation needs Python tools: ${missing}`);
  return interpreter;
}

/** Run it and return its report, for tests and tools. */
export function curateToJson(run: CurationRun): Promise<CurationReport> {
  const interpreter = python();
  return new Promise((resolve, reject) => {
    const child = spawn(interpreter, args(run, true), { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new CurationError(error.message)));
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new CurationError(`curate_local.py exited with ${code}:\n${Buffer.concat(err).toString()}`));
        return;
      }
      resolve(JSON.parse(Buffer.concat(out).toString()) as CurationReport);
    });
  });
}

/** Run it with its output on this process's terminal: the counts and the reports as text. */
export function curateToTerminal(run: CurationRun): Promise<void> {
  const interpreter = python();
  return new Promise((resolve, reject) => {
    const child = spawn(interpreter, args(run, false), { stdio: 'inherit' });
    child.on('error', (error) => reject(new CurationError(error.message)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new CurationError(`curate_local.py exited with ${code}`)),
    );
  });
}
