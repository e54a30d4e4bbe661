/**
 * The sales aggregator under the deliveries Lambda's tumbling windows can make: batches that fail
 * and are retried and bisected with the state from before them, a final invocation that fails
 * after writing some figures and is retried, a window delivered again whole or in part, and
 * batches that cut an order off from its lines (which it then reads from the table). The
 * records are the table's real stream in DynamoDB Local, for orders placed and cancelled through
 * the data layer; every total must come out exact.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { CfnTemplate } from '../../local/emulation/cloudformation';
import type { StreamEvent } from '../../local/emulation/streams/batch-delivery';
import { matchesFilters } from '../../local/emulation/streams/filter-criteria';
import { toLambdaRecord } from '../../local/emulation/streams/lambda-records';
import { type StreamMapping, streamMappingsOf } from '../../local/emulation/streams/mappings';
import { StreamReader, streamsClient } from '../../local/emulation/streams/stream-reader';
import { ShardWindows } from '../../local/emulation/streams/tumbling-windows';
import { LOCAL_AWS } from '../../local/engines/dynamodb-local';
import { lambdaContext } from '../fixtures/api-events';
import { synthTemplates } from '../fixtures/app';
import { type AppEnvironment, prepareAppEnvironment } from '../fixtures/app-environment';
import { dynamoDbEndpoint } from '../fixtures/engines';
import { aCustomer, aProduct } from '../fixtures/entities';

type Handler = (event: StreamEvent, context: ReturnType<typeof lambdaContext>) => Promise<{ state?: object }>;

let env: AppEnvironment;
let handler: Handler;
let records: DynamoDBRecord[];
let shardId: string;
let sales: typeof import('../../lambdas/data/sales');
let expected: { orderCount: number; unitsSold: number; revenueCents: number; perSku: Map<string, number[]> };
let day: string;

/** The aggregator's mapping as the template declares it, synthesized once. */
let windowed: StreamMapping | undefined;
const mapping = (): StreamMapping => {
  windowed ??= streamMappingsOf(synthTemplates().streams.toJSON() as CfnTemplate).find(
    (m) => m.tumblingWindowInSeconds > 0,
  );
  if (windowed === undefined) throw new Error('no mapping with a tumbling window in the template');
  return windowed;
};

beforeAll(async () => {
  env = await prepareAppEnvironment();
  const keys = await import('../../lambdas/model/keys');
  const skus = ['PEN', 'INK', 'PAD'];
  await env.seed([
    keys.customerItem(aCustomer({ customerId: 'w-1' })),
    ...skus.map((sku, i) => keys.productItem(aProduct({ sku, priceCents: 100 * (i + 1), stock: 1_000 }))),
  ]);
  const workflows = await import('../../lambdas/data/order-workflows');
  sales = await import('../../lambdas/data/sales');
  handler = (await import('../../lambdas/handlers/streams/sales-aggregator')).handler as unknown as Handler;

  // 24 orders of one to three lines; every fifth is cancelled again.
  const placed = [];
  for (let i = 0; i < 24; i++) {
    const lines = skus.slice(0, (i % 3) + 1).map((sku, n) => ({ sku, quantity: n + 1 }));
    const { order } = await workflows.placeOrder('w-1', lines, `wo-${i}`);
    placed.push({ order, lines });
  }
  const cancelled = placed.filter((_, i) => i % 5 === 0);
  for (const { order } of cancelled)
    await workflows.cancelOrder('w-1', order.orderId, `wc-${order.orderId.slice(-12)}`);
  day = placed[0]?.order.placedAt.slice(0, 10) ?? '';
  const kept = placed.filter((p) => !cancelled.includes(p));
  const price = (sku: string) => 100 * (skus.indexOf(sku) + 1);
  expected = {
    orderCount: kept.length,
    unitsSold: kept.flatMap((p) => p.lines).reduce((sum, l) => sum + l.quantity, 0),
    revenueCents: kept.flatMap((p) => p.lines).reduce((sum, l) => sum + l.quantity * price(l.sku), 0),
    perSku: new Map(
      skus.map((sku) => {
        const lines = kept.flatMap((p) => p.lines).filter((l) => l.sku === sku);
        const units = lines.reduce((sum, l) => sum + l.quantity, 0);
        return [sku, [units, units * price(sku)]];
      }),
    ),
  };

  // The records the aggregator's mapping lets through, from the table's real stream.
  const { Table } = await env.client.send(new DescribeTableCommand({ TableName: env.tableName }));
  const streamArn = Table?.LatestStreamArn ?? '';
  const client = streamsClient({ ...LOCAL_AWS, endpoint: dynamoDbEndpoint() });
  const shards = await new StreamReader({ streamArn, client }).pollShards();
  client.destroy();
  expect(shards).toHaveLength(1);
  shardId = shards[0]?.shardId ?? '';
  records = (shards[0]?.records ?? [])
    .map((r) => toLambdaRecord(r, { streamArn, region: LOCAL_AWS.region }))
    .filter((r) => matchesFilters(mapping().delivery.filters, r));
  // Each order's header and lines (inserted in one transaction), and the cancellations.
  expect(records).toHaveLength(24 + placed.flatMap((p) => p.lines).length + cancelled.length);
}, 60_000);

