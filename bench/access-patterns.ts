/**
 * Access-pattern benchmark on DynamoDB Local: each pattern's latency and capacity, what the handler
 * path adds to each read over the bare SDK, and each function's bundle size and load time.
 *
 *   npm run bench                     # 300 timed calls per pattern and variant
 *   BENCH_CALLS=1000 npm run bench    # more calls
 *   BENCH_ONLY=bundles npm run bench  # only the bundles (written to bench/results/bundles.md)
 *
 * Prints three tables and writes them to bench/results/access-patterns.md. Latencies are for this
 * machine and DynamoDB Local (a Java process on loopback), useful to compare patterns and changes,
 * not as a forecast of DynamoDB in AWS. Capacity units are what DynamoDB Local reports per call,
 * beside the theoretical minimum for the same items (bench/item-size.ts). The handler path is
 * bench/handler-path.ts, the bundles bench/bundles.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startDynamoDbLocal } from '../local/engines/dynamodb-local';
import { startMotoServer } from '../local/engines/moto-server';
import { prepareAppEnvironment } from '../test/fixtures/app-environment';
import { ENGINE_ENV } from '../test/fixtures/engines';
import { scenarioItems } from '../test/fixtures/store-scenario';
import { bundleReport } from './bundles';
import type { HandlerPathRow } from './handler-path';
import { itemSize, readUnits, writeUnits } from './item-size';
import { engines, percentile, table } from './report';

const CALLS = Number(process.env.BENCH_CALLS ?? 300);
/** `BENCH_ONLY=bundles`: only the bundle sizes and load times, without the engines. */
const BUNDLES_ONLY = process.env.BENCH_ONLY === 'bundles';
const WARM_UP = 20;
const ROOT = join(__dirname, '..');

interface Case {
  readonly number: number;
  readonly name: string;
  /** One call; `i` counts calls, for cases that need a fresh key each time. */
  readonly run: (i: number) => Promise<unknown>;
  /** The theoretical minimum for one call, as text. */
  readonly minimum: string;
  /** Untimed preparation, run just before the case. */
  readonly setup?: () => Promise<void>;
}

