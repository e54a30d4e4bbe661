/**
 * Stream consumer benchmark: records per second through each consumer, the lag from a write to its
 * effect (p50, p99) through the local stream pump, and how often the sales aggregator writes a
 * day's total, on DynamoDB Local and moto_server.
 *
 *   npm run bench:streams                  # 500 records per consumer, 200 paced writes for the lag
 *   BENCH_RECORDS=2000 npm run bench:streams
 *
 * Throughput: a backlog of records per consumer is written first, then drained; records per second
 * is records handled divided by the time spent inside the consumer (so the pump's own reading is
 * not counted against it). Lag: orders are placed at a steady pace while the pump runs; the lag of
 * a record is from the moment its write returned (for a cart line, its deletion by the local TTL
 * process) to the end of the invocation that applied it: for the sales aggregator, the final
 * invocation of its 30-second tumbling window. Batching windows are ignored here (in AWS they add
 * up to the configured seconds), so the figure is the pump's polling plus the consumer's work (and
 * the aggregator's window). Prints the tables and writes them to bench/results/streams.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamConsumerName } from '../lib/stacks/streams-stack';
import { startDynamoDbLocal } from '../local/engines/dynamodb-local';
import { startMotoServer } from '../local/engines/moto-server';
import { ENGINE_ENV } from '../test/fixtures/engines';
import { aCartLine, aCustomer, anOrder, anOrderLine, aProduct } from '../test/fixtures/entities';
import { prepareStreamsEnvironment } from '../test/fixtures/streams';
import { engines, percentile, table } from './report';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 500);
const PACED_WRITES = Number(process.env.BENCH_PACED_WRITES ?? 200);
const WRITES_PER_SECOND = 20;
const ROOT = join(__dirname, '..');

/** The order a record is about, or the cart line, to match it with its write. */
const subjectOf = (record: DynamoDBRecord): string => {
  const image = record.dynamodb?.NewImage ?? record.dynamodb?.OldImage;
  return image?.orderId?.S ?? `${image?.customerId?.S}|${image?.sku?.S}`;
};

/**
 * Count the data layer's writes to any day's sales total (`SALES#<day>` / `TOTAL`): the one item
 * every order of a day adds to, so the figure that says whether the design has a hot item.
 */
async function countWritesToDayTotals() {
  const { documents } = await import('../lambdas/data/client');
  const WRITES = new Set(['PutCommand', 'UpdateCommand', 'DeleteCommand', 'TransactWriteCommand']);
  const touchesTotal = (request: { Key?: Record<string, unknown>; Item?: Record<string, unknown> }) => {
    const key = request.Key ?? request.Item;
    return typeof key?.PK === 'string' && key.PK.startsWith('SALES#') && key.SK === 'TOTAL';
  };
  let writes = 0;
  const send = documents.send.bind(documents) as (command: object) => Promise<unknown>;
  (documents as unknown as { send: typeof send }).send = (command) => {
    if (WRITES.has(command.constructor.name)) {
      const input = (command as { input: { TransactItems?: Record<string, object>[] } }).input;
      const requests = input.TransactItems?.flatMap((item) => Object.values(item)) ?? [input];
      writes += requests.filter(touchesTotal).length;
    }
    return send(command);
  };
  /** The writes counted since the last call. */
  return {
    take: () => {
      const taken = writes;
      writes = 0;
      return taken;
    },
  };
}

