/**
 * What the handler path adds to a read: each read pattern timed twice, call after call, on the same
 * table in DynamoDB Local.
 *
 * - **bare SDK**: the pattern's DynamoDB requests, exactly as the data layer made them (same keys,
 *   projections, limits; requests the data layer made at once are made at once), sent with a plain
 *   DynamoDB document client: no tracing, no metering, no validation, no response.
 * - **handler**: an API Gateway event through the function's handler to its response, with the
 *   function's observability as deployed: INFO logs, the metrics flushed after every invocation,
 *   and X-Ray on with the request sampled (a subsegment per handler and per DynamoDB request, sent
 *   over UDP to a local listener that counts them, as they would go to the X-Ray daemon).
 * - **handler, not sampled**: the same with the request not sampled, as most are: X-Ray's default
 *   rule samples the first request each second and 5% of the rest.
 *
 * The requests the bare SDK sends are recorded from the handler's own first call, so the two
 * cannot drift apart. The variants take turns, each taking each place in the order in turn, so
 * that a slow moment of the machine falls on all of them alike.
 *
 * Run by bench/access-patterns.ts in its own Node process (`npm run bench`), because the function
 * modules read their configuration, Lambda's variables included, when they load; and once more with
 * BENCH_OBSERVABILITY=off (tracing, metrics and logs switched off) to split the handler's extra
 * time between its observability and the rest of its path. It expects the
 * table seeded and the environment of test/fixtures/app-environment.ts, writes its rows as JSON to
 * the file named by BENCH_RESULT_FILE, and nothing to stdout but what the functions log there.
 */

import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isWrite, patternList } from '../lambdas/model/api-catalogue';
import { FUNCTION_GROUPS, type FunctionGroup } from '../lambdas/model/api-routes';
import type { ApiEvent, ApiResult } from '../lambdas/shared/http';
import { apiEvent, type EventParts, lambdaContext } from '../test/fixtures/api-events';
import { percentile } from './report';

const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const WARM_UP = 20;

interface Quantiles {
  readonly p50: number;
  readonly p99: number;
}

/** One row of the comparison. */
export interface HandlerPathRow {
  readonly number: number;
  readonly title: string;
  readonly requests: number;
  readonly bare: Quantiles;
  /** Through the handler, the request sampled by X-Ray. */
  readonly handler: Quantiles;
  /** Through the handler, the request not sampled (most requests: X-Ray's default rule samples one a second and 5%). */
  readonly unsampled: Quantiles;
  /** X-Ray documents (subsegments) the handler sent per sampled call. */
  readonly traceDocuments: number;
}

/** The request for each read pattern, from the scenario in test/fixtures/store-scenario.ts. */
const EVENTS: Record<number, (orderId: string) => EventParts> = {
  1: () => ({ pathParameters: { customerId: 'c-1' } }),
  2: () => ({ pathParameters: { sku: 'PEN-01' } }),
  3: () => ({
    pathParameters: { category: 'stationery' },
    queryStringParameters: { minPrice: '0', maxPrice: '99999', limit: '10' },
  }),
  4: () => ({ queryStringParameters: { skus: 'PEN-01,PEN-02,BOOK-1' } }),
  5: () => ({ pathParameters: { customerId: 'c-1' }, queryStringParameters: { limit: '10' } }),
  6: () => ({ pathParameters: { customerId: 'c-1' }, queryStringParameters: { limit: '10' } }),
  7: () => ({ pathParameters: { customerId: 'c-1', orderId: 'o-003' } }),
  8: () => ({ pathParameters: { customerId: 'c-1', orderId: 'o-003' }, queryStringParameters: { consistent: 'true' } }),
  9: () => ({
    queryStringParameters: {
      status: 'PLACED',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-02T00:00:00.000Z',
      limit: '10',
    },
  }),
  10: () => ({ queryStringParameters: { limit: '10' } }),
  // The cart bench/access-patterns.ts fills before it runs this.
  11: () => ({ pathParameters: { customerId: 'bench-cart' } }),
  15: () => ({ queryStringParameters: { limit: '100' } }),
  16: () => ({ pathParameters: { day: '2026-10-26' } }),
  17: () => ({ pathParameters: { day: '2026-10-26' }, queryStringParameters: { limit: '10' } }),
  18: () => ({
    pathParameters: { sku: 'PEN-01' },
    queryStringParameters: { from: '2026-10-25', to: '2026-10-27', limit: '10' },
  }),
  23: (orderId) => ({ pathParameters: { customerId: 'c-2', orderId } }),
};

type Handler = (event: ApiEvent, context: ReturnType<typeof lambdaContext>) => Promise<ApiResult>;

/** A request the data layer sent: the command's class, its input, and when it ran. */
interface Sent {
  readonly command: new (input: never) => object;
  readonly input: unknown;
  readonly started: number;
  readonly ended: number;
}

