/**
 * DynamoDB's attribute values as plain JSON for the page (numbers as numbers, sets as arrays,
 * binary as base64), and the console's page cursors: a `LastEvaluatedKey`, base64url-encoded.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ConsoleInputError } from './http';

export type Plain = string | number | boolean | null | Plain[] | { [name: string]: Plain };

type Wire = Record<string, unknown>;

/** One attribute value (from the SDK or from a request's JSON) as plain JSON. */
export function plainValue(value: AttributeValue | Wire): Plain {
  const v = value as Wire;
  if ('S' in v) return v.S as string;
  if ('N' in v) return Number(v.N);
  if ('BOOL' in v) return v.BOOL as boolean;
  if ('NULL' in v) return null;
  if ('SS' in v) return v.SS as string[];
  if ('NS' in v) return (v.NS as string[]).map(Number);
  if ('B' in v) return typeof v.B === 'string' ? v.B : Buffer.from(v.B as Uint8Array).toString('base64');
  if ('BS' in v)
    return (v.BS as (string | Uint8Array)[]).map((b) =>
      typeof b === 'string' ? b : Buffer.from(b).toString('base64'),
    );
  if ('L' in v) return (v.L as Wire[]).map(plainValue);
  if ('M' in v) return plainItem(v.M as Record<string, Wire>);
  return null;
}

/** An item as plain JSON, its attributes in the order DynamoDB gave them. */
export function plainItem(item: Record<string, AttributeValue | Wire>): { [name: string]: Plain } {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, plainValue(value)]));
}

export const encodeCursor = (key: Record<string, AttributeValue> | undefined): string | undefined =>
  key === undefined ? undefined : Buffer.from(JSON.stringify(key)).toString('base64url');

/** A cursor this console gave out: a key of string and number attributes. */
export function decodeCursor(cursor: string | undefined): Record<string, AttributeValue> | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () => new ConsoleInputError('cursor', 'must be a cursor this console returned (base64url of a key)');
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid();
  const entries = Object.entries(key as Record<string, unknown>);
  const valid =
    entries.length > 0 &&
    entries.length <= 4 &&
    entries.every(([, v]) => {
      if (typeof v !== 'object' || v === null) return false;
      const names = Object.keys(v);
      const only = names.length === 1 ? names[0] : undefined;
      return (only === 'S' || only === 'N') && typeof (v as Record<string, unknown>)[only] === 'string';
    });
  if (!valid) throw invalid();
  return key as Record<string, AttributeValue>;
}
