/**
 * Order routes: place, cancel and move an order forward (each idempotent under an
 * Idempotency-Key), and the checkout snapshot.
 */
import * as z from 'zod/mini';
import {
  cancelOrder,
  changeOrderStatus,
  FORWARD_STATUSES,
  getCheckoutSummary,
  MAX_ORDER_LINES,
  placeOrder,
} from '../../data/order-workflows';
import { NotFoundError } from '../../shared/errors';
import { created, fields, httpApi, ok, parseRequest } from '../../shared/http';
import { idempotentRoute, requestToken } from '../../shared/idempotency';

const orderPath = z.strictObject({ customerId: fields.id, orderId: fields.id });
const quantity = z
  .number({ error: 'must be a number' })
  .check(
    z.refine(Number.isInteger, 'must be a whole number'),
    z.gte(1, 'must be at least 1'),
    z.lte(1_000, 'must be at most 1000'),
  );

export const handler = httpApi('Orders', {
  placeOrder: idempotentRoute(async (event) => {
    const { path, body } = parseRequest(event, {
      path: z.strictObject({ customerId: fields.id }),
      body: z.strictObject({
        lines: z
          .array(z.strictObject({ sku: fields.sku, quantity }))
          .check(
            z.minLength(1, 'must have at least one line'),
            z.maxLength(MAX_ORDER_LINES, `must have at most ${MAX_ORDER_LINES} lines`),
          ),
      }),
    });
    return created(await placeOrder(path.customerId, body.lines, requestToken(event)));
  }),

  cancelOrder: idempotentRoute(async (event) => {
    const { path } = parseRequest(event, { path: orderPath });
    return ok(await cancelOrder(path.customerId, path.orderId, requestToken(event)));
  }),

  changeOrderStatus: idempotentRoute(async (event) => {
    const { path, body } = parseRequest(event, {
      path: orderPath,
      body: z.strictObject({
        status: z.enum(FORWARD_STATUSES, { error: `must be one of ${FORWARD_STATUSES.join(', ')}` }),
        expectedVersion: z
          .number({ error: 'must be a number: the version you read' })
          .check(z.refine(Number.isInteger, 'must be a whole number'), z.gte(1, 'must be at least 1')),
      }),
    });
    return ok(await changeOrderStatus(path.customerId, path.orderId, body));
  }),

  getCheckoutSummary: async (event) => {
    const { path } = parseRequest(event, { path: orderPath });
    const summary = await getCheckoutSummary(path.customerId, path.orderId);
    if (summary === undefined) throw new NotFoundError('Order', path.orderId);
    return ok(summary);
  },
});
