/**
 * How the console calls the application's own routes: the one place that builds a request's
 * headers. The console never writes to the table itself; a pattern that writes goes through its
 * route, as any client's request would.
 *
 * Authorization belongs here too: a shopper's route gets a Bearer token from the runner's local
 * issuer for the shopper the request names (local/runner/request-auth.ts, as the demo and the tests
 * get theirs), a back-office route goes unsigned as the runner's local IAM user, and the catalogue
 * needs nothing.
 */
import type { HttpMethod } from '../../../lambdas/model/api-routes';
import { authHeaders, type LocalCaller } from '../../runner/request-auth';
import type { LocalAuth } from '../../runner/run-state';

export interface AppRequest {
  readonly method: HttpMethod;
  /** Path and query string, e.g. `/customers/c-1/orders?limit=10`. */
  readonly url: string;
  /** The JSON body, for routes that take one. */
  readonly body?: string;
  /** For routes that require an `Idempotency-Key`. */
  readonly idempotencyKey?: string;
  /** Who the request is made as. */
  readonly caller: LocalCaller;
}

/** The headers of a request the console makes to the app's routes, `auth` being the runner's issuer. */
export async function appRequestHeaders(request: AppRequest, auth?: LocalAuth): Promise<Record<string, string>> {
  return {
    ...(await authHeaders(auth, request.caller)),
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
export async function callApp(apiUrl: string, request: AppRequest, auth?: LocalAuth): Promise<AppResponse> {
  const response = await fetch(`${apiUrl}${request.url}`, {
    method: request.method,
    headers: await appRequestHeaders(request, auth),
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
