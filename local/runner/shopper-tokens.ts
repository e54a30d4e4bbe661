/**
 * The local stand-in for the shoppers' user pool and for API Gateway's JWT authorizer.
 *
 * In AWS a shopper signs in to the Cognito user pool and sends its access token; API Gateway's JWT
 * authorizer checks the token's signature against the pool's published keys, its issuer and
 * audience against the authorizer's configuration, and its expiry, and answers 401 itself when any
 * check fails. Here a local issuer with its own RSA key pair (made at start, never written to disk)
 * issues tokens shaped like the pool's access tokens for the issuer and audience the synthesized
 * template configures, and `verify` makes the authorizer's checks with `jose`.
 *
 * Tokens are handed out by a small HTTP endpoint beside the API (`POST /token` with
 * `{"sub": "<customerId>"}`), which stands in for signing in: locally, any subject may have a token.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createLocalJWKSet,
  errors,
  exportJWK,
  type GenerateKeyPairResult,
  generateKeyPair,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { AssemblyRoute } from './cloud-assembly';
import { type Authorize, GATEWAY_ERRORS, LOCAL_CALLER, readBody } from './http-api';
import { refKey } from './references';

/** What a JWT authorizer of the template checks: the resolved issuer and audiences. */
export interface JwtAuthorizerConfig {
  readonly issuer: string;
  readonly audience: readonly string[];
}

/** A token the authorizer accepted: its claims and scopes, as API Gateway passes them to the function. */
export interface AcceptedToken {
  readonly claims: Record<string, string>;
  readonly scopes: string[] | null;
}

/** Why the authorizer refused a token, in API Gateway's words (its `www-authenticate` header). */
export class TokenRefused extends Error {
  constructor(readonly description: string) {
    super(description);
    this.name = 'TokenRefused';
  }
}

/** How long an issued token lives, as the storefront client's access tokens do. */
export const TOKEN_LIFETIME_SECONDS = 3_600;

const ALGORITHM = 'RS256';

/** Claims as API Gateway hands them to the function: every value a string. */
function asClaims(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [
      name,
      Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
}

export interface IssueOptions {
  /** Seconds from now to expiry; negative for a token that has expired. @default TOKEN_LIFETIME_SECONDS */
  readonly expiresIn?: number;
  /** The `client_id` claim. @default - the authorizer's first audience */
  readonly clientId?: string;
  /** Other claims to add or replace. */
  readonly claims?: Record<string, unknown>;
}

export class LocalIssuer {
  private constructor(
    readonly config: JwtAuthorizerConfig,
    private readonly keys: GenerateKeyPairResult,
    private readonly kid: string,
    /** The public key set, as the pool publishes it at `<issuer>/.well-known/jwks.json`. */
    readonly jwks: JSONWebKeySet,
  ) {}

  /** An issuer for the template's authorizer, with a fresh key pair. */
  static async create(config: JwtAuthorizerConfig): Promise<LocalIssuer> {
    if (config.audience.length === 0) throw new Error('A JWT authorizer needs at least one audience');
    const keys = await generateKeyPair(ALGORITHM);
    const kid = randomUUID();
    const jwk = { ...(await exportJWK(keys.publicKey)), kid, alg: ALGORITHM, use: 'sig' };
    return new LocalIssuer(config, keys, kid, { keys: [jwk] });
  }

  /** An access token for `sub`, shaped like the user pool's: `client_id`, `token_use`, `scope`. */
  async issue(sub: string, options: IssueOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      sub,
      iss: this.config.issuer,
      client_id: options.clientId ?? this.config.audience[0],
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      auth_time: now,
      iat: now,
      exp: now + (options.expiresIn ?? TOKEN_LIFETIME_SECONDS),
      jti: randomUUID(),
      username: sub,
      ...options.claims,
    })
      .setProtectedHeader({ alg: ALGORITHM, kid: this.kid })
      .sign(this.keys.privateKey);
  }

  /**
   * API Gateway's checks of the `Authorization` header's token: present; a JWT signed by a key of
   * the issuer's set; the issuer; `aud` (or, without one, `client_id`) among the audiences; not
   * expired, not before its `nbf`, issued in the past.
   *
   * @throws TokenRefused saying which check failed
   */
  async verify(authorization: string | undefined): Promise<AcceptedToken> {
    const token = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (token === undefined || token === '') throw new TokenRefused('the token is missing');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, createLocalJWKSet(this.jwks), {
        issuer: this.config.issuer,
        algorithms: [ALGORITHM],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new TokenRefused('the token has expired');
      if (error instanceof errors.JWTClaimValidationFailed) throw new TokenRefused(`invalid ${error.claim}`);
      throw new TokenRefused('the token signature is invalid or the token is malformed');
    }
    if (typeof payload.iat === 'number' && payload.iat > Math.floor(Date.now() / 1000)) {
      throw new TokenRefused('the token was issued in the future');
    }
    const audiences = payload.aud === undefined ? [payload.client_id] : [payload.aud].flat();
    if (!audiences.some((a) => typeof a === 'string' && this.config.audience.includes(a))) {
      throw new TokenRefused('the token does not have a valid audience');
    }
    const scope = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    return { claims: asClaims(payload), scopes: scope.length === 0 ? null : scope };
  }
}

