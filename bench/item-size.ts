/**
 * DynamoDB's item size, as its capacity accounting counts it, for computing theoretical minimum
 * capacity: attribute names plus values, numbers at about one byte per two significant digits
 * plus one, maps and lists at 3 bytes plus one per element.
 */
export function attributeValueSize(value: unknown): number {
  if (value === null || value === undefined) return 1;
  if (typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') {
    const digits = String(Math.abs(value)).replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
  }
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + attributeValueSize(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + attributeValueSize(v), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + attributeValueSize(v), 0);
  }
  return 0;
}

/** Size of a whole item in bytes. */
export function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + attributeValueSize(value),
    0,
  );
}

/** Read units for one request reading these bytes (a Query or Scan rounds the total once). */
export const readUnits = (bytes: number, consistent = false): number =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

/** Write units for writing one item of this size, to the table only. */
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));
