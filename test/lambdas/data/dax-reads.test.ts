/**
 * The DAX implementation of the read port, against a fake DAX client and a recording table: which
 * reads reach DAX, when the table answers instead, and what is counted. No DAX emulator exists
 * (docs/dax.md), so this is where the cached path is tested; the table path runs on DynamoDB Local
 * in the integration tests.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DaxDocumentClient, DaxReads as DaxReadsType } from '../../../lambdas/data/dax-reads';
import type { EventualReads, Item } from '../../../lambdas/data/eventual-reads';

type Module = typeof import('../../../lambdas/data/dax-reads');
type Observability = typeof import('../../../lambdas/shared/observability');
type Capacity = typeof import('../../../lambdas/shared/capacity');

let DaxReads: Module['DaxReads'];
let DAX_TIMEOUT_MS: number;
let DAX_RETRY_AFTER_MS: number;
let observability: Observability;
let capacity: Capacity;

beforeAll(async () => {
  // The data layer reads its configuration at load time, as it does in Lambda.
  Object.assign(process.env, {
    TABLE_NAME: 'unit-table',
    CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:unit',
    AWS_REGION: 'eu-west-1',
  });
  ({ DaxReads, DAX_TIMEOUT_MS, DAX_RETRY_AFTER_MS } = await import('../../../lambdas/data/dax-reads'));
  observability = await import('../../../lambdas/shared/observability');
  capacity = await import('../../../lambdas/shared/capacity');
});

afterEach(() => {
  jest.restoreAllMocks();
  jest.useRealTimers();
});

const product = { sku: 'PEN-01', name: 'Pen', category: 'stationery', priceCents: 500, stock: 3, description: '' };
const key = { PK: 'PRODUCT#PEN-01', SK: 'PRODUCT' };

/** A fake of the lib-dax document client: answers as told, and records every call. */
function fakeDax(answer: (method: string, input: Record<string, unknown>) => Promise<unknown>) {
  const calls: [string, Record<string, unknown>][] = [];
  const call = (method: string) => (input: Record<string, unknown>) => {
    calls.push([method, input]);
    return answer(method, input) as never;
  };
  const client: DaxDocumentClient = { get: call('get'), query: call('query'), batchGet: call('batchGet') };
  return { client, calls };
}

/** A table that answers every read with the product, recording what it was asked. */
function recordingTable() {
  const calls: [string, unknown][] = [];
  const table: EventualReads = {
    via: 'DynamoDB',
    get: async (request) => {
      calls.push(['get', request]);
      return product;
    },
    query: async (request) => {
      calls.push(['query', request]);
      return { items: [product] };
    },
    batchGet: async (request) => {
      calls.push(['batchGet', request]);
      return { items: [product], unprocessedKeys: [] };
    },
  };
  return { table, calls };
}

