/**
 * The application's errors. Each maps to one HTTP status in `http.ts`; nothing else does.
 */

/** One broken rule on one input field, as the API reports it. */
export interface FieldIssue {
  /** Where the field is: `path.sku`, `query.limit`, `body.quantity`. */
  readonly field: string;
  readonly rule: string;
}

/** The request is malformed: 400, listing every field and the rule it broke. */
export class ValidationError extends Error {
  constructor(
    readonly issues: readonly FieldIssue[],
    options?: ErrorOptions,
  ) {
    super(`Invalid request: ${issues.map((i) => `${i.field} ${i.rule}`).join('; ')}`, options);
    this.name = 'ValidationError';
  }
}

/**
 * The caller is not allowed this request: 403, before anything is read or written. API Gateway
 * has authenticated the caller already; this is the function's own check that the caller may act
 * on what the request names (a shopper on their own customer id only).
 */
export class ForbiddenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ForbiddenError';
  }
}

/** The thing asked for does not exist: 404. */
export class NotFoundError extends Error {
  constructor(
    readonly resource: string,
    readonly id: string,
    options?: ErrorOptions,
  ) {
    super(`${resource} ${id} not found`, options);
    this.name = 'NotFoundError';
  }
}

/** The request conflicts with the current state: 409, with details the caller can act on. */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ConflictError';
  }
}

/** A dependency is overloaded or throttling and retries ran out: 503 with Retry-After. */
export class ServiceUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ServiceUnavailableError';
  }
}

/** An Idempotency-Key was used before with a different request: 422, never a second effect. */
export class IdempotencyKeyReusedError extends Error {
  constructor(options?: ErrorOptions) {
    super('This Idempotency-Key was already used with a different request; use a new key for a new request', options);
    this.name = 'IdempotencyKeyReusedError';
  }
}
