/** The console API (local/console/server/mount.ts), as the page calls it. */
import type { IndexShape } from '../server/table-shape';

export interface Overview {
  readonly tableName: string;
  readonly keys: { readonly partitionKey: string; readonly sortKey: string };
  readonly itemCount: number;
  readonly entityTypes: readonly string[];
  readonly indexes: readonly (IndexShape & { readonly itemCount: number })[];
}

/** An error the console API answered with: the field and the rule. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { readonly field?: string; readonly rule?: string; readonly message?: string },
  ) {
    super(body.message ?? `HTTP ${status}`);
  }
}

const BASE = 'api';

export async function getJson<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
  const params = new URLSearchParams(
    Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
  const response = await fetch(`${BASE}${path}${params.size > 0 ? `?${params}` : ''}`);
  const body = (await response.json()) as ApiError['body'];
  if (!response.ok) throw new ApiError(response.status, body);
  return body as T;
}

export async function postJson<T>(path: string, payload: unknown): Promise<T> {
  const response = await fetch(`${BASE}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const body = (await response.json()) as ApiError['body'];
  if (!response.ok) throw new ApiError(response.status, body);
  return body as T;
}