/** Counts what the X-Ray SDK sends, standing in for the daemon. */
async function traceListener() {
  const socket = createSocket('udp4');
  let documents = 0;
  socket.on('message', () => {
    documents += 1;
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${socket.address().port}`, count: () => documents, close: () => socket.close() };
}

/** The variables Lambda sets for a function with JSON logs at INFO and active tracing. */
function lambdaEnvironment(daemonAddress: string): void {
  Object.assign(process.env, {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: 'bench-function',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    AWS_LAMBDA_LOG_LEVEL: 'INFO',
    LAMBDA_TASK_ROOT: process.cwd(),
    AWS_XRAY_DAEMON_ADDRESS: daemonAddress,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
  });
  delete process.env.POWERTOOLS_LOG_LEVEL;
  delete process.env.POWERTOOLS_TRACE_ENABLED;
  if (process.env.BENCH_OBSERVABILITY === 'off') {
    // The same functions with tracing, metrics and logs switched off, to show what they cost.
    Object.assign(process.env, {
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
  }
}

/** A new trace for the next invocation, sampled or not, as Lambda sets it. */
function newTrace(sampled = true): void {
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  process.env._X_AMZN_TRACE_ID = `Root=${root};Parent=${randomBytes(8).toString('hex')};Sampled=${sampled ? 1 : 0}`;
}

/** Replay recorded requests with a bare client: those that overlapped in time run at once. */
function bareReplay(sent: readonly Sent[]): () => Promise<void> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const rounds: Sent[][] = [];
  for (const request of sent) {
    const round = rounds.at(-1);
    if (round?.some((r) => request.started < r.ended)) round.push(request);
    else rounds.push([request]);
  }
  return async () => {
    for (const round of rounds) {
      await Promise.all(
        round.map(({ command, input }) =>
          client.send(new command(structuredClone(input) as never) as Parameters<typeof client.send>[0]),
        ),
      );
    }
  };
}

async function main(): Promise<void> {
  const daemon = await traceListener();
  lambdaEnvironment(daemon.address);
  const { documents } = await import('../lambdas/data/client');
  const { placeOrder } = await import('../lambdas/data/order-workflows');
  const handlers = Object.fromEntries(
    await Promise.all(
      (Object.keys(FUNCTION_GROUPS) as FunctionGroup[]).map(
        async (group) =>
          [group, (await import(`../lambdas/handlers/api/${group.toLowerCase()}`)).handler as Handler] as const,
      ),
    ),
  ) as Record<FunctionGroup, Handler>;

  // Record what the data layer sends, to replay it bare.
  let recording: Sent[] | undefined;
  const send = documents.send.bind(documents) as (command: { input: unknown }) => Promise<unknown>;
  (documents as unknown as { send: typeof send }).send = async (command) => {
    const started = performance.now();
    const input = structuredClone(command.input);
    const result = await send(command);
    recording?.push({ command: command.constructor as Sent['command'], input, started, ended: performance.now() });
    return result;
  };

  newTrace();
  // Each run (deployed, observability off) places its own order: a request token is unique per order.
  const { order } = await placeOrder(
    'c-2',
    [{ sku: 'PEN-03', quantity: 1 }],
    `bench-${randomBytes(8).toString('hex')}`,
  );

  const rows: HandlerPathRow[] = [];
  for (const pattern of patternList().filter((p) => p.requests.every((r) => !isWrite(r.operation)))) {
    const parts = EVENTS[pattern.number];
    if (parts === undefined) throw new Error(`no benchmark request for read pattern #${pattern.number}`);
    const event = apiEvent(pattern.route.route, parts(order.orderId));
    const handler = handlers[pattern.route.group];
    const viaHandler = async (sampled = true) => {
      newTrace(sampled);
      const response = await handler(event, lambdaContext());
      if (response.statusCode !== 200)
        throw new Error(`#${pattern.number} answered ${response.statusCode}: ${response.body}`);
    };

    recording = [];
    await viaHandler();
    const sent = recording;
    recording = undefined;
    const variants = { bare: bareReplay(sent), handler: () => viaHandler(true), unsampled: () => viaHandler(false) };
    const names = Object.keys(variants) as (keyof typeof variants)[];

    for (let i = 0; i < WARM_UP; i++) for (const name of names) await variants[name]();
    const times = { bare: [] as number[], handler: [] as number[], unsampled: [] as number[] };
    const documentsBefore = daemon.count();
    for (let i = 0; i < CALLS; i++) {
      // Each variant takes each place in the order in turn.
      for (let k = 0; k < names.length; k++) {
        const name = names[(i + k) % names.length] as keyof typeof variants;
        const started = performance.now();
        await variants[name]();
        times[name].push(performance.now() - started);
      }
    }
    // UDP on loopback: give the last documents a moment to arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const quantiles = (values: number[]): Quantiles => {
      const sorted = [...values].sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    };
    rows.push({
      number: pattern.number,
      title: pattern.variant === undefined ? pattern.title : `${pattern.title} (${pattern.variant})`,
      requests: sent.length,
      bare: quantiles(times.bare),
      handler: quantiles(times.handler),
      unsampled: quantiles(times.unsampled),
      traceDocuments: (daemon.count() - documentsBefore) / CALLS,
    });
    process.stderr.write('.');
  }
  daemon.close();
  writeFileSync(process.env.BENCH_RESULT_FILE ?? 'handler-path.json', JSON.stringify(rows));
}

main().catch((error) => {
  console.error(error);
  // Exit now: the trace listener's socket would keep the process, and the benchmark waiting on it, alive.
  process.exit(1);
});