/**
 * Serve the issuer on 127.0.0.1 (port 0 picks a free one):
 * - `POST /token` with `{"sub": "<customerId>"}` answers `{"access_token", "token_type", "expires_in"}`;
 * - `GET /.well-known/jwks.json` the public keys, `GET /.well-known/openid-configuration` the
 *   issuer and where its keys are.
 */
export async function serveTokens(issuer: LocalIssuer): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    const handle = async () => {
      if (req.method === 'GET' && path === '/.well-known/jwks.json') return send(200, issuer.jwks);
      if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
        return send(200, {
          issuer: issuer.config.issuer,
          jwks_uri: `http://${req.headers.host}/.well-known/jwks.json`,
          token_endpoint: `http://${req.headers.host}/token`,
        });
      }
      if (req.method !== 'POST' || path !== '/token') return send(404, { message: 'Not Found' });
      let sub: unknown;
      try {
        sub = (JSON.parse((await readBody(req)).toString('utf8') || '{}') as { sub?: unknown }).sub;
      } catch {
        return send(400, { error: 'invalid_request', message: 'The body must be JSON: {"sub": "<customerId>"}' });
      }
      if (typeof sub !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(sub)) {
        return send(400, {
          error: 'invalid_request',
          message: 'body.sub must be 1 to 64 letters, digits, "_", ".", ":" or "-": the shopper\'s customer id',
        });
      }
      return send(200, {
        access_token: await issuer.issue(sub),
        token_type: 'Bearer',
        expires_in: TOKEN_LIFETIME_SECONDS,
      });
    };
    handle().catch(() => {
      if (!res.headersSent) send(500, { message: 'Internal Server Error' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * How the local API authorizes each route, as API Gateway would by the route's type:
 * - `NONE`: nothing to check, and nothing in the event;
 * - `JWT`: the route's authorizer's checks (`LocalIssuer.verify`); a refusal is API Gateway's 401
 *   `{"message":"Unauthorized"}` with its `www-authenticate` header, and the function never runs;
 * - `AWS_IAM`: requests are not signed locally, so an unsigned one passes as `LOCAL_CALLER`; one
 *   whose `Authorization` is not a SigV4 signature (a shopper's bearer token, say) is API Gateway's
 *   403 `{"message":"Forbidden"}`.
 *
 * @param issuers the local issuer of each JWT authorizer, by `refKey` of the authorizer resource
 */
export function routeAuthorizer(issuers: ReadonlyMap<string, LocalIssuer>): Authorize {
  return async (route: AssemblyRoute, headers) => {
    switch (route.authorization) {
      case 'NONE':
        return {};
      case 'AWS_IAM': {
        const authorization = headers.authorization;
        if (authorization !== undefined && !authorization.startsWith('AWS4-HMAC-SHA256 ')) {
          return { refused: GATEWAY_ERRORS.forbidden };
        }
        return { authorizer: { iam: { ...LOCAL_CALLER } } };
      }
      case 'JWT': {
        const issuer = route.authorizer === undefined ? undefined : issuers.get(refKey(route.authorizer));
        if (issuer === undefined) throw new Error(`No local issuer for the authorizer of ${route.routeKey}`);
        try {
          return { authorizer: { jwt: await issuer.verify(headers.authorization) } };
        } catch (error) {
          if (!(error instanceof TokenRefused)) throw error;
          return {
            refused: {
              ...GATEWAY_ERRORS.unauthorized,
              headers: {
                'www-authenticate': `Bearer scope="" error="invalid_token" error_description="${error.description}"`,
              },
            },
          };
        }
      }
      default:
        throw new Error(`${route.routeKey}: authorization ${route.authorization} is not emulated locally`);
    }
  };
}
