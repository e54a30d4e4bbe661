/**
 * Bundle size and load time of every function, against the bare-SDK floor built and loaded in the
 * same run, and what fills each bundle (esbuild's metafile).
 *
 * Each handler under lambdas/handlers/ is built with esbuild and the settings the function
 * construct gives the CDK (BUNDLE_SETTINGS in lib/constructs/app-function.ts), with a metafile;
 * then the app is synthesized with real bundling, as `cdk synth` does, and every bundle the CDK
 * built must be byte for byte one of these, so the table describes what deploys.
 *
 * Rows besides the functions:
 * - **bare-SDK floor**: a handler that makes one DocumentClient GetItem and nothing else, built
 *   with ESM entry points and minified: what any DynamoDB function loads at least.
 * - **bare-SDK floor, environment credentials**: the same with the credential chain the functions
 *   use, to show what Powertools, validation and the application add on top.
 * - **floor with what stays**: that handler with what every function keeps by design (Powertools
 *   logger, metrics and tracer around the client, the event checked with zod/mini): the least a
 *   function of this application can load, so the second ratio is what the application's own code
 *   and its other clients cost.
 * - **empty handler**: Node's own start, the part no bundle can remove.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';
import { BUNDLE_SETTINGS } from '../lib/constructs/app-function';
import { synthesizedBundles } from '../test/fixtures/bundles';
import { percentile, table } from './report';

const ROOT = join(__dirname, '..');
const HANDLERS = join(ROOT, 'lambdas', 'handlers');
const LOAD_RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 15);
/** How many of a bundle's biggest packages the report names. */
const TOP = 5;

interface Bundle {
  readonly name: string;
  readonly path: string;
  readonly bytes: number;
  readonly metafile?: Metafile;
  /** Variables the bundle needs to load, besides Lambda's. */
  readonly variables?: Record<string, string>;
  /** A reference row rather than a function. */
  readonly reference?: true;
}

/** Build one entry point with the functions' settings, or without the credential alias. */
function build(
  entry: string,
  outdir: string,
  options: { dax?: boolean; alias?: boolean; scratch?: boolean } = {},
): Bundle & { metafile: Metafile } {
  const outfile = join(outdir, 'index.js');
  const settings: BuildOptions = {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    minify: BUNDLE_SETTINGS.minify,
    target: BUNDLE_SETTINGS.target,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    external: options.dax === true ? [] : [BUNDLE_SETTINGS.daxClient],
    ...(options.alias === false ? {} : { alias: { ...BUNDLE_SETTINGS.alias } }),
    ...(options.scratch === true ? { nodePaths: [join(ROOT, 'node_modules')] } : {}),
    metafile: true,
    logLevel: 'error',
  };
  const { metafile } = buildSync(settings);
  if (metafile === undefined) throw new Error(`esbuild wrote no metafile for ${entry}`);
  return { name: '', path: outfile, bytes: readFileSync(outfile).length, metafile };
}

