/**
 * Opaque, integrity-protected page cursors and bounded page sizes.
 *
 * A cursor carries where the previous page stopped (DynamoDB's LastEvaluatedKey, or one per shard
 * or scan segment) and the scope it was issued for: the access pattern and its partition. It is
 * signed with HMAC-SHA256 under a key held in Secrets Manager, so a caller can neither edit it to
 * start inside another customer's partition nor replay it against another query; it also expires.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { requireEnv } from '../shared/env';
import { ValidationError } from '../shared/errors';
import { secretString } from '../shared/secrets';

/** A cursor stops working after a day: long enough to walk any listing, short enough to rotate keys. */
const CURSOR_TTL_SECONDS = 24 * 60 * 60;
const VERSION = 'v1';

/**
 * The signing key's secret, looked up when a cursor is first sealed or opened rather than at load:
 * every data module imports this one, and functions that never page (the fulfilment steps, the
 * stream consumers) are not given the secret.
 */
let signingKeySecret: string | undefined;

export interface Page<T> {
  readonly items: T[];
  /** Present when more items may follow; pass it back to get them. */
  readonly cursor?: string;
}

interface Envelope {
  readonly s: string;
  readonly p: unknown;
  readonly e: number;
}

const invalidCursor = (cause?: unknown) =>
  new ValidationError(
    [{ field: 'query.cursor', rule: 'must be a cursor this API returned for the same request, less than a day ago' }],
    {
      cause,
    },
  );

async function sign(payload: string): Promise<Buffer> {
  signingKeySecret ??= requireEnv('CURSOR_SECRET_ARN');
  const key = await secretString(signingKeySecret);
  return createHmac('sha256', key).update(`${VERSION}.${payload}`).digest();
}

/** A cursor for `position` that only `openCursor` with the same scope will accept. */
export async function sealCursor(scope: string, position: unknown, now = Date.now()): Promise<string> {
  const envelope: Envelope = { s: scope, p: position, e: Math.floor(now / 1000) + CURSOR_TTL_SECONDS };
  const payload = Buffer.from(JSON.stringify(envelope)).toString('base64url');
  return `${payload}.${(await sign(payload)).toString('base64url')}`;
}

/**
 * The position inside a cursor, after checking its signature, scope and age.
 *
 * @throws ValidationError on `query.cursor` for anything this API did not issue for this scope.
 */
export async function openCursor(scope: string, cursor: string, now = Date.now()): Promise<unknown> {
  const [payload, signature, ...rest] = cursor.split('.');
  if (payload === undefined || signature === undefined || rest.length > 0) throw invalidCursor();
  const expected = await sign(payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidCursor();
  let envelope: Envelope;
  try {
    envelope = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Envelope;
  } catch (error) {
    throw invalidCursor(error);
  }
  if (envelope.s !== scope || typeof envelope.e !== 'number' || envelope.e * 1000 < now) throw invalidCursor();
  return envelope.p;
}

/** A DynamoDB key as a cursor position: a flat record of strings and numbers. */
export type KeyPosition = Record<string, string | number>;

export function isKeyPosition(value: unknown): value is KeyPosition {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number')
  );
}

/** Read a single-key cursor, also checking that it points into the expected partition. */
export async function openKeyCursor(
  scope: string,
  cursor: string | undefined,
  partition?: { readonly attribute: string; readonly value: string },
): Promise<KeyPosition | undefined> {
  if (cursor === undefined) return undefined;
  const position = await openCursor(scope, cursor);
  if (!isKeyPosition(position)) throw invalidCursor();
  if (partition !== undefined && position[partition.attribute] !== partition.value) throw invalidCursor();
  return position;
}

/** Seal DynamoDB's LastEvaluatedKey, if any, into a cursor. */
export async function keyCursor(
  scope: string,
  lastKey: Record<string, unknown> | undefined,
): Promise<string | undefined> {
  return lastKey === undefined ? undefined : sealCursor(scope, lastKey);
}
