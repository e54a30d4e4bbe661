/**
 * The HTTP API on localhost: matches each request to a route from the template, as API Gateway
 * does, authorizes it by the route's authorization type, and invokes the route's function with the
 * event API Gateway would send (HTTP API, payload format 2.0), then turns the function's result
 * into the HTTP response.
 *
 * Authorization is decided by an `Authorize` function (shopper-tokens.ts gives the runner's): a
 * refusal is answered here, as API Gateway answers it, without invoking the function; otherwise
 * the event carries what the authorizer established (a token's claims, or for IAM routes the
 * identity of one local caller, `LOCAL_CALLER`, since requests are not signed locally).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AssemblyRoute } from './cloud-assembly';
import type { HostedFunctions } from './functions';
import { closed, describeFailure, type Log, type Shutdown } from './lifecycle';
import { LOCAL_ACCOUNT, refKey } from './references';

export const LOCAL_CALLER = {
  accessKey: 'LOCALACCESSKEY',
  accountId: LOCAL_ACCOUNT,
  callerId: 'AIDALOCALDEVELOPER',
  cognitoIdentity: null,
  principalOrgId: null,
  userArn: `arn:aws:iam::${LOCAL_ACCOUNT}:user/local-developer`,
  userId: 'AIDALOCALDEVELOPER',
} as const;

/** A request as the gateway received it. */
export interface HttpRequest {
  readonly method: string;
  /** Path and query string, as sent, e.g. `/products?skus=A,B`. */
  readonly url: string;
  /** Header names and values as Node gives them (`IncomingMessage.headersDistinct`). */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
  readonly sourceIp: string;
}

/** What the route's authorizer decided: what the event carries, or API Gateway's own refusal. */
export type Authorization =
  | { readonly authorizer?: Record<string, unknown> }
  | { readonly refused: GatewayError & { readonly headers?: Record<string, string> } };

/** Authorize a request for a route, given its headers by lower-case name. */
export type Authorize = (route: AssemblyRoute, headers: Readonly<Record<string, string>>) => Promise<Authorization>;

/** An answer API Gateway gives itself: a status and `{"message": ...}`. */
export interface GatewayError {
  readonly statusCode: number;
  readonly message: string;
}

export interface RouteMatch {
  readonly route: AssemblyRoute;
  readonly pathParameters: Record<string, string>;
}

/** The segments of a path: `/a//b/` has four (`a`, ``, `b`, ``), and matches no route with two. */
const segmentsOf = (path: string) => path.split('/').slice(1);
const isParameter = (segment: string) => segment.startsWith('{') && segment.endsWith('}');

/** A percent-decoded segment; undefined when it is not valid percent-encoding (no route matches). */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The route API Gateway would choose: the method must match (or be ANY); a route with a greedy
 * `{proxy+}` segment comes after every route without one; among the rest, the one with literal
 * segments where the others have parameters wins, segment by segment from the left, as in API
 * Gateway's "most specific match".
 */
export function matchRoute(routes: readonly AssemblyRoute[], method: string, rawPath: string): RouteMatch | undefined {
  const requested = segmentsOf(rawPath);
  const candidates: { match: RouteMatch; rank: string }[] = [];
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const template = segmentsOf(route.path);
    const greedy = /^\{\w+\+\}$/.test(template[template.length - 1] ?? '');
    if (greedy ? requested.length < template.length : requested.length !== template.length) continue;
    const pathParameters: Record<string, string> = {};
    let rank = greedy ? '0' : '1';
    let matched = true;
    for (const [i, segment] of template.entries()) {
      const value = greedy && i === template.length - 1 ? requested.slice(i).join('/') : (requested[i] ?? '');
      const text = decoded(value);
      if (text === undefined) {
        matched = false;
      } else if (greedy && i === template.length - 1) {
        pathParameters[segment.slice(1, -2)] = text;
      } else if (isParameter(segment) && text !== '') {
        pathParameters[segment.slice(1, -1)] = text;
        rank += '1';
      } else if (segment === value) {
        rank += '2';
      } else {
        matched = false;
      }
      if (!matched) break;
    }
    if (matched)
      candidates.push({ match: { route, pathParameters }, rank: `${rank}${route.method === 'ANY' ? 0 : 1}` });
  }
  candidates.sort((a, b) => b.rank.localeCompare(a.rank));
  return candidates[0]?.match;
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|[\w.+-]+\+(json|xml)))/i;

