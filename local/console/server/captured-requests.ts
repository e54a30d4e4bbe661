/**
 * The requests each API call made to DynamoDB, as the runner's tap saw them on the wire
 * (local/runner/dynamodb-tap.ts), kept for the last `KEPT_CALLS` API invocations and found by the
 * request id API Gateway returns in `apigw-requestid`. The functions' own code is untouched: what
 * is shown is what DynamoDB received and answered, ConsumedCapacity included (the data layer asks
 * for it on every call; lambdas/data/client.ts).
 */
import type { DynamoDbCallEvent, RunnerEvents } from '../../runner/runner-events';
import { type Plain, plainItem, plainValue } from './attribute-values';

const KEPT_CALLS = 200;
const ITEMS_SHOWN = 50;

type Wire = Record<string, unknown>;

/** One request to DynamoDB, described as the page shows it. */
export interface CapturedRequest {
  readonly operation: string;
  readonly table: string;
  readonly index?: string;
  readonly keyCondition?: string;
  readonly filter?: string;
  readonly projection?: string;
  readonly condition?: string;
  readonly update?: string;
  readonly consistent: boolean;
  readonly key?: Record<string, Plain>;
  readonly names?: Record<string, string>;
  readonly values?: Record<string, Plain>;
  readonly limit?: number;
  readonly scanForward?: boolean;
  /** The parts of a transaction or a batch: `Update CUSTOMER#1 / PROFILE`, ... */
  readonly parts?: readonly string[];
  readonly statusCode: number;
  readonly error?: string;
  readonly items: readonly Record<string, Plain>[];
  readonly count?: number;
  readonly scannedCount?: number;
  /** Capacity DynamoDB reported, per table. */
  readonly consumed: readonly { readonly table: string; readonly units: number }[];
  readonly ms: number;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const keyText = (key: unknown) =>
  Object.values(plainItem((key ?? {}) as Record<string, Wire>))
    .map(String)
    .join(' / ');

function partsOf(operation: string, request: Wire): string[] | undefined {
  if (Array.isArray(request.TransactItems))
    return (request.TransactItems as Wire[]).map((part) => {
      const [kind, body] = Object.entries(part)[0] ?? ['?', {}];
      const b = body as Wire;
      const key = b.Key ?? (b.Item === undefined ? undefined : pickKeys(b.Item as Wire));
      const condition = str(b.ConditionExpression);
      return `${kind} ${keyText(key)}${condition === undefined ? '' : ` if ${condition}`}`;
    });
  const items = request.RequestItems as Record<string, Wire | Wire[]> | undefined;
  if (items === undefined) return undefined;
  return Object.values(items).flatMap((entry) =>
    operation === 'BatchGetItem'
      ? ((entry as Wire).Keys as Wire[]).map((k) => `Get ${keyText(k)}`)
      : (entry as Wire[]).map(
          (w) =>
            `${Object.keys(w)[0]} ${keyText((Object.values(w)[0] as Wire).Key ?? pickKeys((Object.values(w)[0] as Wire).Item as Wire))}`,
        ),
  );
}

const pickKeys = (item: Wire | undefined) =>
  item === undefined ? {} : Object.fromEntries(Object.entries(item).filter(([name]) => name === 'PK' || name === 'SK'));

function itemsOf(response: Wire): Record<string, Wire>[] {
  if (response.Item !== undefined) return [response.Item as Record<string, Wire>];
  if (Array.isArray(response.Items)) return response.Items as Record<string, Wire>[];
  if (Array.isArray(response.Responses))
    return (response.Responses as Wire[]).flatMap((r) =>
      r.Item === undefined ? [] : [r.Item as Record<string, Wire>],
    );
  if (response.Responses !== undefined)
    return Object.values(response.Responses as Record<string, Record<string, Wire>[]>).flat();
  return [];
}

function consumedOf(response: Wire): CapturedRequest['consumed'] {
  const raw = response.ConsumedCapacity;
  const list = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as Wire[];
  return list.map((c) => ({ table: str(c.TableName) ?? '', units: Number(c.CapacityUnits ?? 0) }));
}

const parse = (text: string): Wire => {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Wire) : {};
  } catch {
    return {};
  }
};

