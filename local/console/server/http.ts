/**
 * The console API's answers: JSON, and for bad input a 4xx that names the field and the rule it
 * broke, never a stack trace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bad input to a console endpoint: answered with `status` and the field and the rule. */
export class ConsoleInputError extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
    readonly status: 400 | 403 | 404 | 405 | 415 = 400,
  ) {
    super(`${field} ${rule}`);
    this.name = 'ConsoleInputError';
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ConsoleInputError): void {
  sendJson(res, error.status, { error: 'InvalidInput', field: error.field, rule: error.rule, message: error.message });
}

/** A whole number query parameter within bounds, or the default when absent. */
export function intParam(query: URLSearchParams, name: string, range: { min: number; max: number }, fallback: number) {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < range.min || value > range.max)
    throw new ConsoleInputError(name, `must be a whole number from ${range.min} to ${range.max}`);
  return value;
}

/** A text query parameter of at most `max` characters, or undefined when absent or empty. */
export function textParam(query: URLSearchParams, name: string, max = 200): string | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (raw.length > max) throw new ConsoleInputError(name, `must be at most ${max} characters`);
  return raw;
}

/** Only these query parameters are understood; any other is a mistake worth naming. */
export function onlyParams(query: URLSearchParams, allowed: readonly string[]): void {
  for (const name of query.keys())
    if (!allowed.includes(name))
      throw new ConsoleInputError(
        name,
        `is not a parameter of this endpoint (allowed: ${allowed.join(', ') || 'none'})`,
      );
}

const MAX_BODY_BYTES = 64 * 1024;

/** The request's JSON body, an object. */
export async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
    throw new ConsoleInputError('content-type', 'must be application/json', 415);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ConsoleInputError('body', `must be at most ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new ConsoleInputError('body', 'must be valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConsoleInputError('body', 'must be a JSON object');
  return parsed as Record<string, unknown>;
}
