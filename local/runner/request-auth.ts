/**
 * The one place that builds the headers authorizing a request to the local API as a given caller:
 * the demo, the seed's examples, the tests and the local console all call `authHeaders`.
 *
 * - A shopper sends `Authorization: Bearer <access token>`; locally the token comes from the
 *   runner's issuer (`POST <tokenUrl>` with `{"sub": "<customerId>"}`), in AWS from signing in to
 *   the user pool. Tokens are kept until a minute before they expire.
 * - The back office signs with SigV4 in AWS; locally an unsigned request passes as the runner's
 *   local IAM user, so it sends nothing.
 * - Anyone may read the catalogue without a header.
 */
import type { LocalAuth } from './run-state';

/** Who a request is made as. */
export type LocalCaller = { readonly shopper: string } | 'back office' | 'anyone';

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

const tokens = new Map<string, CachedToken>();

/** An access token for the shopper whose customer id is `sub`, from the running app's issuer. */
export async function shopperToken(auth: LocalAuth, sub: string): Promise<string> {
  const key = `${auth.tokenUrl} ${sub}`;
  const cached = tokens.get(key);
  if (cached !== undefined && cached.expiresAt - 60_000 > Date.now()) return cached.token;
  const response = await fetch(auth.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub }),
  });
  const body = (await response.json()) as { access_token?: string; expires_in?: number; message?: string };
  if (!response.ok || body.access_token === undefined) {
    throw new Error(`The local issuer refused a token for ${sub}: ${body.message ?? response.status}`);
  }
  tokens.set(key, { token: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 0) * 1000 });
  return body.access_token;
}

/** The headers that authorize a request as `caller` (none for the back office and the public). */
export async function authHeaders(auth: LocalAuth | undefined, caller: LocalCaller): Promise<Record<string, string>> {
  if (caller === 'anyone' || caller === 'back office') return {};
  if (auth === undefined) {
    throw new Error(
      'The running app has no JWT authorizer to get a shopper token for (synthesized without the HTTP API?)',
    );
  }
  return { authorization: `Bearer ${await shopperToken(auth, caller.shopper)}` };
}