/** A call as the page shows it. */
export function describeCall(
  call: Pick<DynamoDbCallEvent, 'operation' | 'requestBody' | 'statusCode' | 'responseBody' | 'ms'>,
): CapturedRequest {
  const request = parse(call.requestBody);
  const response = parse(call.responseBody);
  const tables = Object.keys((request.RequestItems as Wire | undefined) ?? {});
  const transactTables = Array.isArray(request.TransactItems)
    ? [...new Set((request.TransactItems as Wire[]).map((p) => str((Object.values(p)[0] as Wire).TableName) ?? ''))]
    : [];
  const items = itemsOf(response);
  const values = request.ExpressionAttributeValues as Record<string, Wire> | undefined;
  const parts = partsOf(call.operation, request);
  return {
    operation: call.operation,
    table: str(request.TableName) ?? [...tables, ...transactTables].join(', '),
    ...(str(request.IndexName) === undefined ? {} : { index: str(request.IndexName) }),
    ...(str(request.KeyConditionExpression) === undefined ? {} : { keyCondition: str(request.KeyConditionExpression) }),
    ...(str(request.FilterExpression) === undefined ? {} : { filter: str(request.FilterExpression) }),
    ...(str(request.ProjectionExpression) === undefined ? {} : { projection: str(request.ProjectionExpression) }),
    ...(str(request.ConditionExpression) === undefined ? {} : { condition: str(request.ConditionExpression) }),
    ...(str(request.UpdateExpression) === undefined ? {} : { update: str(request.UpdateExpression) }),
    consistent: request.ConsistentRead === true,
    ...(request.Key === undefined ? {} : { key: plainItem(request.Key as Record<string, Wire>) }),
    ...(request.ExpressionAttributeNames === undefined
      ? {}
      : { names: request.ExpressionAttributeNames as Record<string, string> }),
    ...(values === undefined
      ? {}
      : { values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, plainValue(v)])) }),
    ...(typeof request.Limit === 'number' ? { limit: request.Limit } : {}),
    ...(typeof request.ScanIndexForward === 'boolean' ? { scanForward: request.ScanIndexForward } : {}),
    ...(parts === undefined ? {} : { parts }),
    statusCode: call.statusCode,
    ...(call.statusCode >= 400
      ? {
          error: `${String(response.__type ?? '')
            .split('#')
            .pop()}: ${String(response.message ?? response.Message ?? '')}`,
        }
      : {}),
    items: items.slice(0, ITEMS_SHOWN).map((item) => plainItem(item)),
    ...(typeof response.Count === 'number' ? { count: response.Count } : {}),
    ...(typeof response.ScannedCount === 'number' ? { scannedCount: response.ScannedCount } : {}),
    consumed: consumedOf(response),
    ms: Math.round(call.ms),
  };
}

interface ApiInvocation {
  readonly requestId: string;
  readonly calls: CapturedRequest[];
  ended: boolean;
}

/** Listens to the runner; answers which requests an API call made. */
export class CapturedRequests {
  private readonly byInvocation = new Map<string, ApiInvocation>();
  private readonly byRequestId = new Map<string, ApiInvocation>();
  private readonly unhook: (() => void)[];

  constructor(events: RunnerEvents) {
    this.unhook = [
      events.on('invocation', ({ invocationId, phase, event }) => {
        if (phase === 'end') {
          const done = this.byInvocation.get(invocationId);
          if (done !== undefined) done.ended = true;
          this.byInvocation.delete(invocationId);
          return;
        }
        const requestId = (event as { requestContext?: { requestId?: unknown } } | undefined)?.requestContext
          ?.requestId;
        if (typeof requestId !== 'string') return;
        const invocation: ApiInvocation = { requestId, calls: [], ended: false };
        this.byInvocation.set(invocationId, invocation);
        this.byRequestId.set(requestId, invocation);
        if (this.byRequestId.size > KEPT_CALLS) {
          const oldest = this.byRequestId.keys().next().value;
          if (oldest !== undefined) this.byRequestId.delete(oldest);
        }
      }),
      events.on('dynamodb', (call) => {
        const invocation = call.invocationId === undefined ? undefined : this.byInvocation.get(call.invocationId);
        invocation?.calls.push(describeCall(call));
      }),
    ];
  }

  /** The requests the API call with this request id made, once its invocation has ended. */
  requestsOf(requestId: string): readonly CapturedRequest[] | undefined {
    const invocation = this.byRequestId.get(requestId);
    return invocation?.ended === true ? invocation.calls : undefined;
  }

  stop(): void {
    for (const unhook of this.unhook) unhook();
  }
}
