/**
 * `npm run seed`: load a realistic data set into the table of the app that `npm start` runs.
 *
 *   npm run seed                                       # 2,000 products, 1,000 customers, 5,000 orders
 *   npm run seed -- --orders 20000 --random-seed 7     # flags go after "--", or npm takes them
 *
 * Writes products, then customers with their email markers, then orders with their lines, each
 * phase with a progress bar on stderr, and prints a summary. The same command run again writes the
 * same items (within the same hour nothing changes at all); other flags write a second data set
 * beside the first. Daily sales are not written: the app's stream consumers build them from the
 * orders, as they do for orders placed through the API.
 */
import { performance } from 'node:perf_hooks';
import { ConditionalCheckFailedException, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { OrderStatus } from '../lambdas/model/entities';
import { Attr, DEFAULT_STATUS_SHARDS } from '../lambdas/model/table-design';
import { dynamoDbClientOf, NotRunningError, readRunState } from './runner/run-state';
import { batchWriteItems, forEachConcurrently, UnprocessedItemsError } from './seed/batch-writer';
import {
  type Dataset,
  DEFAULT_DATASET,
  generateDataset,
  type SeedItem,
  type SeedItems,
  seedItemsOf,
} from './seed/dataset';
import { formatCount, ProgressBar } from './seed/progress';

/** A bad command line; the message says which flag and what it accepts. */
export class UsageError extends Error {
  constructor(message: string) {
    super(`${message} (npm run seed -- --help)`);
    this.name = 'UsageError';
  }
}

export interface SeedArgs {
  readonly products: number;
  readonly customers: number;
  readonly orders: number;
  readonly randomSeed: number;
}

/** Each flag, the argument it sets, and the values it accepts. */
const FLAGS = {
  '--products': { key: 'products', min: 1, max: 50_000 },
  '--customers': { key: 'customers', min: 1, max: 100_000 },
  '--orders': { key: 'orders', min: 0, max: 200_000 },
  '--random-seed': { key: 'randomSeed', min: 0, max: 0xffff_ffff },
} as const satisfies Record<string, { key: keyof SeedArgs; min: number; max: number }>;

export const USAGE = `Load a realistic data set into the running local app (start it first with "npm start").

Usage: npm run seed -- [--products N] [--customers N] [--orders N] [--random-seed S]

${Object.entries(FLAGS)
  .map(
    ([flag, { key, min, max }]) =>
      `  ${flag.padEnd(15)} ${formatCount(min)} to ${formatCount(max)}, default ${formatCount(DEFAULT_DATASET[key])}`,
  )
  .join('\n')}

The same flags write the same items again; other flags write a second data set beside the first.`;

/** Parse `--flag value` and `--flag=value`; undefined means help was asked for. */
export function parseSeedArgs(argv: readonly string[]): SeedArgs | undefined {
  const args: Record<keyof SeedArgs, number> = { ...DEFAULT_DATASET };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return undefined;
    const [flag = '', inline] = arg.split(/=(.*)/s, 2);
    if (!Object.hasOwn(FLAGS, flag)) throw new UsageError(`Unknown argument "${arg}"`);
    const { key, min, max } = FLAGS[flag as keyof typeof FLAGS];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(number >= min && number <= max)) {
      throw new UsageError(
        `${flag} must be a whole number from ${formatCount(min)} to ${formatCount(max)}; got "${value}"`,
      );
    }
    args[key] = number;
  }
  return args;
}

export type SeedPhase = 'products' | 'customers' | 'orders';

/** What reports a phase's progress; `ProgressBar` is one. */
export interface PhaseProgress {
  add(count: number): void;
  finish(): void;
}

export interface SeedTableOptions {
  /**
   * Requests in flight at once.
   *
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * Makes the progress reporter of each phase, given the phase and its number of items.
   *
   * @default - no progress reports
   */
  readonly progress?: (phase: SeedPhase, total: number) => PhaseProgress;
}

export interface SeedReport {
  /** Puts made, each cancelled order's earlier state included. */
  readonly written: number;
  readonly requests: number;
  /** Requests that resent unprocessed items. */
  readonly retries: number;
}

/**
 * Put each item only if its key is free, and report how many were put. One PutItem each: a
 * condition is what BatchWriteItem cannot do.
 */
async function putIfAbsent(
  client: DynamoDBClient,
  tableName: string,
  items: readonly SeedItem[],
  concurrency: number,
  onProgress: (count: number) => void,
): Promise<number> {
  let put = 0;
  await forEachConcurrently(items, concurrency, async (item) => {
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: marshall(item, { removeUndefinedValues: true }),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': Attr.pk },
        }),
      );
      put++;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    onProgress(1);
  });
  return put;
}

/**
 * Write the data set's items in the order the app would have: products, then customers, then for
 * orders their lines before their headers (the sales aggregator reads an order's lines when it sees
 * the header arrive), and each cancelled order first as it stood before it was cancelled (only if it
 * is not in the table yet), then cancelled, so the stream shows both changes.
 */
