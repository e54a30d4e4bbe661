/**
 * `npm start`: the whole application on this machine.
 *
 *   npm start                      synthesize, then run on DynamoDB Local with data kept in .dynamodb/
 *   npm start -- --in-memory       the same, with data discarded when it stops
 *   npm start -- --port 8080       the API on another port (or PORT=8080 npm start)
 *   npm start -- --reset           delete the kept data first
 *   npm start -- --data DIR        keep the data in DIR instead of .dynamodb/
 *   npm start -- --no-synth        reuse cdk.out as it is
 *   npm start -- --assembly DIR    run a cloud assembly synthesized elsewhere (implies --no-synth)
 *   npm start -- --log-level INFO  show the functions' own logs at this level (default WARN)
 *
 * Ctrl-C stops everything it started.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { assertJava, LOCAL_AWS } from './engines/dynamodb-local';
import { EngineUnavailableError } from './engines/engine-process';
import { type LocalApp, type LogChannel, startLocalApp } from './runner/local-app';
import { type RunState, readRunState, removeRunState, writeRunState } from './runner/run-state';
import { sampleRequests } from './runner/samples';

// The SDK's notice that releases after January 2027 need Node 22: the README says so once.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Lambda runs in UTC. The zone is the process's, so the functions' workers get it from here.
process.env.TZ = 'UTC';

/** The app another `npm start` is running, if any. */
function runningApp(): RunState | undefined {
  try {
    return readRunState();
  } catch {
    return undefined;
  }
}

const ROOT = join(__dirname, '..');
const ASSEMBLY_DIR = join(ROOT, 'cdk.out');
const DATA_DIR = join(ROOT, '.dynamodb');
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'];
/** A signal this soon after the first is the same Ctrl-C, delivered twice (see `shutdown`). */
const SECOND_SIGNAL_AFTER_MS = 1_000;

class UsageError extends Error {}

function options() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.PORT ?? '3000' },
      'in-memory': { type: 'boolean', default: false },
      reset: { type: 'boolean', default: false },
      'no-synth': { type: 'boolean', default: false },
      data: { type: 'string', default: DATA_DIR },
      assembly: { type: 'string' },
      'log-level': { type: 'string', default: 'WARN' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(values.port)}`);
  const logLevel = (values['log-level'] ?? 'WARN').toUpperCase();
  if (!LOG_LEVELS.includes(logLevel))
    throw new UsageError(
      `--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(values['log-level'])}`,
    );
  return {
    port,
    inMemory: values['in-memory'] ?? false,
    reset: values.reset ?? false,
    synth: !values['no-synth'] && values.assembly === undefined,
    dataDir: resolve(values.data ?? DATA_DIR),
    assemblyDir: values.assembly ?? ASSEMBLY_DIR,
    logLevel,
  };
}

const COLOURS: Record<LogChannel, number> = {
  api: 36,
  stream: 35,
  events: 34,
  workflow: 33,
  ttl: 32,
  function: 90,
  runner: 37,
};
const colour = (channel: LogChannel, text: string) =>
  process.stdout.isTTY ? `\u001b[${COLOURS[channel]}m${text}\u001b[0m` : text;
const time = () => new Date().toISOString().slice(11, 23);
const print = (channel: LogChannel, message: string) =>
  console.log(`${time()} ${colour(channel, channel.padEnd(8))} ${message}`);

/**
 * At most LINES_PER_SECOND lines per channel each second; the rest are counted and summed up once
 * the burst is over, so that `npm run seed` (thousands of orders through the stream, the bus and
 * fulfilment) does not bury everything else.
 */
const LINES_PER_SECOND = 10;
const bursts = new Map<LogChannel, { second: number; shown: number; hidden: number }>();
/** Start a new second for each channel whose second is over, reporting what it hid. */
function rollOver(second: number): void {
  for (const [channel, burst] of bursts) {
    if (burst.second === second) continue;
    if (burst.hidden > 0) print(channel, `... and ${burst.hidden} more ${channel} lines in that second`);
    bursts.set(channel, { second, shown: 0, hidden: 0 });
  }
}
function log(channel: LogChannel, message: string): void {
  const second = Math.floor(Date.now() / 1000);
  rollOver(second);
  const burst = bursts.get(channel) ?? { second, shown: 0, hidden: 0 };
  bursts.set(channel, burst);
  if (burst.shown < LINES_PER_SECOND) {
    burst.shown += 1;
    print(channel, message);
  } else {
    burst.hidden += 1;
  }
}
setInterval(() => rollOver(Math.floor(Date.now() / 1000)), 1_000).unref();

function synthesize(): void {
  const started = Date.now();
  process.stdout.write('Synthesizing the app (cdk synth) ... ');
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    console.log('failed');
    console.error(`${result.stdout}${result.stderr}`.trim());
    process.exit(1);
  }
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function banner(app: LocalApp, dataDir: string | undefined): string {
  const lines = [
    '',
    `The OrderStore API is running on ${app.apiUrl}`,
    `The local console (the table, its indexes, the access patterns, the stream): ${app.consoleUrl}/`,
    '',
    `  ${app.routes.length} routes, ${app.functions.size} functions, ${app.mappings.length} stream consumers (${app.mappings.map((m) => m.functionName).join(', ')})`,
    `  DynamoDB Local ${app.endpoints.dynamodb}, tables ${Object.values(app.tables).join(', ')}; data ${dataDir === undefined ? 'in memory, discarded on exit' : `kept in ${relative(ROOT, dataDir) || '.'}/ (npm start -- --in-memory to discard)`}`,
    app.endpoints.moto === undefined
      ? '  moto_server: not installed'
      : `  moto_server ${app.endpoints.moto}: the event bus, the archive bucket, the failure queues, the cursor secret`,
    '',
    "Authorization, as in AWS: the catalogue is public; the /customers routes need a shopper's token",
    `(Authorization: Bearer ...), checked as API Gateway's JWT authorizer checks it, and act only on`,
    "the token's subject; the back office's routes need SigV4 in AWS, and here pass unsigned as the",
    'local IAM user arn:aws:iam::123456789012:user/local-developer.',
    ...(app.auth === undefined
      ? []
      : [
          '',
          `A token for a local shopper (its subject is the customer id it may use), from ${app.auth.tokenUrl}:`,
          `  TOKEN=$(npm run -s token -- ada)       or: curl -s -X POST ${app.auth.tokenUrl} -d '{"sub":"ada"}'`,
        ]),
    '',
    'Try:',
    ...sampleRequests(app.apiUrl).map((s) => `  ${s}`),
    '',
    'Then: npm run seed (a realistic data set), npm run demo (a scripted scenario). Ctrl-C stops everything.',
    '',
  ];
  return lines.join('\n');
}

