/**
 * Opaque, integrity-protected page cursors and bounded page sizes.
 *
 * A cursor carries where the previous page stopped (DynamoDB's LastEvaluatedKey, or one per shard
 * or scan segment) and the scope it was issued for: the access pattern and its partition. It is
 * signed with HMAC-SHA256 under a key held in Secrets Manager, so a caller can neither edit it to
 * start inside another customer's partition nor replay it against another query; it also expires.
 *
 * The key rotates (see the procedure beside the secret in lib/stacks/api-stack.ts). Cursors are
 * signed with the current key; a cursor opens under the current key, or under the previous one for
 * an hour after a rotation, so that paging carries on across it (lambdas/shared/secrets.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { requireEnv } from '../shared/env';
import { ValidationError } from '../shared/errors';
import { RotatingSecret } from '../shared/secrets';

/** A cursor stops working after a day: long enough to walk any listing, short enough to bound a replay. */
const CURSOR_TTL_SECONDS = 24 * 60 * 60;
const VERSION = 'v1';

/**
 * How the signing key is cached and rotated. A container uses the key it read for up to five
 * minutes, so it signs with the key a rotation replaced for at most that long; a cursor signed
 * with that key still opens for an hour after the rotation (well past those five minutes, and
 * longer than a client usually takes between two pages), and is refused after it, so that a
 * replaced key stops opening cursors within the hour. A cursor no key accepts makes the container
 * read the key again, at most every ten seconds, in case it is the one behind the rotation.
 */
export const SIGNING_KEY_ROTATION = {
  maxAgeMs: 5 * 60 * 1000,
  graceMs: 60 * 60 * 1000,
  recheckMs: 10 * 1000,
} as const;

/**
 * The signing key, looked up when a cursor is first sealed or opened rather than at load: every
 * data module imports this one, and functions that never page (the fulfilment steps, the stream
 * consumers) are not given the secret.
 */
let signingKey: RotatingSecret | undefined;
const key = () => {
  signingKey ??= new RotatingSecret(requireEnv('CURSOR_SECRET_ARN'), SIGNING_KEY_ROTATION);
  return signingKey;
};

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

const sign = (keyValue: string, payload: string): Buffer =>
  createHmac('sha256', keyValue).update(`${VERSION}.${payload}`).digest();

/** A cursor for `position` that only `openCursor` with the same scope will accept. */
export async function sealCursor(scope: string, position: unknown, now = Date.now()): Promise<string> {
  const envelope: Envelope = { s: scope, p: position, e: Math.floor(now / 1000) + CURSOR_TTL_SECONDS };
  const payload = Buffer.from(JSON.stringify(envelope)).toString('base64url');
  return `${payload}.${sign(await key().currentValue(now), payload).toString('base64url')}`;
}

/**
 * The position inside a cursor, after checking its signature, scope and age.
 *
 * @throws ValidationError on `query.cursor` for anything this API did not issue for this scope.
 */
export async function openCursor(scope: string, cursor: string, now = Date.now()): Promise<unknown> {
  const [payload, signature, ...rest] = cursor.split('.');
  if (payload === undefined || signature === undefined || rest.length > 0) throw invalidCursor();
  const given = Buffer.from(signature, 'base64url');
  const signedWith = (keyValue: string) => {
    const expected = sign(keyValue, payload);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  if (!(await key().someValue(signedWith, now))) throw invalidCursor();
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