const handlerEntries = (): string[] =>
  readdirSync(HANDLERS, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .map((file) => join(HANDLERS, file));

/** A throwaway handler in a temporary directory; it resolves the project's packages through `nodePaths`. */
function scratchEntry(outdir: string, name: string, source: string): string {
  const entry = join(outdir, `${name}.ts`);
  writeFileSync(entry, source);
  return entry;
}

const FLOOR_SOURCE = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async (event: { sku: string }) =>
  (await documents.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { PK: \`PRODUCT#\${event.sku}\`, SK: 'PRODUCT' } }))).Item;
`;

const KEPT_SOURCE = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import * as z from 'zod/mini';
const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();
const documents = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})));
const input = z.object({ sku: z.string().check(z.minLength(1)) });
export const handler = async (event: unknown) => {
  const { sku } = z.parse(input, event);
  logger.info('get', { sku });
  metrics.publishStoredMetrics();
  return (await documents.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { PK: \`PRODUCT#\${sku}\`, SK: 'PRODUCT' } }))).Item;
};
`;

/** Every function's bundle, the Catalog function's with DAX, and the reference rows. */
function buildAll(): Bundle[] {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  const bundles: Bundle[] = handlerEntries().map((entry, i) => ({
    ...build(entry, join(outdir, String(i))),
    name: relative(HANDLERS, entry).replace(/\.ts$/, ''),
  }));
  bundles.push({
    ...build(join(HANDLERS, 'api', 'catalog.ts'), join(outdir, 'dax'), { dax: true }),
    name: 'api/catalog (dax=true)',
    // The cached function loads with its cluster's endpoint set; the DAX client is built at its first read.
    variables: { DAX_ENDPOINT: 'daxs://bench.example.dax-clusters.eu-west-1.amazonaws.com' },
  });
  const floor = scratchEntry(outdir, 'floor', FLOOR_SOURCE);
  const empty = scratchEntry(outdir, 'empty', 'export const handler = async () => ({ statusCode: 200 });\n');
  const reference = (name: string, bundle: Bundle) => bundles.push({ ...bundle, name, reference: true });
  reference('bare-SDK floor', build(floor, join(outdir, 'floor'), { alias: false, scratch: true }));
  reference('bare-SDK floor, environment credentials', build(floor, join(outdir, 'floor-env'), { scratch: true }));
  const kept = scratchEntry(outdir, 'kept', KEPT_SOURCE);
  reference('floor with what stays', build(kept, join(outdir, 'kept'), { scratch: true }));
  reference('empty handler', build(empty, join(outdir, 'empty'), { alias: false, scratch: true }));
  return bundles;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * The bundles the CDK builds, each of which must be one of ours byte for byte: returns their
 * hashes, so that handler files no function is built from (shared modules) drop out of the report.
 */
function synthesizedHashes(bundles: readonly Bundle[]): Set<string> {
  const ours = new Set(bundles.map((b) => sha256(b.path)));
  const synthesized = [...synthesizedBundles(), ...synthesizedBundles({ dax: 'true' }, ['Api'])];
  const strangers = synthesized.filter((b) => !ours.has(sha256(b.path)));
  if (strangers.length > 0) {
    throw new Error(
      `bundles the CDK built differently: ${strangers.map((b) => `${b.stack} ${b.description}`).join('; ')}`,
    );
  }
  return new Set(synthesized.map((b) => sha256(b.path)));
}

/** The biggest packages (or project folders) in a bundle, by bytes in the output. */
function topContributors(metafile: Metafile): string {
  const [output] = Object.values(metafile.outputs);
  const byPackage = new Map<string, number>();
  for (const [file, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    // A package, a folder of the project (`lambdas/model`), or the throwaway handler of a reference row.
    const pkg =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ??
      (file.startsWith('..') ? 'handler' : file.split('/').slice(0, 2).join('/'));
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)
    .map(([pkg, bytes]) => `${pkg} ${(bytes / 1024).toFixed(0)}`)
    .join(', ');
}

/**
 * Median time for a fresh Node process to load each bundle with Lambda's variables (so tracing is
 * on, as deployed): the part of a cold start the code controls. The bundles take turns, run after
 * run, so that a slower minute of a shared machine weighs on all of them alike.
 */
function loadTimes(bundles: readonly Bundle[]): { inProcess: number; wholeProcess: number }[] {
  const env = {
    PATH: process.env.PATH,
    // Lambda runs Node 24, where the SDK has no version warning to print.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    AWS_LAMBDA_LOG_LEVEL: 'INFO',
    LAMBDA_TASK_ROOT: ROOT,
    TABLE_NAME: 'bench',
    IDEMPOTENCY_TABLE_NAME: 'bench-idempotency',
    CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:bench',
    ARCHIVE_BUCKET_NAME: 'bench',
    EVENT_BUS_NAME: 'bench',
    POWERTOOLS_SERVICE_NAME: 'bench',
    POWERTOOLS_METRICS_NAMESPACE: 'Bench',
  };
  const runs = bundles.map(() => ({ inProcess: [] as number[], whole: [] as number[] }));
  for (let i = 0; i < LOAD_RUNS; i++) {
    bundles.forEach(({ path, variables }, b) => {
      const script = `const t=process.hrtime.bigint();require(${JSON.stringify(path)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
      const started = performance.now();
      const run = spawnSync(process.execPath, ['-e', script], { env: { ...env, ...variables }, encoding: 'utf8' });
      runs[b]?.whole.push(performance.now() - started);
      if (run.status !== 0) throw new Error(`loading ${path} failed: ${run.stderr}`);
      runs[b]?.inProcess.push(Number(run.stdout.trim().split('\n').at(-1)));
    });
  }
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      50,
    );
  return runs.map((r) => ({ inProcess: median(r.inProcess), wholeProcess: median(r.whole) }));
}

/** The bundle table, and a line saying how the bundles were checked, as Markdown. */
export function bundleReport(): string {
  const built = buildAll();
  const deployed = synthesizedHashes(built);
  const bundles = built.filter((b) => b.reference === true || deployed.has(sha256(b.path)));
  const times = loadTimes(bundles);
  const floor = times[bundles.findIndex((b) => b.name === 'bare-SDK floor')];
  const kept = times[bundles.findIndex((b) => b.name === 'floor with what stays')];
  if (floor === undefined || kept === undefined) throw new Error('no floor bundles');
  const rows = bundles.map((bundle, i) => {
    const time = times[i] ?? { inProcess: Number.NaN, wholeProcess: Number.NaN };
    return [
      bundle.reference === true ? `_${bundle.name}_` : bundle.name,
      (bundle.bytes / 1024).toFixed(1),
      time.inProcess.toFixed(1),
      `${(time.inProcess / floor.inProcess).toFixed(2)}×`,
      `${(time.inProcess / kept.inProcess).toFixed(2)}×`,
      time.wholeProcess.toFixed(1),
      bundle.metafile === undefined ? '' : topContributors(bundle.metafile),
    ];
  });
  return [
    `Every function's bundle, built with the function construct's esbuild settings; each of the ${deployed.size} distinct bundles \`cdk synth\` builds (the default stage, and the Catalog function with \`-c dax=true\`) is byte for byte one of them. Load times are medians of ${LOAD_RUNS} fresh Node processes per bundle with Lambda's variables (tracing on), the bundles taking turns; the ratios are to the bare-SDK floor and to the floor with what every function keeps (Powertools logger, metrics and tracer, zod/mini), of the same run.`,
    '',
    table(
      [
        'bundle',
        'KB',
        'require() ms (median)',
        '× floor',
        '× floor with what stays',
        'node process ms (median)',
        `biggest ${TOP} packages, KB in the bundle`,
      ],
      rows,
    ),
  ].join('\n');
}
