/**
 * Stream consumer benchmark: records per second through each consumer, and the lag from a write
 * to its effect (p50, p99) through the local stream pump, on DynamoDB Local and moto_server.
 *
 *   npm run bench:streams                  # 500 records per consumer, 200 paced writes for the lag
 *   BENCH_RECORDS=2000 npm run bench:streams
 *
 * Throughput: a backlog of records per consumer is written first, then drained; records per second
 * is records handled divided by the time spent inside the consumer (so the pump's own reading is
 * not counted against it). Lag: orders are placed at a steady pace while the pump runs; the lag of
 * a record is from the moment its write returned (for a cart line, its deletion by the local TTL
 * process) to the end of the invocation that handled it.
 * Batching windows are ignored here (in AWS they add up to the configured seconds), so the figure
 * is the pump's polling plus the consumer's work. Prints a table and writes it to
 * bench/results/streams.md.
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
import { percentile, table } from './report';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 500);
const PACED_WRITES = Number(process.env.BENCH_PACED_WRITES ?? 200);
const WRITES_PER_SECOND = 20;
const ROOT = join(__dirname, '..');

/** The order a record is about, or the cart line, to match it with its write. */
const subjectOf = (record: DynamoDBRecord): string => {
  const image = record.dynamodb?.NewImage ?? record.dynamodb?.OldImage;
  return image?.orderId?.S ?? `${image?.customerId?.S}|${image?.sku?.S}`;
};

async function main(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const [dynamodb, moto] = await Promise.all([startDynamoDbLocal(), startMotoServer()]);
  try {
    process.env[ENGINE_ENV.dynamodb] = dynamodb.endpoint;
    process.env[ENGINE_ENV.moto] = moto.endpoint;

    const busy: Record<StreamConsumerName, { records: number; ms: number }> = {
      SalesAggregator: { records: 0, ms: 0 },
      OrderEvents: { records: 0, ms: 0 },
      ExpiredCartArchiver: { records: 0, ms: 0 },
    };
    const writtenAt = new Map<string, number>();
    const lags: Record<StreamConsumerName, number[]> = {
      SalesAggregator: [],
      OrderEvents: [],
      ExpiredCartArchiver: [],
    };
    const env = await prepareStreamsEnvironment({
      catchEvents: false,
      onInvocation: (consumer, records, start, end) => {
        busy[consumer].records += records.length;
        busy[consumer].ms += end - start;
        for (const record of records) {
          const written = writtenAt.get(subjectOf(record));
          if (written !== undefined) lags[consumer].push(end - written);
        }
      },
    });
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
    for (const b of Object.values(busy)) Object.assign(b, { records: 0, ms: 0 });
    await env.pump.drain({ timeoutMs: 15 * 60_000 });
    const throughput = Object.entries(busy).map(([name, b]) => [
      name,
      b.records,
      Math.round(b.ms),
      Math.round(b.records / (b.ms / 1000)),
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

    const lagRows = Object.entries(lags).map(([name, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return [name, sorted.length, percentile(sorted, 50).toFixed(1), percentile(sorted, 99).toFixed(1)];
    });

    const report = [
      `Stream consumers, DynamoDB Local ${'3.3.0'} and moto_server, Node ${process.version}, ${RECORDS} records per consumer.`,
      '',
      table(['consumer', 'records', 'ms in consumer', 'records/s'], throughput),
      '',
      `Write-to-effect lag through the local pump (polling every 20 ms, batching windows ignored), ${PACED_WRITES} orders at ${WRITES_PER_SECOND}/s and 200 expired cart lines:`,
      '',
      table(['consumer', 'records', 'lag p50 ms', 'lag p99 ms'], lagRows),
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
