/**
 * How the console calls the application's own routes: the one place that builds a request's
 * headers. The console never writes to the table itself; a pattern that writes goes through its
 * route, as any client's request would.
 *
 * Authorization belongs here too: when a route needs a token (a Bearer token for the /customers
 * routes, once they are authorized by a JWT), `appRequestHeaders` is where the console adds it, so
 * every call it makes carries it.
 */
import type { HttpMethod } from '../../../lambdas/model/api-routes';

export interface AppRequest {
  readonly method: HttpMethod;
  /** Path and query string, e.g. `/customers/c-1/orders?limit=10`. */
  readonly url: string;
  /** The JSON body, for routes that take one. */
  readonly body?: string;
  /** For routes that require an `Idempotency-Key`. */
  readonly idempotencyKey?: string;
}

/** The headers of a request the console makes to the app's routes. */
export function appRequestHeaders(request: AppRequest): Record<string, string> {
  return {
    accept: 'application/json',
    ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(request.idempotencyKey === undefined ? {} : { 'idempotency-key': request.idempotencyKey }),
  };
}

export interface AppResponse {
  readonly status: number;
  readonly body: unknown;
  /** API Gateway's `apigw-requestid`: how the console finds the requests the call made. */
  readonly requestId?: string;
}

/** Send a request to the app's API at `apiUrl`. */
export async function callApp(apiUrl: string, request: AppRequest): Promise<AppResponse> {
  const response = await fetch(`${apiUrl}${request.url}`, {
    method: request.method,
    headers: appRequestHeaders(request),
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON: shown as text.
  }
  const requestId = response.headers.get('apigw-requestid');
  return { status: response.status, body, ...(requestId === null ? {} : { requestId }) };
}
