/**
 * `npm run analytics:local`: the analytics pipeline on this machine, against the app `npm start`
 * runs.
 *
 *   npm run analytics:local                              # export today, curate, print the reports
 *   npm run analytics:local -- --export-date 2026-11-28  # write (or rewrite) another export date
 *
 * 1. Exports the running app's table from DynamoDB Local in the DynamoDB export format (gzip JSON
 *    lines of {"Item": ...} under .analytics/export/AWSDynamoDB/<id>/data/).
 * 2. Copies the expired-cart archive out of the app's moto_server, if it has one.
 * 3. Runs the Glue job's transformation (analytics/glue/curation.py) with pyarrow in place of
 *    Spark into .analytics/curated/<table>/export_date=<day>/, and prints the reports
 *    (analytics/reports/*.sql) with DuckDB in place of Athena.
 *
 * The Python tools come from analytics/requirements.txt (docs/analytics.md says how to install them).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ARCHIVE_PREFIX } from '../lambdas/model/streams';
import { CurationError, curateToTerminal } from './analytics/curate';
import { exportTable } from './analytics/export-table';
import { dynamoDbClientOf, NotRunningError, type RunState, readRunState } from './runner/run-state';

/** A bad command line; the message says which flag and what it accepts. */
export class UsageError extends Error {
  constructor(message: string) {
    super(`${message} (npm run analytics:local -- --help)`);
    this.name = 'UsageError';
  }
}

export interface AnalyticsArgs {
  /** Where the export, the archive copy and the curated tables go. */
  readonly out: string;
  /** The export date the run writes, YYYY-MM-DD. */
  readonly exportDate: string;
}

export const USAGE = `Export the running local app's table, curate it into Parquet and print the store's reports.

Usage: npm run analytics:local -- [--out DIR] [--export-date YYYY-MM-DD]

  --out DIR                  where to write, default .analytics (export/, cart-archive/, curated/)
  --export-date YYYY-MM-DD   the partition to write, default today (UTC); running a date again replaces it`;

const ROOT = join(__dirname, '..');
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Parse `--flag value` and `--flag=value`; undefined means help was asked for. */
export function parseAnalyticsArgs(argv: readonly string[], today: Date = new Date()): AnalyticsArgs | undefined {
  let out = join(ROOT, '.analytics');
  let exportDate = today.toISOString().slice(0, 10);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return undefined;
    const [flag = '', inline] = arg.split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    if (flag !== '--out' && flag !== '--export-date') throw new UsageError(`Unknown argument "${arg}"`);
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
    if (flag === '--out') out = value;
    else if (DAY.test(value)) exportDate = value;
    else throw new UsageError(`--export-date must be a day as YYYY-MM-DD; got "${value}"`);
  }
  return { out, exportDate };
}

/** Copy every archived cart line in the app's moto_server into `dir`, keeping the keys. */
async function copyCartArchive(state: RunState, dir: string): Promise<number> {
  if (state.endpoints.moto === undefined) return 0;
  const s3 = new S3Client({
    region: state.region,
    credentials: state.credentials,
    endpoint: state.endpoints.moto,
    forcePathStyle: true,
  });
  let copied = 0;
  try {
    const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
    for (const { Name } of Buckets) {
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: Name, Prefix: `${ARCHIVE_PREFIX}/`, ContinuationToken: token }),
        );
        for (const { Key } of page.Contents ?? []) {
          if (Key === undefined) continue;
          const object = await s3.send(new GetObjectCommand({ Bucket: Name, Key }));
          mkdirSync(dirname(join(dir, Key)), { recursive: true });
          writeFileSync(join(dir, Key), (await object.Body?.transformToByteArray()) ?? new Uint8Array());
          copied++;
        }
        token = page.NextContinuationToken;
      } while (token !== undefined);
    }
  } finally {
    s3.destroy();
  }
  return copied;
}

async function main(): Promise<void> {
  // The SDK's warning that its 2027 releases need Node 22: the pins keep Node 20 working (README).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const args = parseAnalyticsArgs(process.argv.slice(2));
  if (args === undefined) {
    console.log(USAGE);
    return;
  }
  const state = readRunState();
  const exportDir = join(args.out, 'export');
  const archiveDir = join(args.out, 'cart-archive');
  rmSync(exportDir, { recursive: true, force: true });
  rmSync(archiveDir, { recursive: true, force: true });

  const client = dynamoDbClientOf(state);
  try {
    const exported = await exportTable(client, state.tables.app, exportDir);
    console.log(
      `Exported ${exported.itemCount} items of ${state.tables.app} (DynamoDB Local, ${state.endpoints.dynamodb}) into ${relative(process.cwd(), join(exportDir, 'AWSDynamoDB', exported.exportId))}/`,
    );
  } finally {
    client.destroy();
  }
  const archived = await copyCartArchive(state, archiveDir);
  console.log(
    archived > 0
      ? `Copied ${archived} archived cart lines from moto_server's cart archive.`
      : 'No archived carts (they appear once carts expire by TTL); the abandoned-carts report is empty.',
  );
  console.log('');
  await curateToTerminal({
    exportDir,
    out: args.out,
    exportDate: args.exportDate,
    ...(archived > 0 ? { cartArchive: archiveDir } : {}),
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const known = error instanceof NotRunningError || error instanceof UsageError || error instanceof CurationError;
    if (known || process.env.DEBUG === undefined) {
      const message = error instanceof Error ? error.message : String(error);
      console.error(known ? message : `The analytics run failed: ${message.split('\n')[0]} (DEBUG=1 for details)`);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  });
}
