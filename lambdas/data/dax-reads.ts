/**
 * Eventually consistent reads through a DAX cluster, falling back to the table.
 *
 * `@amazon-dax-sdk/lib-dax` 3.x is not a drop-in document client: its `send()`, its middleware
 * stack and PartiQL throw "not supported for DAX", though its types claim to extend
 * `DynamoDBDocument`. So this implementation calls only its `get`, `query` and `batchGet`, and
 * does around each call what client.ts does inside the SDK for the table: an X-Ray subsegment,
 * metrics, and the capacity meter (a DAX answer consumes no table capacity the caller is told of).
 *
 * The client is built at the first read, not at load: its constructor starts cluster discovery
 * (sockets, timers), which a cold start of a request that never reads the catalogue should not
 * pay, and which must not run where there is no cluster (tests, `npm start`).
 *
 * A read that DAX fails or does not answer within `timeoutMs` is read from the table instead,
 * counted (`DaxFallbacks`) and logged; for `retryAfterMs` after that, this container reads the
 * table without trying DAX, so a cluster that is down costs each container one timeout, not one
 * per request. The table's own overload (throttling that DAX passes on) is not retried there: the
 * same table would refuse it again, so it becomes a 503 like any other overload.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { recordCacheRead } from '../shared/capacity';
import { ServiceUnavailableError } from '../shared/errors';
import { logger, metrics, tracer } from '../shared/observability';
import { RETRY_AFTER_SECONDS } from './errors';
import type { BatchGetRequest, EventualReads, GetRequest, Item, QueryRequest } from './eventual-reads';

/**
 * How long a read may wait for DAX before the table answers it: half a second. A healthy cluster
 * answers a hit in about a millisecond inside the VPC and a miss in the time of the table read it
 * makes; a container's first read also loads the DAX client's code and waits for cluster discovery
 * and the TLS handshakes with the discovery endpoint and a node, tens of milliseconds. Beyond half a
 * second something is wrong, and half a second plus a table read stays within the prod API latency
 * alarm (1 s at p99) and far from the function's 10-second timeout.
 */
export const DAX_TIMEOUT_MS = 500;

/** After a failed DAX read, how long this container reads the table without trying DAX. */
export const DAX_RETRY_AFTER_MS = 10_000;

/**
 * The part of lib-dax's `DaxDocument` this module uses: the DynamoDBDocument-shaped methods, which
 * it implements (unlike `send()`), with DynamoDB's input and output shapes.
 */
export interface DaxDocumentClient {
  get(input: Record<string, unknown>): Promise<{ Item?: Item }>;
  query(input: Record<string, unknown>): Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>;
  batchGet(input: {
    RequestItems: Record<string, Record<string, unknown>>;
  }): Promise<{ Responses?: Record<string, Item[]>; UnprocessedKeys?: Record<string, { Keys?: Item[] }> }>;
}

export interface DaxReadsOptions {
  readonly tableName: string;
  /** Builds the client; called at the first read (and again after a failure to build it). */
  readonly connect: () => Promise<DaxDocumentClient>;
  /** Where reads go when DAX fails, and strongly consistent ones always. */
  readonly fallback: EventualReads;
  /** @default DAX_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** @default DAX_RETRY_AFTER_MS */
  readonly retryAfterMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The DAX client of a cluster, built with the same timeout the port applies to each read. */
export function daxDocumentClient(endpoint: string, region: string): () => Promise<DaxDocumentClient> {
  return async () => {
    const { DaxDocument } = await import('@amazon-dax-sdk/lib-dax');
    return new DaxDocument({ endpoint, region, requestTimeout: DAX_TIMEOUT_MS }) as unknown as DaxDocumentClient;
  };
}

/** Errors that are the table's overload passed on by DAX (DAX names them in `code`). */
const TABLE_OVERLOAD = new Set(['ProvisionedThroughputExceededException', 'RequestLimitExceeded']);

const isTableOverload = (error: unknown): boolean => {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  return TABLE_OVERLOAD.has(String(name)) || TABLE_OVERLOAD.has(String(code));
};

export class DaxTimeoutError extends Error {
  constructor(operation: string, timeoutMs: number) {
    super(`DAX did not answer ${operation} within ${timeoutMs} ms`);
    this.name = 'DaxTimeoutError';
  }
}

/** `work`, or a DaxTimeoutError once `ms` have passed; `work` is left to settle on its own. */
async function withinTimeout<T>(work: Promise<T>, ms: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DaxTimeoutError(operation, ms)), ms);
  });
  // A late failure of the abandoned read must not surface as an unhandled rejection.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A subsegment of the current trace, when tracing is on. */