/** The table of the template whose logical id starts with `prefix`; the run state needs both. */
function tableNamed(app: LocalApp, prefix: string): string {
  const found = Object.entries(app.tables).find(([id]) => id.startsWith(prefix));
  if (found === undefined) throw new Error(`No table whose logical id starts with ${prefix} in the templates`);
  return found[1];
}

async function main(): Promise<void> {
  const opts = options();
  // Before anything slow: without Java nothing else can work.
  assertJava();
  // Two runners would share .dynamodb/, and each would pump the other's stream.
  const other = runningApp();
  if (other !== undefined)
    throw new UsageError(`The local app is already running (process ${other.pid}, ${other.apiUrl}); stop it first.`);
  if (opts.synth) synthesize();
  if (opts.reset) rmSync(opts.dataDir, { recursive: true, force: true });
  if (!opts.inMemory) mkdirSync(opts.dataDir, { recursive: true });

  const app = await startLocalApp({
    assemblyDir: opts.assemblyDir,
    port: opts.port,
    ...(opts.inMemory ? {} : { dbPath: opts.dataDir }),
    functionLogLevel: opts.logLevel,
    log,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new UsageError(`Port ${opts.port} is in use: npm start -- --port <another>`);
    throw error;
  });
  let stoppingSince: number | undefined;
  const shutdown = async (signal: string) => {
    if (stoppingSince !== undefined) {
      // Ctrl-C under `npm start` arrives twice at once: from the terminal to the whole process
      // group, and from npm, which passes it on to its child. Only a later one is a second Ctrl-C.
      if (Date.now() - stoppingSince < SECOND_SIGNAL_AFTER_MS) return;
      // A second Ctrl-C: stop waiting. The engines are killed when this process exits.
      log('runner', `${signal} again: exiting now`);
      process.exit(130);
    }
    stoppingSince = Date.now();
    log('runner', `${signal}: stopping (again to force)`);
    removeRunState(process.pid);
    await app.stop();
    log('runner', 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  writeRunState({
    pid: process.pid,
    apiUrl: app.apiUrl,
    ...(app.auth === undefined ? {} : { auth: app.auth }),
    region: app.region,
    credentials: LOCAL_AWS.credentials,
    endpoints: app.endpoints,
    tables: { app: tableNamed(app, 'Table'), idempotency: tableNamed(app, 'IdempotencyTable') },
    statusShards: Number(app.functions.get('Orders')?.environment.STATUS_SHARDS ?? '') || undefined,
    startedAt: new Date().toISOString(),
  });
  for (const { what, why } of app.skipped) log('runner', `skipped ${what}: ${why}`);
  if (app.endpoints.moto === undefined)
    log(
      'runner',
      "moto_server is not installed (pip install 'moto[server]'): the event bus, the archive and the fulfilment workflow are skipped",
    );
  if (app.reusedData) {
    const fromEnd = app.mappings.filter((m) => m.start === 'end of stream').map((m) => m.functionName);
    log(
      'runner',
      fromEnd.length === 0
        ? 'tables kept from an earlier run: the stream consumers resume from their checkpoints, as deployed mappings do'
        : `tables kept from an earlier run without stream checkpoints: ${fromEnd.join(', ')} start at the end of the stream`,
    );
  }
  console.log(banner(app, opts.inMemory ? undefined : opts.dataDir));
}

main().catch((error: unknown) => {
  // One line for what the user can fix; the whole story for anything else.
  if (error instanceof EngineUnavailableError || error instanceof UsageError) console.error(error.message);
  else console.error(error);
  removeRunState(process.pid);
  process.exit(1);
});