/** API Gateway's request time format: `24/Nov/2026:10:00:00 +0000`. */
function requestTime(date: Date): string {
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** A request's headers by lower-case name, several values of one joined by commas (cookies apart). */
export function headersOf(request: Pick<HttpRequest, 'headers'>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.headers)) {
    if (name.toLowerCase() !== 'cookie') headers[name.toLowerCase()] = values.join(',');
  }
  return headers;
}

/**
 * The event API Gateway sends a Lambda proxy integration (payload format 2.0) for a request, with
 * the authorizer's output (absent on a route without authorization).
 */
export function apiGatewayEvent(
  request: HttpRequest,
  match: RouteMatch,
  authorizer?: Record<string, unknown>,
  now = new Date(),
): Record<string, unknown> {
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : request.url.slice(queryStart + 1);

  const query = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(rawQueryString)) query.set(name, [...(query.get(name) ?? []), value]);
  const headers = headersOf(request);
  let cookies: string[] | undefined;
  for (const [name, values] of Object.entries(request.headers)) {
    if (name.toLowerCase() === 'cookie') cookies = values.flatMap((v) => v.split(/;\s*/)).filter(Boolean);
  }
  const host = headers.host ?? 'localhost';
  const text = TEXT_TYPES.test(headers['content-type'] ?? 'application/json');
  const hasBody = request.body.length > 0;

  return {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies === undefined ? {} : { cookies }),
    headers,
    ...(query.size === 0
      ? {}
      : { queryStringParameters: Object.fromEntries([...query].map(([name, values]) => [name, values.join(',')])) }),
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: 'local',
      ...(authorizer === undefined ? {} : { authorizer }),
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: request.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomBytes(12).toString('base64'),
      routeKey: match.route.routeKey,
      stage: '$default',
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(Object.keys(match.pathParameters).length === 0 ? {} : { pathParameters: match.pathParameters }),
    ...(hasBody ? { body: text ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !text,
  };
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly cookies: readonly string[];
  readonly body: Buffer;
}

/**
 * What API Gateway answers for a function's result (payload format 2.0): a structured result is
 * used as given; anything else is taken as a 200 JSON body.
 */
export function httpResponseOf(result: unknown): HttpResponse {
  const structured = typeof result === 'object' && result !== null && 'statusCode' in result;
  if (!structured) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(body) };
  }
  const r = result as {
    statusCode: number;
    headers?: Record<string, string | number | boolean>;
    cookies?: string[];
    body?: string;
    isBase64Encoded?: boolean;
  };
  return {
    statusCode: r.statusCode,
    headers: Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
    cookies: r.cookies ?? [],
    body: Buffer.from(r.body ?? '', r.isBase64Encoded ? 'base64' : 'utf8'),
  };
}

/** API Gateway's own answers: no route matches, an authorizer refuses, or the integration fails. */
export const GATEWAY_ERRORS = {
  notFound: { statusCode: 404, message: 'Not Found' },
  unauthorized: { statusCode: 401, message: 'Unauthorized' },
  forbidden: { statusCode: 403, message: 'Forbidden' },
  internal: { statusCode: 500, message: 'Internal Server Error' },
} as const satisfies Record<string, GatewayError>;

export interface RequestLog {
  readonly method: string;
  readonly url: string;
  readonly statusCode: number;
  readonly functionName?: string;
  readonly ms: number;
}

/** The whole body of a request. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A request listener that can never take the runner down: whatever `handle` throws is reported to
 * `onError` and answered with a bare 500, unless an answer has been sent already.
 */
export function guarded(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  onError: (error: unknown) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      onError(error);
      if (res.headersSent) return void res.end();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: GATEWAY_ERRORS.internal.message }));
    });
  };
}

/**
 * A local-only tool served beside the routes under a path prefix no route of the API uses (the
 * console, at `/_console`); it never exists in AWS.
 */
