/**
 * The domain events the application publishes on its EventBridge bus: the contract between the
 * order-events publisher (a stream consumer) and whoever subscribes, such as the rule that starts
 * fulfilment. Imported by the publisher and by the CDK app, so the two cannot disagree.
 */
import type { OrderStatus } from './entities';

/** The `source` of every event about orders. */
export const ORDER_EVENT_SOURCE = 'order-store.orders';

/** The `detail-type` of each order event. */
export const OrderEventType = {
  placed: 'OrderPlaced',
  cancelled: 'OrderCancelled',
  statusChanged: 'OrderStatusChanged',
} as const;
export type OrderEventType = (typeof OrderEventType)[keyof typeof OrderEventType];

/**
 * The `detail` of an order event. Delivery is at least once (the stream, Lambda and EventBridge
 * each may deliver twice): subscribers that must act once deduplicate on `eventId`, which is the
 * id of the stream record the event was made from and so is the same on every delivery.
 */
export interface OrderEventDetail {
  readonly eventId: string;
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  /** The status before this change; absent for `OrderPlaced`. */
  readonly previousStatus?: OrderStatus;
  readonly orderTotalCents: number;
  readonly lineCount: number;
  readonly version: number;
  readonly placedAt: string;
  /** When the order entered `status`. */
  readonly occurredAt: string;
}
