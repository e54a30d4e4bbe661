/**
 * Idempotent mutating routes: every one takes an `Idempotency-Key` header. The first request with
 * a key runs and its response is stored for a day (Powertools idempotency, in a DynamoDB table
 * with TTL); a retry with the same key and the same request gets that response again, byte for
 * byte, and changes nothing; the same key with a different request is refused (422). A retry that
 * arrives while the first is still running waits for it and returns its response.
 *
 * DynamoDB's own ClientRequestToken protects a transaction for ten minutes only; this covers a
 * day, covers conditional writes that have no token, and returns the original response.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { requireEnv } from './env';
import { IdempotencyKeyReusedError, ServiceUnavailableError, ValidationError } from './errors';
import { type ApiEvent, type ApiResult, callerOf, type Route } from './http';
import { requestTokenOf } from './ids';
import { tracer } from './observability';

const HEADER = 'idempotency-key';
const KEY_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;
/** How long a response is kept for replay. */
const EXPIRES_AFTER_SECONDS = 24 * 60 * 60;
/** How long a retry waits for the first request with its key to finish. */
const WAIT_FOR_FIRST_MS = 8_000;

const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: requireEnv('IDEMPOTENCY_TABLE_NAME'),
  awsSdkV3Client: tracer.captureAWSv3Client(new DynamoDBClient({})),
});

/** What identifies one logical request: the route, the caller, the key, and what was asked. */
interface IdempotentRequest {
  readonly scope: string;
  readonly payload: { readonly path: unknown; readonly body: string };
}

/** The caller-supplied key, validated. */
function idempotencyKeyOf(event: ApiEvent): string {
  const key = event.headers?.[HEADER];
  if (key === undefined || !KEY_PATTERN.test(key)) {
    throw new ValidationError([
      {
        field: `header.${HEADER}`,
        rule: 'is required on this route: 8 to 128 letters, digits, "-" or "_" (a UUID works)',
      },
    ]);
  }
  return key;
}

const scopeOf = (event: ApiEvent, key: string) => [event.routeKey, callerOf(event), key].join('|');

/**
 * A token for DynamoDB's ClientRequestToken, derived from the idempotency scope, so that a
 * retried transaction is recognised by DynamoDB as well (within its ten-minute window).
 */
export function requestToken(event: ApiEvent): string {
  return requestTokenOf(scopeOf(event, idempotencyKeyOf(event)));
}

/**
 * Make a mutating route idempotent under the `Idempotency-Key` header. Errors are not stored: a
 * request that failed wrote nothing, so its retry runs again.
 */
export function idempotentRoute(route: Route): Route {
  return async (event: ApiEvent, context: Context): Promise<ApiResult> => {
    const key = idempotencyKeyOf(event);
    const config = new IdempotencyConfig({
      eventKeyJmesPath: 'scope',
      payloadValidationJmesPath: 'payload',
      expiresAfterSeconds: EXPIRES_AFTER_SECONDS,
    });
    config.registerLambdaContext(context);
    const run = makeIdempotent(async (_request: IdempotentRequest) => route(event, context), {
      persistenceStore,
      config,
    });
    const request: IdempotentRequest = {
      scope: scopeOf(event, key),
      payload: { path: event.pathParameters ?? {}, body: event.body ?? '' },
    };
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return await run(request);
      } catch (error) {
        if (error instanceof IdempotencyValidationError) throw new IdempotencyKeyReusedError({ cause: error });
        if (!(error instanceof IdempotencyAlreadyInProgressError)) throw error;
        if (Date.now() > deadline) {
          throw new ServiceUnavailableError('A request with this Idempotency-Key is still running; retry shortly', 1, {
            cause: error,
          });
        }
        await sleep(Math.min(50 * 2 ** attempt, 500));
      }
    }
  };
}