export interface MountedTool {
  readonly prefix: string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** Whether a request's path is under the mounted tool's prefix. */
const isUnder = (url: string, prefix: string) => {
  const path = url.split('?')[0] ?? '';
  return path === prefix || path.startsWith(`${prefix}/`);
};

/** A Node request listener serving the routes through `invoke`, each authorized by `authorize`. */
export function httpApiListener(
  routes: readonly AssemblyRoute[],
  invoke: (route: AssemblyRoute, event: Record<string, unknown>) => Promise<{ result: unknown; functionName: string }>,
  authorize: Authorize,
  onRequest?: (log: RequestLog) => void,
  onError?: (error: unknown, route?: AssemblyRoute) => void,
  mounted?: MountedTool,
): (req: IncomingMessage, res: ServerResponse) => void {
  return guarded(
    async (req, res) => {
      if (mounted !== undefined && isUnder(req.url ?? '/', mounted.prefix)) return mounted.handle(req, res);
      const started = performance.now();
      const body = await readBody(req);
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      const send = (response: HttpResponse, functionName?: string) => {
        res.writeHead(response.statusCode, {
          ...response.headers,
          ...(response.cookies.length > 0 ? { 'set-cookie': [...response.cookies] } : {}),
          'content-length': String(response.body.length),
        });
        res.end(response.body);
        onRequest?.({ method, url, statusCode: response.statusCode, functionName, ms: performance.now() - started });
      };
      const gatewayError = (error: GatewayError & { readonly headers?: Record<string, string> }) =>
        send({
          statusCode: error.statusCode,
          headers: { 'content-type': 'application/json', ...error.headers },
          cookies: [],
          body: Buffer.from(JSON.stringify({ message: error.message })),
        });

      const match = matchRoute(routes, method, url.split('?')[0] ?? '/');
      if (match === undefined) return gatewayError(GATEWAY_ERRORS.notFound);
      const request: HttpRequest = {
        method,
        url,
        headers: req.headersDistinct as Record<string, string[]>,
        body,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      };
      const authorization = await authorize(match.route, headersOf(request));
      if ('refused' in authorization) return gatewayError(authorization.refused);
      try {
        const event = apiGatewayEvent(request, match, authorization.authorizer);
        const { result, functionName } = await invoke(match.route, event);
        const response = httpResponseOf(result);
        // API Gateway names each request in this header, as the function saw it in requestContext.
        const requestId = (event.requestContext as { requestId: string }).requestId;
        send({ ...response, headers: { ...response.headers, 'apigw-requestid': requestId } }, functionName);
      } catch (error) {
        // The function threw or timed out: API Gateway answers 500 and tells the caller nothing more.
        onError?.(error, match.route);
        gatewayError(GATEWAY_ERRORS.internal);
      }
    },
    (error) => onError?.(error),
  );
}

/**
 * Serve the routes on 127.0.0.1 (port 0 picks a free one), each through its function, logging one
 * line per request; returns the API's base URL.
 */
export async function serveHttpApi(
  routes: readonly AssemblyRoute[],
  functions: HostedFunctions,
  authorize: Authorize,
  port: number,
  runner: { readonly log: Log; readonly shutdown: Shutdown },
  mounted?: MountedTool,
): Promise<string> {
  const invoke = async (route: AssemblyRoute, event: Record<string, unknown>) => {
    const fn = functions.get(refKey(route.function));
    if (fn === undefined) throw new Error(`the function of ${route.routeKey} cannot run here`);
    return { result: await fn.host.invoke(event), functionName: fn.name };
  };
  const onRequest = (request: RequestLog) => {
    const served = request.functionName === undefined ? '' : ` (${request.functionName}, ${Math.round(request.ms)} ms)`;
    runner.log('api', `${request.method} ${request.url} → ${request.statusCode}${served}`);
  };
  const onError = (error: unknown, route?: AssemblyRoute) =>
    runner.log('api', `${route?.routeKey ?? 'request'}: failed: ${describeFailure(error)}`);
  const server = createServer(httpApiListener(routes, invoke, authorize, onRequest, onError, mounted));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  runner.shutdown.on('intake', () => closed(server));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