async function main(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const [dynamodb, moto] = await Promise.all([startDynamoDbLocal(), startMotoServer()]);
  try {
    process.env[ENGINE_ENV.dynamodb] = dynamodb.endpoint;
    process.env[ENGINE_ENV.moto] = moto.endpoint;

    const busy: Record<StreamConsumerName, { records: number; orders: number; ms: number }> = {
      SalesAggregator: { records: 0, orders: 0, ms: 0 },
      OrderEvents: { records: 0, orders: 0, ms: 0 },
      ExpiredCartArchiver: { records: 0, orders: 0, ms: 0 },
    };
    const writtenAt = new Map<string, number>();
    const lags: Record<StreamConsumerName, number[]> = {
      SalesAggregator: [],
      OrderEvents: [],
      ExpiredCartArchiver: [],
    };
    // The aggregator's records take effect when their tumbling window ends: its lag runs to the
    // window's final invocation. Every other consumer's records take effect in their invocation.
    const openWindows = new Map<string, DynamoDBRecord[]>();
    const env = await prepareStreamsEnvironment({
      catchEvents: false,
      onInvocation: (consumer, event, start, end) => {
        busy[consumer].records += event.Records.length;
        busy[consumer].orders += event.Records.filter((r) => r.dynamodb?.NewImage?.entityType?.S === 'Order').length;
        busy[consumer].ms += end - start;
        let effective = event.Records;
        if (event.window !== undefined) {
          const key = `${event.shardId}|${event.window.start}`;
          const records = [...(openWindows.get(key) ?? []), ...event.Records];
          openWindows.set(key, records);
          if (event.isFinalInvokeForWindow !== true) return;
          openWindows.delete(key);
          effective = records;
        }
        // An order's lag is its header's (its lines come with it).
        for (const record of effective.filter((r) => r.dynamodb?.NewImage?.entityType?.S !== 'OrderLine')) {
          const written = writtenAt.get(subjectOf(record));
          if (written !== undefined) lags[consumer].push(end - written);
        }
      },
    });
    const totals = await countWritesToDayTotals();
    const keys = await import('../lambdas/model/keys');
    const workflows = await import('../lambdas/data/order-workflows');

    // Throughput: a backlog for each consumer, then one drain.
    const backlog: Record<string, unknown>[] = [keys.customerItem(aCustomer({ customerId: 'bench' }))];
    backlog.push(keys.productItem(aProduct({ sku: 'PEN', priceCents: 250, stock: 1_000_000 })));
    const expired = Math.floor(Date.now() / 1000) - 60;
    for (let i = 0; i < RECORDS; i++) {
      const orderId = `b-${String(i).padStart(6, '0')}`;
      backlog.push(keys.orderItem(anOrder({ orderId, customerId: 'bench' }), 4));
      backlog.push(keys.orderLineItem(anOrderLine({ orderId, customerId: 'bench', sku: 'PEN' })));
      backlog.push(keys.cartLineItem(aCartLine({ customerId: `cart-${i}`, sku: 'PEN', expiresAt: expired })));
    }
    await env.seed(backlog);
    await env.ttl.sweep();
    for (const b of Object.values(busy)) Object.assign(b, { records: 0, orders: 0, ms: 0 });
    totals.take();
    await env.pump.drain({ timeoutMs: 15 * 60_000 });
    const backlogTotalWrites = totals.take();
    const throughput = Object.entries(busy).map(([name, b]) => [
      name,
      b.records,
      b.orders,
      Math.round(b.ms),
      Math.round(b.records / (b.ms / 1000)),
      b.orders === 0 ? '–' : Math.round(b.orders / (b.ms / 1000)),
    ]);

    // Lag: paced orders through the data layer while the pump runs.
    for (const l of Object.values(lags)) l.length = 0;
    env.pump.start({ intervalMs: 20, ignoreBatchingWindows: true });
    const startedAt = performance.now();
    for (let i = 0; i < PACED_WRITES; i++) {
      const due = startedAt + (i * 1000) / WRITES_PER_SECOND;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      const { order } = await workflows.placeOrder('bench', [{ sku: 'PEN', quantity: 1 }], `bench-${i}`);
      writtenAt.set(order.orderId, performance.now());
    }
    // Cart lines that expire, swept in rounds as the TTL process would.
    for (let round = 0; round < 10; round++) {
      const lines = Array.from({ length: 20 }, (_, i) =>
        keys.cartLineItem(aCartLine({ customerId: `lag-${round}-${i}`, sku: 'PEN', expiresAt: expired })),
      );
      await env.seed(lines);
      await env.ttl.sweep({
        onDeleted: (key) =>
          writtenAt.set(`${key.PK?.S?.replace('CUSTOMER#', '')}|${key.SK?.S?.replace('CART#', '')}`, performance.now()),
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Wait until every paced write has reached every consumer that acts on it.
    const expected = { SalesAggregator: PACED_WRITES, OrderEvents: PACED_WRITES, ExpiredCartArchiver: 200 };
    const waitUntil = performance.now() + 120_000;
    while (
      (Object.keys(expected) as StreamConsumerName[]).some((name) => lags[name].length < expected[name]) &&
      performance.now() < waitUntil
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await env.pump.stop();
    const pacedTotalWrites = totals.take();

    const perHundred = (writes: number, orders: number) => ((writes * 100) / orders).toFixed(2);
    const totalRows = [
      ['backlog, drained', RECORDS, backlogTotalWrites, perHundred(backlogTotalWrites, RECORDS)],
      [
        `paced, ${WRITES_PER_SECOND} orders/s`,
        PACED_WRITES,
        pacedTotalWrites,
        perHundred(pacedTotalWrites, PACED_WRITES),
      ],
    ];

    const lagRows = Object.entries(lags).map(([name, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return [name, sorted.length, percentile(sorted, 50).toFixed(1), percentile(sorted, 99).toFixed(1)];
    });

    const report = [
      `Stream consumers on DynamoDB Local and moto_server (${engines()}), ${RECORDS} records per consumer.`,
      '',
      table(['consumer', 'records', 'of them orders', 'ms in consumer', 'records/s', 'orders/s'], throughput),
      '',
      "Each order of the backlog has one line; the sales aggregator also receives the line's record (it takes an order's lines from its batch), so its records are twice its orders.",
      '',
      `Write-to-effect lag through the local pump (polling every 20 ms, batching windows ignored), ${PACED_WRITES} orders at ${WRITES_PER_SECOND}/s and 200 expired cart lines:`,
      '',
      table(['consumer', 'records', 'lag p50 ms', 'lag p99 ms'], lagRows),
      '',
      "Writes to a day's sales total (`SALES#<day>` / `TOTAL`) by the sales aggregator, which adds each shard's orders up over 30-second tumbling windows and writes each figure once a window:",
      '',
      table(['orders', 'count', "writes to the day's total", 'per 100 orders'], totalRows),
      '',
    ].join('\n');
    console.log(report);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'streams.md'), report);
    env.destroy();
  } finally {
    await Promise.all([dynamodb.stop(), moto.stop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
