/**
 * The access patterns of the API catalogue as the console offers them: each with a form for its
 * parameters (path, query string, body), run through the app's own route, and answered with what
 * the route returned, the requests it made to DynamoDB (captured-requests.ts) and the capacity
 * they consumed beside the documented figure.
 */
import { randomUUID } from 'node:crypto';
import { type PatternSpec, patternList, type RouteSpec } from '../../../lambdas/model/api-catalogue';
import type { HttpMethod, RouteId } from '../../../lambdas/model/api-routes';
import type { LocalCaller } from '../../runner/request-auth';
import type { LocalAuth } from '../../runner/run-state';
import { type AppResponse, callApp } from './app-requests';
import type { CapturedRequest } from './captured-requests';
import { ConsoleInputError } from './http';

/** A field of a pattern's form. */
export interface FormField {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  /** What the form starts with, when the pattern implies a value (`consistent=true` for #8). */
  readonly value?: string;
}

export interface PatternForm {
  readonly number: number;
  readonly title: string;
  readonly routeId: RouteId;
  readonly method: HttpMethod;
  readonly path: string;
  readonly kind: RouteSpec['kind'];
  readonly audience: RouteSpec['audience'];
  readonly operation: string;
  /** Key condition and filter (patterns), or the items written and the guarantee (workflows). */
  readonly details: Readonly<Record<string, string>>;
  readonly requests: PatternSpec['requests'];
  readonly capacity: PatternSpec['capacity'];
  readonly fields: readonly FormField[];
  /** The JSON body the form starts with, for routes that take one. */
  readonly body?: string;
  readonly idempotent: boolean;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** Bodies to start from, with `<placeholders>` the page fills from the table. */
const BODIES: Partial<Record<RouteId, (pattern: number) => string>> = {
  addToCart: () => json({ sku: '<sku>', quantity: 1 }),
  changeCartLineQuantity: () => json({ quantity: 2 }),
  registerCustomer: () => json({ email: 'ada@example.com', name: 'Ada' }),
  changeCustomerEmail: () => json({ email: 'ada.lovelace@example.com' }),
  placeOrder: (n) =>
    json({
      lines:
        n === 22 ? ['<sku>', '<sku2>', '<sku3>'].map((sku) => ({ sku, quantity: 1 })) : [{ sku: '<sku>', quantity: 1 }],
    }),
  changeOrderStatus: () => json({ status: 'PAID', expectedVersion: 1 }),
};

/** Query values a pattern implies. */
const QUERY_VALUES: Readonly<Record<string, string>> = { limit: '10', status: 'PAID' };

function formOf(pattern: PatternSpec & { readonly route: RouteSpec & { readonly id: RouteId } }): PatternForm {
  const { route } = pattern;
  const [method, path] = route.route.split(' ') as [HttpMethod, string];
  const pathFields = [...path.matchAll(/\{(\w+)\}/g)].map(
    (m): FormField => ({ name: m[1] as string, in: 'path', required: true }),
  );
  const variant = pattern.variant?.startsWith('?') ? new URLSearchParams(pattern.variant.slice(1)) : undefined;
  const queryFields = (route.query ?? []).map((name): FormField => {
    const value = variant?.get(name) ?? QUERY_VALUES[name];
    return { name, in: 'query', required: false, ...(value === undefined ? {} : { value }) };
  });
  const body = BODIES[route.id]?.(pattern.number);
  return {
    number: pattern.number,
    title: pattern.title,
    routeId: route.id,
    method,
    path,
    kind: route.kind,
    audience: route.audience,
    operation: route.operation,
    details:
      route.kind === 'pattern'
        ? { 'key condition': route.keyCondition, 'filter and projection': route.filter }
        : { writes: route.writes, items: route.items, guarantee: route.guarantee },
    requests: pattern.requests,
    capacity: pattern.capacity,
    fields: [...pathFields, ...queryFields],
    ...(body === undefined ? {} : { body }),
    idempotent: route.idempotent === true,
  };
}

/** Every pattern of the catalogue, in number order, with its form. */
export const patternForms = (): readonly PatternForm[] => patternList().map(formOf);

export interface RunInput {
  readonly path: Record<string, string>;
  readonly query: Record<string, string>;
  readonly body?: string;
}

const MAX_VALUE = 500;

/** The run request's input, checked against the pattern's form; names the field that is wrong. */
export function runInput(form: PatternForm, raw: Record<string, unknown>): RunInput {
  for (const name of Object.keys(raw))
    if (!['path', 'query', 'body'].includes(name))
      throw new ConsoleInputError(name, 'is not a field of a run (allowed: path, query, body)');
  const section = (name: 'path' | 'query'): Record<string, string> => {
    const value = raw[name] ?? {};
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new ConsoleInputError(name, 'must be an object of text values');
    const allowed = form.fields.filter((f) => f.in === name).map((f) => f.name);
    const out: Record<string, string> = {};
    for (const [field, v] of Object.entries(value)) {
      if (!allowed.includes(field))
        throw new ConsoleInputError(
          `${name}.${field}`,
          `is not a ${name} parameter of pattern ${form.number} (allowed: ${allowed.join(', ') || 'none'})`,
        );
      if (typeof v !== 'string') throw new ConsoleInputError(`${name}.${field}`, 'must be text');
      if (v.length > MAX_VALUE)
        throw new ConsoleInputError(`${name}.${field}`, `must be at most ${MAX_VALUE} characters`);
      if (v !== '') out[field] = v;
    }
    return out;
  };
  const path = section('path');
  for (const field of form.fields)
    if (field.required && path[field.name] === undefined)
      throw new ConsoleInputError(`path.${field.name}`, 'is required');
  const query = section('query');
  if (raw.body !== undefined && form.body === undefined)
    throw new ConsoleInputError('body', `is not taken by ${form.method} ${form.path}`);
  let body: string | undefined;
  if (form.body !== undefined) {
    if (typeof raw.body !== 'string')
      throw new ConsoleInputError('body', 'is required: the JSON text of the request body');
    try {
      JSON.parse(raw.body);
    } catch {
      throw new ConsoleInputError('body', 'must be valid JSON');
    }
    body = raw.body;
  }
  return { path, query, ...(body === undefined ? {} : { body }) };
}

/** The path and query string of a run. */
export function urlOf(form: PatternForm, input: RunInput): string {
  const path = form.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(input.path[name] ?? ''));
  const query = new URLSearchParams(input.query).toString();
  return query === '' ? path : `${path}?${query}`;
}

