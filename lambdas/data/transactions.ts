/**
 * TransactWriteItems with the failure handling every workflow needs: transaction conflicts and
 * throttling retried with jittered backoff inside a time budget (then 503), one client request
 * token across the retries (so a retry of a transaction that did commit is not applied twice),
 * and cancellation reasons handed back per item for the caller to turn into domain errors.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type CancellationReason, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../shared/errors';
import { documents } from './client';
import { backoffMs, isOverload, RETRY_AFTER_SECONDS } from './errors';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit on the items of one transaction. */
export const MAX_TRANSACTION_ITEMS = 100;

/** How long a request may spend retrying conflicts and throttling before answering 503. */
const RETRY_BUDGET_MS = 3_000;

/** The transaction was cancelled because a condition failed; `reasons[i]` belongs to item i. */
export class TransactionCancelled extends Error {
  constructor(
    readonly reasons: readonly CancellationReason[],
    options?: ErrorOptions,
  ) {
    super(`Transaction cancelled: ${reasons.map((r) => r.Code ?? 'None').join(', ')}`, options);
    this.name = 'TransactionCancelled';
  }

  /** Indexes of the items whose condition failed. */
  failedConditions(): number[] {
    return this.reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
  }
}

/** Cancelled only by conflicts or throttling: nothing was wrong with the request itself. */
function isRetryable(error: unknown): boolean {
  if (error instanceof TransactionCanceledException) {
    const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
    return (
      codes.some(
        (c) => c === 'TransactionConflict' || c === 'ThrottlingError' || c === 'ProvisionedThroughputExceeded',
      ) && codes.every((c) => c !== 'ConditionalCheckFailed' && c !== 'ValidationError')
    );
  }
  return isOverload(error) || (error instanceof Error && error.name === 'TransactionInProgressException');
}

/**
 * Write all items or none.
 *
 * @param clientRequestToken makes retries within ten minutes idempotent on DynamoDB's side; a
 *   transaction guarded by a condition of its own (such as a marker that must be absent) needs none
 * @throws TransactionCancelled when a condition failed (see `reasons`)
 * @throws ServiceUnavailableError when conflicts or throttling outlast the retry budget
 */
export async function transactWrite(items: TransactItem[], clientRequestToken?: string): Promise<void> {
  if (items.length > MAX_TRANSACTION_ITEMS) {
    throw new Error(`A transaction holds at most ${MAX_TRANSACTION_ITEMS} items, got ${items.length}`);
  }
  const deadline = Date.now() + RETRY_BUDGET_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      await documents.send(
        new TransactWriteCommand({
          TransactItems: items,
          ClientRequestToken: clientRequestToken,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return;
    } catch (error) {
      if (!isRetryable(error)) {
        if (error instanceof TransactionCanceledException) {
          throw new TransactionCancelled(error.CancellationReasons ?? [], { cause: error });
        }
        throw error;
      }
      const delay = backoffMs(attempt + 1);
      if (Date.now() + delay > deadline) {
        throw new ServiceUnavailableError(
          'The store is busy with other orders; try again shortly',
          RETRY_AFTER_SECONDS,
          {
            cause: error,
          },
        );
      }
      await sleep(delay);
    }
  }
}