async function accessPatterns(): Promise<string> {
  const env = await prepareAppEnvironment({ POWERTOOLS_LOG_LEVEL: 'SILENT' });
  const items = scenarioItems();
  await env.seed(items);
  const { metered } = await import('../lambdas/shared/capacity');
  const catalog = await import('../lambdas/data/catalog');
  const customers = await import('../lambdas/data/customers');
  const orders = await import('../lambdas/data/orders');
  const cart = await import('../lambdas/data/cart');

  const stored = (pk: string, sk: string) => {
    const item = items.find((i) => i.PK === pk && i.SK === sk);
    if (item === undefined) throw new Error(`no item ${pk} ${sk}`);
    return item;
  };
  const sizes = (predicate: (i: Record<string, unknown>) => boolean, take = Number.POSITIVE_INFINITY) =>
    items.filter(predicate).slice(0, take).map(itemSize);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const pick = (item: Record<string, unknown>, names: string[]) =>
    Object.fromEntries(names.filter((n) => n in item).map((n) => [n, item[n]]));
  const c1Orders = items.filter((i) => i.entityType === 'Order');
  const placed = c1Orders.filter((i) => i.status === 'PLACED');
  const lineSize = itemSize({ ...stored('CUSTOMER#c-1', 'ORDER#o-003#LINE#PEN-00') });
  const cartLine = {
    PK: 'CUSTOMER#b',
    SK: 'CART#PEN-01',
    entityType: 'CartLine',
    customerId: 'b-1',
    sku: 'PEN-01',
    quantity: 1,
    unitPriceCents: 200,
    addedAt: '2026-11-01T10:00:00.000Z',
    expiresAt: 1_800_000_000,
  };

  await cart.addToCart('bench-cart', 'PEN-01', 1);
  await cart.addToCart('bench-cart', 'BOOK-1', 1);
  const tableBytes = sum(items.map(itemSize)) + 2 * itemSize(cartLine);

  const window = { status: 'PLACED' as const, from: '2026-11-01T00:00:00.000Z', to: '2026-11-02T00:00:00.000Z' };
  const cases: Case[] = [
    {
      number: 1,
      name: 'getCustomer',
      run: () => customers.getCustomer('c-1'),
      minimum: `${readUnits(itemSize(stored('CUSTOMER#c-1', 'PROFILE')))} RCU`,
    },
    {
      number: 2,
      name: 'getProduct',
      run: () => catalog.getProduct('PEN-01'),
      minimum: `${readUnits(itemSize(stored('PRODUCT#PEN-01', 'PRODUCT')))} RCU`,
    },
    {
      number: 3,
      name: 'listProductsByCategory (10)',
      run: () =>
        catalog.listProductsByCategory(
          { category: 'stationery', minPriceCents: 0, maxPriceCents: 99_999 },
          { limit: 10 },
        ),
      minimum: `${readUnits(sum(sizes((i) => i.category === 'stationery', 10)))} RCU`,
    },
    {
      number: 4,
      name: 'getProducts (3)',
      run: () => catalog.getProducts(['PEN-01', 'PEN-02', 'BOOK-1']),
      minimum: `${sum(['PEN-01', 'PEN-02', 'BOOK-1'].map((s) => readUnits(itemSize(stored(`PRODUCT#${s}`, 'PRODUCT')))))} RCU`,
    },
    {
      number: 5,
      name: 'listCustomerOrders (10)',
      run: () => orders.listCustomerOrders('c-1', { limit: 10 }),
      minimum: `${readUnits(sum(c1Orders.slice(0, 10).map(itemSize)))} RCU`,
    },
    {
      number: 6,
      name: 'listLargestOrders (10)',
      run: () => orders.listLargestOrders('c-1', { limit: 10 }),
      minimum: `${readUnits(sum(c1Orders.slice(0, 10).map((o) => itemSize(pick(o, ['PK', 'SK', 'LSI1SK', 'orderId', 'status', 'placedAt', 'orderTotalCents'])))))} RCU`,
    },
    {
      number: 7,
      name: 'getOrderWithLines',
      run: () => orders.getOrderWithLines('c-1', 'o-003'),
      minimum: `${readUnits(itemSize(stored('CUSTOMER#c-1', 'ORDER#o-003')) + 2 * lineSize)} RCU`,
    },
    {
      number: 8,
      name: 'getOrderWithLines (consistent)',
      run: () => orders.getOrderWithLines('c-1', 'o-003', { consistentRead: true }),
      minimum: `${readUnits(itemSize(stored('CUSTOMER#c-1', 'ORDER#o-003')) + 2 * lineSize, true)} RCU`,
    },
    {
      number: 9,
      name: 'listOrdersByStatus (10, 4 shards)',
      run: () => orders.listOrdersByStatus(window, { limit: 10 }),
      minimum: `${readUnits(sum(placed.slice(0, 10).map((o) => itemSize(pick(o, ['PK', 'SK', 'statusShard', 'statusSince', 'customerId', 'orderId', 'placedAt', 'orderTotalCents'])))))} RCU`,
    },
    {
      number: 10,
      name: 'listOrdersAwaitingShipment (10)',
      run: () => orders.listOrdersAwaitingShipment({ limit: 10 }),
      minimum: '0.5 RCU',
    },
    {
      number: 11,
      name: 'getCart (2 lines)',
      run: () => cart.getCart('bench-cart'),
      minimum: `${readUnits(2 * itemSize(cartLine))} RCU`,
    },
    {
      number: 12,
      name: 'addToCart (new line)',
      run: (i) => cart.addToCart(`bench-add-${i}`, 'PEN-01', 1),
      minimum: `${writeUnits(itemSize(cartLine))} WCU + ${readUnits(itemSize(stored('PRODUCT#PEN-01', 'PRODUCT')))} RCU`,
    },
    {
      number: 13,
      name: 'changeCartLineQuantity',
      run: (i) => cart.changeCartLineQuantity('bench-cart', 'PEN-01', (i % 50) + 1),
      minimum: `${writeUnits(itemSize(cartLine))} WCU`,
    },
    {
      number: 14,
      name: 'removeCartLine',
      setup: async () => {
        for (let i = 0; i < CALLS + WARM_UP; i++) await cart.addToCart(`bench-remove-${i}`, 'PEN-02', 1);
      },
      run: (i) => cart.removeCartLine(`bench-remove-${i}`, 'PEN-02'),
      minimum: `${writeUnits(itemSize(cartLine))} WCU`,
    },
  ];
  // The scan runs before the cart writes grow the table, over the seeded items and one cart.
  cases.splice(11, 0, {
    number: 15,
    name: 'exportMarketingOptIns (4 segments)',
    run: () => customers.exportMarketingOptIns({ pageSize: 1_000 }),
    minimum: `${readUnits(tableBytes)} RCU (one scan of the whole table)`,
  });

  const rows: (string | number)[][] = [];
  for (const c of cases) {
    await c.setup?.();
    let call = 0;
    for (let i = 0; i < WARM_UP; i++) await c.run(call++);
    const { usage } = await metered(() => c.run(call++) as Promise<unknown>);
    const latencies: number[] = [];
    for (let i = 0; i < CALLS - 1; i++) {
      const started = performance.now();
      await c.run(call++);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const units = [
      usage.readCapacityUnits > 0 ? `${usage.readCapacityUnits} RCU` : '',
      usage.writeCapacityUnits > 0 ? `${usage.writeCapacityUnits} WCU` : '',
    ].filter(Boolean);
    rows.push([
      c.number,
      c.name,
      CALLS,
      percentile(latencies, 50).toFixed(2),
      percentile(latencies, 99).toFixed(2),
      units.join(' + '),
      c.minimum,
      usage.requests,
    ]);
    process.stderr.write('.');
  }
  env.client.destroy();
  process.stderr.write('\n');
  return table(
    ['#', 'pattern', 'calls', 'p50 ms', 'p99 ms', 'consumed per call', 'theoretical minimum', 'requests'],
    rows,
  );
}

/** The access patterns, then the handler path, on DynamoDB Local and moto, started and stopped around them. */
async function onEngines(): Promise<{ patterns: string; handlerRows: HandlerPathRow[]; quietRows: HandlerPathRow[] }> {
  const [dynamodb, moto] = await Promise.all([startDynamoDbLocal(), startMotoServer()]);
  try {
    process.env[ENGINE_ENV.dynamodb] = dynamodb.endpoint;
    process.env[ENGINE_ENV.moto] = moto.endpoint;
    const patterns = await accessPatterns();
    return { patterns, handlerRows: handlerPath(), quietRows: handlerPath({ BENCH_OBSERVABILITY: 'off' }) };
  } finally {
    await Promise.all([dynamodb.stop(), moto.stop()]);
  }
}

/** Run bench/handler-path.ts in its own process against the prepared table, and return its rows. */
function handlerPath(variables: Record<string, string> = {}): HandlerPathRow[] {
  const resultFile = join(mkdtempSync(join(tmpdir(), 'bench-handler-path-')), 'rows.json');
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'handler-path.ts')], {
    env: { ...process.env, ...variables, BENCH_RESULT_FILE: resultFile },
    // The functions log and flush their metrics to stdout, as in Lambda; nobody reads them here.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`bench/handler-path.ts failed (exit ${run.status})`);
  return JSON.parse(readFileSync(resultFile, 'utf8')) as HandlerPathRow[];
}