export interface PatternRun {
  readonly request: { readonly method: HttpMethod; readonly url: string; readonly body?: string };
  readonly response: AppResponse;
  readonly dynamodb: readonly CapturedRequest[];
  /** Units consumed on the application's table, as DynamoDB reported them. */
  readonly consumed: { readonly read: number; readonly write: number };
  readonly documented: PatternSpec['capacity'];
}

/** Wait for a condition, polling; for the few milliseconds between an answer and its capture. */
async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/**
 * Who runs a pattern: the shopper its path names (registering, which names none, signs in as a new
 * shopper), the back office for its routes, anyone for the catalogue.
 */
export function callerOf(form: PatternForm, input: RunInput): LocalCaller {
  if (form.audience === 'admin') return 'back office';
  if (form.audience === 'public') return 'anyone';
  return { shopper: input.path.customerId ?? `console-${randomUUID().slice(0, 8)}` };
}

/** Run a pattern through its route and gather what it did. */
export async function runPattern(
  form: PatternForm,
  input: RunInput,
  deps: {
    readonly apiUrl: string;
    /** The runner's issuer of shoppers' tokens. */
    readonly auth?: LocalAuth;
    readonly tableName: string;
    readonly requestsOf: (requestId: string) => readonly CapturedRequest[] | undefined;
  },
): Promise<PatternRun> {
  const url = urlOf(form, input);
  const request = { method: form.method, url, ...(input.body === undefined ? {} : { body: input.body }) };
  const response = await callApp(
    deps.apiUrl,
    {
      ...request,
      ...(form.idempotent ? { idempotencyKey: `console-${randomUUID()}` } : {}),
      caller: callerOf(form, input),
    },
    deps.auth,
  );
  const { requestId } = response;
  const dynamodb = requestId === undefined ? [] : ((await waitFor(() => deps.requestsOf(requestId), 2_000)) ?? []);
  const consumed = { read: 0, write: 0 };
  for (const call of dynamodb)
    for (const { table, units } of call.consumed)
      if (table === deps.tableName) consumed[WRITES.has(call.operation) ? 'write' : 'read'] += units;
  return { request, response, dynamodb, consumed, documented: form.capacity };
}
