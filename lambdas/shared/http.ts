/**
 * HTTP API plumbing shared by every API handler: request parsing with zod into typed input or a
 * 400 that names each bad field and its rule, routing by route key, and the one mapping from
 * errors to responses. Internal errors are logged in full and answered with a request id only.
 *
 * Validation uses `zod/mini`, zod's tree-shakable API: the classic `zod` import bundles about
 * 440 KB into every function; this one about 25 KB with its English messages.
 */
import type {
  APIGatewayEventRequestContextIAMAuthorizer,
  APIGatewayEventRequestContextJWTAuthorizer,
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEventV2WithRequestContext,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import * as z from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import { en } from 'zod/v4/locales';
import { type Audience, type FunctionGroup, ROUTES, type RouteIdOf, routesOfGroup } from '../model/api-routes';
import {
  ConflictError,
  ForbiddenError,
  IdempotencyKeyReusedError,
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
} from './errors';
import { instrumented, logger, metrics, publishCapacity } from './observability';

/**
 * What API Gateway tells the function about the caller: the IAM principal on the back office's
 * routes, the token's claims on the shoppers' routes, nothing on the public ones.
 */
export interface ApiAuthorizer {
  readonly iam?: APIGatewayEventRequestContextIAMAuthorizer['iam'];
  readonly jwt?: APIGatewayEventRequestContextJWTAuthorizer['jwt'];
}

export type ApiEvent = APIGatewayProxyEventV2WithRequestContext<
  APIGatewayEventRequestContextV2 & { readonly authorizer?: ApiAuthorizer }
>;
export type ApiResult = APIGatewayProxyStructuredResultV2;
export type Route = (event: ApiEvent, context: Context) => Promise<ApiResult>;

z.config(en());

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult => ({
  statusCode,
  headers: { ...JSON_HEADERS, ...headers },
  body: JSON.stringify(body),
});

export const ok = (body: unknown): ApiResult => json(200, body);
export const created = (body: unknown): ApiResult => json(201, body);
export const noContent = (): ApiResult => ({ statusCode: 204 });

/** Schemas for the parts of a request a route reads; a part without a schema must be empty. */
export interface RequestSchemas {
  readonly path?: $ZodType;
  readonly query?: $ZodType;
  readonly body?: $ZodType;
}

type Parsed<S> = S extends $ZodType ? z.output<S> : undefined;

function readBody(event: ApiEvent): unknown {
  if (event.body === undefined || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError([{ field: 'body', rule: 'must be valid JSON' }]);
  }
}

/**
 * Validate a request's path parameters, query string and JSON body together.
 *
 * @throws ValidationError listing every issue across all three parts
 */
export function parseRequest<S extends RequestSchemas>(
  event: ApiEvent,
  schemas: S,
): { path: Parsed<S['path']>; query: Parsed<S['query']>; body: Parsed<S['body']> } {
  const issues: { field: string; rule: string }[] = [];
  const part = (location: string, schema: $ZodType | undefined, value: unknown): unknown => {
    if (schema === undefined) {
      const empty =
        value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 0);
      if (!empty) issues.push({ field: location, rule: 'is not accepted by this route' });
      return undefined;
    }
    const result = z.safeParse(schema, value ?? {});
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      issues.push({ field: [location, ...issue.path.map(String)].join('.'), rule: issue.message });
    }
    return undefined;
  };
  const path = part('path', schemas.path, event.pathParameters);
  const query = part('query', schemas.query, event.queryStringParameters);
  const body = part('body', schemas.body, readBody(event));
  if (issues.length > 0) throw new ValidationError(issues);
  return { path, query, body } as { path: Parsed<S['path']>; query: Parsed<S['query']>; body: Parsed<S['body']> };
}

/** The signed-in shopper's id: the `sub` claim of the token the JWT authorizer accepted. */
export function shopperOf(event: ApiEvent): string | undefined {
  const sub = event.requestContext.authorizer?.jwt?.claims.sub;
  return typeof sub === 'string' && sub !== '' ? sub : undefined;
}

/** Who made the request, for logs and idempotency scopes: `shopper:<sub>`, an IAM ARN, or `anonymous`. */
export function callerOf(event: ApiEvent): string {
  const shopper = shopperOf(event);
  if (shopper !== undefined) return `shopper:${shopper}`;
  return event.requestContext.authorizer?.iam?.userArn ?? 'anonymous';
}

/** The path parameter that names the customer a shopper's route acts on. */
const CUSTOMER_PARAMETER = 'customerId';

/**
 * Check, before anything is read or written, that the caller may make this request. API Gateway
 * has authenticated the caller by the route's authorizer; this binds the request to the caller:
 * - a shopper's route needs a token's subject, and acts only on the customer id that subject is:
 *   a path naming another customer is refused;
 * - a back-office route needs an IAM principal (a token is no substitute);
 * - a public route needs nothing.
 *
 * @throws ForbiddenError
 */
