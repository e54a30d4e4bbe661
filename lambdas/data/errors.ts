/**
 * Translation of DynamoDB's failures into the application's errors, in one place.
 */
import { ServiceUnavailableError } from '../shared/errors';

/** Errors that mean "too much load right now"; the SDK has already retried them with backoff. */
const OVERLOAD_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
]);

/** Seconds a caller should wait after a 503 before trying again. */
export const RETRY_AFTER_SECONDS = 1;

export function isOverload(error: unknown): boolean {
  return error instanceof Error && OVERLOAD_ERRORS.has(error.name);
}

/** Rethrow overload as ServiceUnavailableError (503 + Retry-After); anything else unchanged. */
export function rethrowOverload(error: unknown): never {
  if (isOverload(error)) {
    throw new ServiceUnavailableError('The table is busy; try again shortly', RETRY_AFTER_SECONDS, { cause: error });
  }
  throw error;
}

/** Full-jitter exponential backoff: a random delay up to base × 2^attempt, capped. */
export function backoffMs(attempt: number, baseMs = 50, capMs = 2_000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}
