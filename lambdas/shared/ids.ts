/**
 * Identifiers for new entities: 26 characters, Crockford base32, time-ordered (ULID layout:
 * 48 bits of milliseconds, then 80 random bits), so that ids sort by creation time and never
 * need coordination.
 */
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function encode(value: bigint, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(rest % 32n)] + out;
    rest /= 32n;
  }
  return out;
}

export function newId(now = Date.now()): string {
  const random = BigInt(`0x${randomBytes(10).toString('hex')}`);
  return encode(BigInt(now), 10) + encode(random, 16);
}

/**
 * An id of the same length and alphabet as `newId`, derived from the parts that make a request
 * unique, so that every attempt of one request names the same entity (not time-ordered).
 */
export function idFrom(...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return encode(BigInt(`0x${digest.slice(0, 33)}`), 26);
}

/**
 * A 32-character DynamoDB ClientRequestToken from the parts that make a request unique, so that
 * the same request always carries the same token and a retry of it is recognised.
 */
export const requestTokenOf = (...parts: string[]): string =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