function daxReads(
  client: DaxDocumentClient,
  table: EventualReads,
  options: { now?: () => number; connect?: () => Promise<DaxDocumentClient> } = {},
): DaxReadsType {
  return new DaxReads({
    tableName: 'unit-table',
    connect: options.connect ?? (async () => client),
    fallback: table,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

const metricsNamed = (spy: jest.SpyInstance, name: string) => spy.mock.calls.filter(([metric]) => metric === name);

describe('GIVEN a function with a DAX cluster', () => {
  test('WHEN the catalogue reads an item, a category page and a batch THEN DAX answers each, and the table is not asked', async () => {
    // Prepare
    const dax = fakeDax(async (method) =>
      method === 'get'
        ? { Item: product }
        : method === 'query'
          ? { Items: [product], LastEvaluatedKey: key }
          : { Responses: { 'unit-table': [product] }, UnprocessedKeys: {} },
    );
    const { table, calls: tableCalls } = recordingTable();
    const reads = daxReads(dax.client, table);
    const addMetric = jest.spyOn(observability.metrics, 'addMetric');

    // Act
    const { result, usage } = await capacity.metered(async () => [
      await reads.get({ Key: key, ProjectionExpression: '#f0', ExpressionAttributeNames: { '#f0': 'sku' } }),
      await reads.query({ IndexName: 'GSI1', KeyConditionExpression: '#pk = :pk', Limit: 10 }),
      await reads.batchGet({ keys: [key] }),
    ]);

    // Assess
    expect(result).toEqual([
      product,
      { items: [product], lastEvaluatedKey: key },
      { items: [product], unprocessedKeys: [] },
    ]);
    expect(dax.calls).toEqual([
      [
        'get',
        {
          TableName: 'unit-table',
          Key: key,
          ProjectionExpression: '#f0',
          ExpressionAttributeNames: { '#f0': 'sku' },
        },
      ],
      ['query', { TableName: 'unit-table', IndexName: 'GSI1', KeyConditionExpression: '#pk = :pk', Limit: 10 }],
      ['batchGet', { RequestItems: { 'unit-table': { Keys: [key] } } }],
    ]);
    expect(tableCalls).toEqual([]);
    // DAX answered: no table request and no capacity the caller is told of.
    expect(usage).toEqual({
      readCapacityUnits: 0,
      writeCapacityUnits: 0,
      requests: 0,
      made: [
        { operation: 'GetItem', via: 'DAX' },
        { operation: 'Query', index: 'GSI1', via: 'DAX' },
        { operation: 'BatchGetItem', via: 'DAX' },
      ],
    });
    expect(metricsNamed(addMetric, 'DaxReads')).toHaveLength(3);
    expect(metricsNamed(addMetric, 'DaxFallbacks')).toEqual([]);
  });

  test('WHEN a read is marked strongly consistent THEN the table answers it, with the mark, and DAX is never asked', async () => {
    // Prepare
    const dax = fakeDax(async () => ({ Item: product }));
    const { table, calls: tableCalls } = recordingTable();
    const reads = daxReads(dax.client, table);
    const consistent = { Key: key, ConsistentRead: true } as Parameters<EventualReads['get']>[0];

    // Act
    const item = await reads.get(consistent);
    await reads.query({ KeyConditionExpression: '#pk = :pk', ConsistentRead: true } as never);
    await reads.batchGet({ keys: [key], ConsistentRead: true } as never);

    // Assess
    expect(item).toEqual(product);
    expect(dax.calls).toEqual([]);
    expect(
      tableCalls.map(([method, request]) => [method, (request as { ConsistentRead?: boolean }).ConsistentRead]),
    ).toEqual([
      ['get', true],
      ['query', true],
      ['batchGet', true],
    ]);
  });

  test('WHEN DAX fails THEN the table answers, and the fallback is counted and logged', async () => {
    // Prepare
    const failure = Object.assign(new Error('NoRouteException: No endpoints available'), { code: 'NoRouteException' });
    const dax = fakeDax(async () => {
      throw failure;
    });
    const { table, calls: tableCalls } = recordingTable();
    const reads = daxReads(dax.client, table);
    const addMetric = jest.spyOn(observability.metrics, 'addMetric');
    const warn = jest.spyOn(observability.logger, 'warn');

    // Act
    const item = await reads.get({ Key: key });

    // Assess
    expect(item).toEqual(product);
    expect(dax.calls).toHaveLength(1);
    expect(tableCalls).toEqual([['get', { Key: key }]]);
    expect(metricsNamed(addMetric, 'DaxFallbacks')).toEqual([['DaxFallbacks', MetricUnit.Count, 1]]);
    expect(warn).toHaveBeenCalledWith(
      'DAX read failed; reading from the table',
      expect.objectContaining({ operation: 'GetItem', reason: 'error', error: failure }),
    );
  });

  test('WHEN DAX does not answer within 500 ms THEN the table answers, and the timeout is counted and logged', async () => {
    // Prepare: a DAX read that never settles, on a clock the test moves.
    jest.useFakeTimers();
    const dax = fakeDax(() => new Promise(() => undefined));
    const { table, calls: tableCalls } = recordingTable();
    const reads = daxReads(dax.client, table);
    const addMetric = jest.spyOn(observability.metrics, 'addMetric');
    const warn = jest.spyOn(observability.logger, 'warn');

    // Act
    const pending = reads.query({ KeyConditionExpression: '#pk = :pk' });
    await jest.advanceTimersByTimeAsync(DAX_TIMEOUT_MS - 1);
    const answeredBeforeTheTimeout = tableCalls.length;
    await jest.advanceTimersByTimeAsync(1);
    const result = await pending;

    // Assess
    expect(DAX_TIMEOUT_MS).toBe(500);
    expect(answeredBeforeTheTimeout).toBe(0);
    expect(result).toEqual({ items: [product] });
    expect(tableCalls).toEqual([['query', { KeyConditionExpression: '#pk = :pk' }]]);
    expect(metricsNamed(addMetric, 'DaxFallbacks')).toHaveLength(1);
    expect(warn).toHaveBeenCalledWith(
      'DAX read failed; reading from the table',
      expect.objectContaining({ operation: 'Query', reason: 'timeout' }),
    );
  });

  test('WHEN DAX has failed THEN the container reads the table without trying DAX until the retry interval has passed', async () => {
    // Prepare: DAX fails once, then answers.
    let now = 1_000_000;
    let failures = 1;
    const dax = fakeDax(async () => {
      if (failures-- > 0) throw new Error('ConnectionException');
      return { Item: product };
    });
    const { table, calls: tableCalls } = recordingTable();
    const reads = daxReads(dax.client, table, { now: () => now });
    const addMetric = jest.spyOn(observability.metrics, 'addMetric');

    // Act
    await reads.get({ Key: key });
    now += DAX_RETRY_AFTER_MS - 1;
    await reads.get({ Key: key });
    now += 1;
    await reads.get({ Key: key });

    // Assess: one failed DAX read, one skipped, then DAX again.
    expect(dax.calls).toHaveLength(2);
    expect(tableCalls).toHaveLength(2);
    expect(metricsNamed(addMetric, 'DaxFallbacks')).toHaveLength(2);
    expect(metricsNamed(addMetric, 'DaxReads')).toHaveLength(2);
  });

  test('WHEN DAX passes on the table throttling THEN the read fails with 503 instead of asking the same table again', async () => {
    // Prepare: lib-dax names DynamoDB's errors in `code`.
    const throttled = Object.assign(new Error('ProvisionedThroughputExceededException: Throughput exceeded'), {
      code: 'ProvisionedThroughputExceededException',
    });
    const dax = fakeDax(async () => {
      throw throttled;
    });
    const { table, calls: tableCalls } = recordingTable();
    const reads = daxReads(dax.client, table);
    const addMetric = jest.spyOn(observability.metrics, 'addMetric');

    // Act
    const read = reads.batchGet({ keys: [key] });

    // Assess
    await expect(read).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      retryAfterSeconds: 1,
      cause: throttled,
    });
    expect(tableCalls).toEqual([]);
    expect(metricsNamed(addMetric, 'DaxFallbacks')).toEqual([]);
  });

  test('WHEN the port is built THEN the DAX client is not, until the first read; then once for every read after', async () => {
    // Prepare
    const dax = fakeDax(async () => ({ Item: product }));
    const { table } = recordingTable();
    const connect = jest.fn(async () => dax.client);

    // Act
    const reads = daxReads(dax.client, table, { connect });
    const beforeAnyRead = connect.mock.calls.length;
    await reads.get({ Key: key });
    await reads.get({ Key: key });

    // Assess
    expect(beforeAnyRead).toBe(0);
    expect(connect).toHaveBeenCalledTimes(1);
  });

  test('WHEN the DAX client cannot be built THEN the table answers, and a later read tries to build it again', async () => {
    // Prepare: the first build fails (the module missing, say); the next one works.
    let now = 1_000_000;
    const dax = fakeDax(async () => ({ Item: { ...product, stock: 2 } }));
    const { table, calls: tableCalls } = recordingTable();
    const connect = jest
      .fn<Promise<DaxDocumentClient>, []>()
      .mockRejectedValueOnce(new Error("Cannot find module '@amazon-dax-sdk/lib-dax'"))
      .mockResolvedValue(dax.client);
    const reads = daxReads(dax.client, table, { connect, now: () => now });

    // Act
    const first = await reads.get({ Key: key });
    now += DAX_RETRY_AFTER_MS;
    const second = (await reads.get({ Key: key })) as Item;

    // Assess
    expect(first).toEqual(product);
    expect(tableCalls).toHaveLength(1);
    expect(second.stock).toBe(2);
    expect(connect).toHaveBeenCalledTimes(2);
  });
});