const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}×`;

function handlerPathTable(rows: readonly HandlerPathRow[], quiet: readonly HandlerPathRow[]): string {
  const both = (q: { p50: number; p99: number }) => `${q.p50.toFixed(2)} / ${q.p99.toFixed(2)}`;
  const ratios = (q: { p50: number; p99: number }, base: { p50: number; p99: number }) =>
    `${ratio(q.p50, base.p50)} / ${ratio(q.p99, base.p99)}`;
  return table(
    [
      '#',
      'read pattern',
      'requests',
      'bare SDK ms',
      'handler ms',
      'ratio',
      'handler, not sampled, ms',
      'ratio',
      'handler, no observability, ms',
      'ratio',
      'X-Ray documents per sampled call',
    ],
    rows.map((r) => {
      const q = quiet.find((row) => row.number === r.number);
      if (q === undefined) throw new Error(`no run without observability for #${r.number}`);
      return [
        r.number,
        r.title,
        r.requests,
        both(r.bare),
        both(r.handler),
        ratios(r.handler, r.bare),
        both(r.unsampled),
        ratios(r.unsampled, r.bare),
        both(q.handler),
        ratios(q.handler, q.bare),
        r.traceDocuments.toFixed(1),
      ];
    }),
  );
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const sections = [
    `# Access-pattern benchmark (${new Date().toISOString().slice(0, 10)}, DynamoDB Local from ${engines()})`,
    '',
  ];
  if (!BUNDLES_ONLY) {
    const { patterns, handlerRows, quietRows } = await onEngines();
    sections.push(
      '## Access patterns',
      '',
      `The data layer's function for each pattern: latency over ${CALLS} calls after ${WARM_UP} warm-up calls, one call at a time.`,
      '',
      patterns,
      '',
      '## Handler path against the bare SDK',
      '',
      `Each read pattern ${CALLS} times each way, the variants taking turns, after ${WARM_UP} warm-up calls: the same DynamoDB requests sent with a bare document client, and an API Gateway event through the function's handler with logging, metrics and X-Ray as deployed, the request sampled by X-Ray or not; then the same again in a second process with tracing, metrics and logs switched off (its ratio is to the bare SDK of that run). Each cell is p50 / p99 (bench/handler-path.ts).`,
      '',
      handlerPathTable(handlerRows, quietRows),
      '',
    );
  }
  sections.push('## Bundles', '', bundleReport(), '');
  const report = sections.join('\n');
  console.log(report);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', BUNDLES_ONLY ? 'bundles.md' : 'access-patterns.md'), report);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