const subsegment = (name: string) =>
  tracer.isTracingEnabled() ? tracer.getSegment()?.addNewSubsegment(name) : undefined;

/** A read marked strongly consistent, which the cache must never answer (DAX would pass it on anyway). */
const isConsistent = (request: object): boolean => (request as { ConsistentRead?: unknown }).ConsistentRead === true;

export class DaxReads implements EventualReads {
  readonly via = 'DAX';
  private readonly timeoutMs: number;
  private readonly retryAfterMs: number;
  private readonly now: () => number;
  private client?: Promise<DaxDocumentClient>;
  /** Until when this container reads the table without trying DAX, after a failure. */
  private tableOnlyUntil = 0;

  constructor(private readonly options: DaxReadsOptions) {
    this.timeoutMs = options.timeoutMs ?? DAX_TIMEOUT_MS;
    this.retryAfterMs = options.retryAfterMs ?? DAX_RETRY_AFTER_MS;
    this.now = options.now ?? Date.now;
  }

  async get(request: GetRequest): Promise<Item | undefined> {
    if (isConsistent(request)) return this.options.fallback.get(request);
    return this.read(
      'GetItem',
      undefined,
      async (dax) => (await dax.get({ TableName: this.options.tableName, ...request })).Item,
      () => this.options.fallback.get(request),
    );
  }

  async query(request: QueryRequest) {
    if (isConsistent(request)) return this.options.fallback.query(request);
    return this.read(
      'Query',
      request.IndexName,
      async (dax) => {
        const result = await dax.query({ TableName: this.options.tableName, ...request });
        return {
          items: result.Items ?? [],
          ...(result.LastEvaluatedKey === undefined ? {} : { lastEvaluatedKey: result.LastEvaluatedKey }),
        };
      },
      () => this.options.fallback.query(request),
    );
  }

  async batchGet(request: BatchGetRequest) {
    if (isConsistent(request)) return this.options.fallback.batchGet(request);
    const { tableName } = this.options;
    const { keys, ...projection } = request;
    return this.read(
      'BatchGetItem',
      undefined,
      async (dax) => {
        const result = await dax.batchGet({ RequestItems: { [tableName]: { Keys: [...keys], ...projection } } });
        return {
          items: result.Responses?.[tableName] ?? [],
          unprocessedKeys: result.UnprocessedKeys?.[tableName]?.Keys ?? [],
        };
      },
      () => this.options.fallback.batchGet(request),
    );
  }

  private async read<T>(
    operation: string,
    index: string | undefined,
    viaDax: (client: DaxDocumentClient) => Promise<T>,
    viaTable: () => Promise<T>,
  ): Promise<T> {
    const startedAt = this.now();
    if (startedAt < this.tableOnlyUntil) {
      metrics.addMetric('DaxFallbacks', MetricUnit.Count, 1);
      return viaTable();
    }
    metrics.addMetric('DaxReads', MetricUnit.Count, 1);
    const segment = subsegment('DAX');
    segment?.addAnnotation('operation', operation);
    try {
      const result = await withinTimeout(
        this.connected().then((client) => viaDax(client)),
        this.timeoutMs,
        operation,
      );
      recordCacheRead(operation, index === undefined ? {} : { IndexName: index });
      return result;
    } catch (error) {
      segment?.addError(error as Error);
      if (isTableOverload(error)) {
        throw new ServiceUnavailableError('The table is busy; try again shortly', RETRY_AFTER_SECONDS, {
          cause: error,
        });
      }
      this.tableOnlyUntil = this.now() + this.retryAfterMs;
      segment?.addAnnotation('fallback', true);
      metrics.addMetric('DaxFallbacks', MetricUnit.Count, 1);
      logger.warn('DAX read failed; reading from the table', {
        operation,
        reason: error instanceof DaxTimeoutError ? 'timeout' : 'error',
        error: error as Error,
        tableOnlyForMs: this.retryAfterMs,
      });
      return viaTable();
    } finally {
      segment?.close();
    }
  }

  /** The client, built once; a failed build is forgotten so that a later read tries again. */
  private connected(): Promise<DaxDocumentClient> {
    if (this.client === undefined) {
      const client = this.options.connect();
      this.client = client;
      client.catch(() => {
        if (this.client === client) this.client = undefined;
      });
    }
    return this.client;
  }
}
