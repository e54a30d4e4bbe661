/**
 * The shape every fulfilment step shares: validate the state machine's input, run the step,
 * return its result. Shared by the three step handlers, which each export only `handler`.
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import type { OrderRef, StepResult } from '../../data/fulfilment';
import { ValidationError } from '../../shared/errors';
import { fields } from '../../shared/http';
import { instrumented, publishCapacity } from '../../shared/observability';

const input = z.looseObject({ customerId: fields.id, orderId: fields.id });

export function stepHandler(step: (ref: OrderRef) => Promise<StepResult>) {
  return instrumented(async (event: unknown, _context: Context): Promise<StepResult> => {
    const parsed = z.safeParse(input, event);
    if (!parsed.success) {
      throw new ValidationError(parsed.error.issues.map((i) => ({ field: i.path.join('.'), rule: i.message })));
    }
    return publishCapacity(() => step({ customerId: parsed.data.customerId, orderId: parsed.data.orderId }));
  });
}