export function authorize(audience: Audience, event: ApiEvent): void {
  if (audience === 'public') return;
  if (audience === 'admin') {
    if (event.requestContext.authorizer?.iam === undefined) {
      throw new ForbiddenError('This route is for the back office: sign the request with SigV4');
    }
    return;
  }
  const shopper = shopperOf(event);
  if (shopper === undefined) throw new ForbiddenError('This route needs a signed-in shopper');
  const named = event.pathParameters?.[CUSTOMER_PARAMETER];
  if (named !== undefined && named !== shopper) {
    throw new ForbiddenError('The signed-in shopper may act only on their own customer id');
  }
}

/** The one mapping from errors to HTTP responses. */
export function errorResponse(error: unknown, requestId: string): ApiResult {
  if (error instanceof ForbiddenError) {
    return json(403, { error: 'Forbidden', message: error.message });
  }
  if (error instanceof ValidationError) {
    return json(400, { error: 'ValidationError', message: 'The request is invalid', issues: error.issues });
  }
  if (error instanceof NotFoundError) {
    return json(404, { error: 'NotFound', message: error.message, resource: error.resource, id: error.id });
  }
  if (error instanceof ConflictError) {
    return json(409, { error: 'Conflict', message: error.message, ...error.details });
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return json(422, { error: 'IdempotencyKeyReused', message: error.message });
  }
  if (error instanceof ServiceUnavailableError) {
    return json(
      503,
      { error: 'ServiceUnavailable', message: error.message },
      { 'retry-after': String(error.retryAfterSeconds) },
    );
  }
  logger.error('Unhandled error', { error: error as Error });
  return json(500, { error: 'InternalError', message: 'Something went wrong on our side', requestId });
}

/** A function's route table: exactly the routes the catalogue gives its group, by name. */
export type RouteHandlers<G extends FunctionGroup> = { readonly [Id in RouteIdOf<G>]: Route };

/**
 * An instrumented Lambda handler for one function group of the API catalogue: it dispatches HTTP
 * API events by route key (`GET /products/{sku}`) to the group's route handlers, named as in the
 * catalogue, and maps every error once. A route missing from `routes`, or one the catalogue does
 * not give the group, fails the type check.
 *
 * @example
 * export const handler = httpApi('Catalog', { getProduct: async (event) => ok(...), ... });
 */
export function httpApi<G extends FunctionGroup>(group: G, routes: RouteHandlers<G>) {
  const byRouteKey = new Map(
    [...routesOfGroup(group)].map(([routeKey, id]) => [routeKey, { route: routes[id], audience: ROUTES[id].audience }]),
  );
  return instrumented(async (event: ApiEvent, context: Context): Promise<ApiResult> => {
    const served = byRouteKey.get(event.routeKey);
    logger.appendKeys({ routeKey: event.routeKey, caller: callerOf(event) });
    if (served === undefined) return json(404, { error: 'NotFound', message: `No route ${event.routeKey}` });
    metrics.addDimensions({ route: event.routeKey });
    return publishCapacity(async () => {
      try {
        authorize(served.audience, event);
        return await served.route(event, context);
      } catch (error) {
        return errorResponse(error, context.awsRequestId);
      }
    });
  });
}

/** Page sizes the API accepts; a caller who asks for none gets the default. */
export const PAGE_SIZE = { default: 20, max: 100 } as const;

/** A whole number parsed from a query-string value, within bounds. */
function wholeNumber(min: number, max: number, unit = '') {
  return z.coerce
    .number({ error: 'must be a number' })
    .check(
      z.refine(Number.isInteger, `must be a whole number${unit}`),
      z.gte(min, min === 0 ? 'must not be negative' : `must be at least ${min}`),
      z.lte(max, `must be at most ${max}`),
    );
}

/** Reusable field schemas, with messages that say the rule in words. */
export const fields = {
  id: z.string().check(z.regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1 to 64 letters, digits, "_", ".", ":" or "-"')),
  sku: z.string().check(z.regex(/^[A-Z0-9][A-Z0-9-]{0,39}$/, 'must be 1 to 40 upper-case letters, digits or "-"')),
  category: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be 1 to 40 lower-case letters, digits or "-"')),
  limit: z._default(wholeNumber(1, PAGE_SIZE.max), PAGE_SIZE.default),
  // The status listing's cursor holds one position per shard: up to 32 of them.
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(8_192, 'must be at most 8192 characters'))),
  cents: wholeNumber(0, 9_999_999_999, ' of cents'),
  instant: z.pipe(
    z.iso.datetime({ error: 'must be an ISO-8601 instant in UTC, e.g. 2026-11-01T10:00:00Z' }),
    // One canonical form (milliseconds, Z), the one stored, so that string order is time order.
    z.transform((value: string) => new Date(value).toISOString()),
  ),
  day: z
    .string()
    .check(
      z.regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a UTC day as YYYY-MM-DD, e.g. 2026-11-01'),
    ),
  boolean: z.pipe(
    z.enum(['true', 'false'], { error: 'must be true or false' }),
    z.transform((value: 'true' | 'false') => value === 'true'),
  ),
};