export async function seedTable(
  client: DynamoDBClient,
  tableName: string,
  items: SeedItems,
  options: SeedTableOptions = {},
): Promise<SeedReport> {
  const concurrency = options.concurrency ?? 4;
  const totals = { written: 0, requests: 0, retries: 0 };
  const start = (phase: SeedPhase, total: number): PhaseProgress =>
    options.progress?.(phase, total) ?? { add: () => undefined, finish: () => undefined };
  const write = async (group: readonly SeedItem[], progress: PhaseProgress) => {
    const result = await batchWriteItems(client, tableName, group, {
      concurrency,
      onProgress: (count) => progress.add(count),
    });
    totals.written += result.written;
    totals.requests += result.requests;
    totals.retries += result.retries;
  };

  for (const phase of ['products', 'customers'] as const) {
    const progress = start(phase, items[phase].length);
    await write(items[phase], progress);
    progress.finish();
  }

  const { orderLines, ordersBeforeCancellation, orders } = items;
  const progress = start('orders', orderLines.length + ordersBeforeCancellation.length + orders.length);
  await write(orderLines, progress);
  totals.written += await putIfAbsent(client, tableName, ordersBeforeCancellation, concurrency, (count) =>
    progress.add(count),
  );
  totals.requests += ordersBeforeCancellation.length;
  await write(orders, progress);
  progress.finish();
  return totals;
}

const HOUR_MS = 3_600_000;

function summary(dataset: Dataset, report: SeedReport, seconds: number, randomSeed: number, apiUrl: string): string {
  const statuses = new Map<OrderStatus, number>();
  for (const order of dataset.orders) statuses.set(order.status, (statuses.get(order.status) ?? 0) + 1);
  const byStatus = (['DELIVERED', 'SHIPPED', 'PAID', 'PLACED', 'CANCELLED'] as const)
    .map((status) => `${formatCount(statuses.get(status) ?? 0)} ${status.toLowerCase()}`)
    .join(', ');
  const optedIn = dataset.customers.filter((c) => c.marketingOptIn).length;
  const busiest = [...dataset.customers].sort((a, b) => b.orderCount - a.orderCount)[0];
  const category = dataset.categories.includes('kitchen') ? 'kitchen' : dataset.categories[0];
  const product = dataset.products[0];
  // The customer routes need the customer's token (npm run token); the catalogue and the back office none locally.
  const token = busiest === undefined ? undefined : `TOKEN=$(npm run -s token -- ${busiest.customerId})`;
  const asShopper = `-H "authorization: Bearer $TOKEN" `;
  const tries = [
    category === undefined ? undefined : `"${apiUrl}/categories/${category}/products?maxPrice=5000&limit=5"`,
    product === undefined ? undefined : `"${apiUrl}/products/${product.sku}"`,
    busiest === undefined ? undefined : `${asShopper}"${apiUrl}/customers/${busiest.customerId}/orders?limit=5"`,
    busiest === undefined
      ? undefined
      : `${asShopper}"${apiUrl}/customers/${busiest.customerId}/orders/largest?limit=5"`,
    dataset.orders.length === 0 ? undefined : `"${apiUrl}/admin/orders/awaiting-shipment"`,
  ].filter((url) => url !== undefined);

  return [
    `Seeded in ${seconds.toFixed(1)} s (random seed ${randomSeed}):`,
    `  products   ${formatCount(dataset.products.length)} in ${dataset.categories.length} categories`,
    `  customers  ${formatCount(dataset.customers.length)} with their email markers, ${formatCount(optedIn)} opted in to marketing`,
    `  orders     ${formatCount(dataset.orders.length)} with ${formatCount(dataset.orderLines.length)} lines: ${byStatus}`,
    `  items      ${formatCount(report.written)} written, ${formatCount(report.written / Math.max(seconds, 0.001))} items/s` +
      (report.retries > 0 ? ` (${formatCount(report.retries)} requests resent unprocessed items)` : ''),
    '',
    'New orders reach the stream consumers, which build the daily sales from them in the background.',
    'Try:',
    ...(token === undefined ? [] : [`  ${token}`]),
    ...tries.map((request) => `  curl -s ${request}`),
  ].join('\n');
}

async function main(): Promise<void> {
  // The SDK's warning that its 2027 releases need Node 22: the pins keep Node 20 working (README).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const args = parseSeedArgs(process.argv.slice(2));
  if (args === undefined) {
    console.log(USAGE);
    return;
  }
  const state = readRunState();
  // Whole hours: a second run within the hour writes identical items, which leave no stream records.
  const now = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS);
  const dataset = generateDataset({ ...args, now });
  const items = seedItemsOf(dataset, state.statusShards ?? DEFAULT_STATUS_SHARDS);
  const client = dynamoDbClientOf(state);
  console.error(`Seeding table ${state.tables.app} at ${state.endpoints.dynamodb}`);
  const started = performance.now();
  try {
    const report = await seedTable(client, state.tables.app, items, {
      progress: (phase, total) => new ProgressBar({ label: phase, total, labelWidth: 'customers'.length }),
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(summary(dataset, report, seconds, args.randomSeed, state.apiUrl));
  } finally {
    client.destroy();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const known =
      error instanceof NotRunningError || error instanceof UsageError || error instanceof UnprocessedItemsError;
    if (known || process.env.DEBUG === undefined) {
      const message = error instanceof Error ? error.message : String(error);
      console.error(known ? message : `Seeding failed: ${message.split('\n')[0]} (DEBUG=1 for details)`);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  });
}
