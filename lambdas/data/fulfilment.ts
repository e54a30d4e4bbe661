/**
 * The steps of the fulfilment workflow (placed → paid → shipped, or cancelled and restocked).
 *
 * Each step is idempotent: it reads the order first and does nothing when the order is already
 * where the step would take it, so Step Functions may retry any step, and a step that ran but
 * whose result was lost does no harm when it runs again. A step that can never succeed throws an
 * error named for Step Functions to catch (`PaymentDeclined`, `OrderNotFulfillable`); transient
 * failures surface as `ServiceUnavailableError`, which the state machine retries.
 */
import type { Order, OrderStatus } from '../model/entities';
import { intEnv } from '../shared/env';
import { ConflictError, NotFoundError } from '../shared/errors';
import { requestTokenOf } from '../shared/ids';
import { cancelOrder, changeOrderStatus, type ForwardStatus } from './order-workflows';
import { getOrderWithLines } from './orders';

/**
 * Stand-in for a payment provider: card payments above this many cents are declined. Replace
 * `authorizePayment` with a call to your provider; the workflow around it stays the same.
 */
const cardLimitCents = intEnv('CARD_LIMIT_CENTS', 500_000, { min: 1, max: 1_000_000_000 });

/** A permanent failure of a step: the workflow compensates instead of retrying. */
export class FulfilmentError extends Error {
  constructor(name: 'PaymentDeclined' | 'OrderNotFulfillable', message: string) {
    super(message);
    this.name = name;
  }
}

export interface OrderRef {
  readonly customerId: string;
  readonly orderId: string;
}

/** What each step returns: where the order stands now. */
export type StepResult = Pick<Order, 'orderId' | 'customerId' | 'status' | 'version'>;

const resultOf = (order: Order): StepResult => ({
  orderId: order.orderId,
  customerId: order.customerId,
  status: order.status,
  version: order.version,
});

const ORDER_OF_STATUS: Record<OrderStatus, number> = { PLACED: 0, PAID: 1, SHIPPED: 2, DELIVERED: 3, CANCELLED: -1 };

async function currentOrder(ref: OrderRef): Promise<Order> {
  const found = await getOrderWithLines(ref.customerId, ref.orderId, { consistentRead: true });
  if (found === undefined) throw new NotFoundError('Order', ref.orderId);
  return found.order;
}

/** Move the order to `target` unless it is already there or beyond; a lost race re-reads once. */
async function advance(ref: OrderRef, target: ForwardStatus, check: (order: Order) => void): Promise<StepResult> {
  for (let attempt = 0; ; attempt++) {
    const order = await currentOrder(ref);
    if (order.status === 'CANCELLED') {
      throw new FulfilmentError('OrderNotFulfillable', `Order ${ref.orderId} was cancelled`);
    }
    if (ORDER_OF_STATUS[order.status] >= ORDER_OF_STATUS[target]) return resultOf(order);
    check(order);
    try {
      return resultOf(
        await changeOrderStatus(ref.customerId, ref.orderId, { status: target, expectedVersion: order.version }),
      );
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt > 0) throw error;
    }
  }
}

function authorizePayment(order: Order): void {
  if (order.orderTotalCents > cardLimitCents) {
    throw new FulfilmentError(
      'PaymentDeclined',
      `Payment of ${order.orderTotalCents} cents for order ${order.orderId} was declined (card limit ${cardLimitCents})`,
    );
  }
}

/** Take payment and mark the order PAID (which queues it for shipping). */
export const payOrder = (ref: OrderRef): Promise<StepResult> => advance(ref, 'PAID', authorizePayment);

/** Mark a paid order SHIPPED (which takes it off the shipping queue). */
export const shipOrder = (ref: OrderRef): Promise<StepResult> => advance(ref, 'SHIPPED', () => undefined);

/**
 * Compensation: cancel the order and restock its lines, once. An order that already shipped cannot
 * be compensated here and is reported as not fulfillable for a person to handle.
 */
export async function compensateOrder(ref: OrderRef): Promise<StepResult> {
  try {
    return resultOf(
      await cancelOrder(ref.customerId, ref.orderId, requestTokenOf('compensateOrder', ref.customerId, ref.orderId)),
    );
  } catch (error) {
    if (error instanceof ConflictError && error.details.reason === 'NotCancellable') {
      throw new FulfilmentError('OrderNotFulfillable', error.message);
    }
    throw error;
  }
}