afterAll(() => env?.client.destroy());

async function figures() {
  const total = await sales.getDailySales(day);
  const products = await sales.listDailyProductSales(day, { limit: 10 });
  return {
    total,
    perSku: new Map(products.items.map((p) => [p.sku, [p.unitsSold, p.revenueCents]])),
  };
}

/** Windows over one shard, as the pump runs them, with the aggregator behind `consumer`. */
const windowsWith = (consumer: (event: StreamEvent) => Promise<{ state?: object }>, batchSize = 5) => {
  const { delivery } = mapping();
  return new ShardWindows(
    shardId,
    'arn:stream',
    10 ** 9,
    { ...delivery, batchSize },
    async (event) => (await consumer(event)) as never,
    async () => {
      throw new Error('no record may be given up on here');
    },
    () => undefined,
  );
};

test('failed batches retried and bisected, and a final invocation retried after writing half, still count every order once', async () => {
  let failures = 0;
  const windows = windowsWith(async (event) => {
    const response = await handler(event, lambdaContext());
    // The function did its work, but the invocation failed (a timeout as it returned): Lambda
    // keeps the state from before it and delivers the batch again, bisected.
    if (!event.isFinalInvokeForWindow && failures < 3 && event.Records.length > 1) {
      failures += 1;
      throw new Error('the invocation timed out after adding its batch');
    }
    return response;
  });
  await windows.deliver(records);

  // The final invocation writes some figures, then fails; Lambda retries it until it succeeds.
  const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
  const { documents } = await import('../../lambdas/data/client');
  const send = documents.send.bind(documents);
  let writes = 0;
  const spy = jest.spyOn(documents, 'send').mockImplementation((async (command: object) => {
    if (command instanceof UpdateCommand && ++writes === 3)
      throw Object.assign(new Error('boom'), { name: 'InternalServerError' });
    return send(command as never);
  }) as never);
  await windows.finishIfDue(0, true);
  spy.mockRestore();

  expect(failures).toBe(3);
  expect(writes).toBeGreaterThan(3);
  const { total, perSku } = await figures();
  expect(total).toEqual({
    day,
    orderCount: expected.orderCount,
    unitsSold: expected.unitsSold,
    revenueCents: expected.revenueCents,
  });
  expect(perSku).toEqual(expected.perSku);
});

test('the window delivered again, whole or in part, changes no figure', async () => {
  const before = await figures();
  for (const part of [records, records.slice(0, 10), records.slice(4, 17)]) {
    const windows = windowsWith((event) => handler(event, lambdaContext()));
    await windows.deliver(part);
    await windows.finishIfDue(0, true);
  }
  expect(await figures()).toEqual(before);
});

test('a window writes each figure it changed once: one write to the day total for all its orders', async () => {
  const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
  const { documents } = await import('../../lambdas/data/client');
  const spy = jest.spyOn(documents, 'send');
  const windows = windowsWith((event) => handler(event, lambdaContext()));
  await windows.deliver(records);
  await windows.finishIfDue(0, true);
  const updates = spy.mock.calls.map(([command]) => command).filter((c) => c instanceof UpdateCommand);
  spy.mockRestore();
  const keys = updates.map((c) => (c as InstanceType<typeof UpdateCommand>).input.Key?.SK);
  expect(keys.sort()).toEqual(['PRODUCT#INK', 'PRODUCT#PAD', 'PRODUCT#PEN', 'TOTAL']);
});

test("an order's lines are taken from its batch when they are all there, and read from the table when they are not", async () => {
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const { documents } = await import('../../lambdas/data/client');
  const before = await figures();
  const readsFor = async (batchSize: number) => {
    const spy = jest.spyOn(documents, 'send');
    const windows = windowsWith((event) => handler(event, lambdaContext()), batchSize);
    await windows.deliver(records);
    await windows.finishIfDue(0, true);
    const reads = spy.mock.calls.filter(([command]) => command instanceof QueryCommand).length;
    spy.mockRestore();
    return reads;
  };
  const cancellations = records.filter((r) => r.eventName === 'MODIFY').length;
  // One batch: only the cancellations (a change to the header alone) read their lines.
  expect(await readsFor(100)).toBe(cancellations);
  // One record a batch: every order is cut off from its lines and reads them.
  expect(await readsFor(1)).toBe(24 + cancellations);
  // Delivered again, neither way changed a figure.
  expect(await figures()).toEqual(before);
});
