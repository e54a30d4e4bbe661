/**
 * The order-events publisher: turns the stream of order headers into domain events on the
 * application's EventBridge bus. The table is the outbox: an order and the fact that it changed
 * are written in one place, atomically, and this consumer relays the fact, at least once and in
 * order per order.
 *
 * `orderEventOf` is pure: which event, if any, one record means. `publishOrderEvent` sends it.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ORDER_EVENT_SOURCE, type OrderEventDetail, OrderEventType } from '../model/events';
import { requireEnv } from '../shared/env';
import { tracer } from '../shared/observability';
import type { RecordOutcome } from './consumer';
import { type DynamoDBRecord, eventIdOf, imageOf, orderHeaderImage } from './records';

export interface OrderEvent {
  readonly detailType: OrderEventType;
  readonly detail: OrderEventDetail;
}

/** The event a record means: placed, cancelled, or moved to another status; undefined otherwise. */
export function orderEventOf(record: DynamoDBRecord): OrderEvent | undefined {
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return undefined;
  const order = imageOf(record, 'NewImage', orderHeaderImage);
  const before = record.eventName === 'MODIFY' ? imageOf(record, 'OldImage', orderHeaderImage) : undefined;
  if (before !== undefined && before.status === order.status) return undefined;
  const detail: OrderEventDetail = {
    eventId: eventIdOf(record),
    orderId: order.orderId,
    customerId: order.customerId,
    status: order.status,
    ...(before === undefined ? {} : { previousStatus: before.status }),
    orderTotalCents: order.orderTotalCents,
    lineCount: order.lineCount,
    version: order.version,
    placedAt: order.placedAt,
    occurredAt: order.statusSince,
  };
  const detailType =
    before === undefined
      ? OrderEventType.placed
      : order.status === 'CANCELLED'
        ? OrderEventType.cancelled
        : OrderEventType.statusChanged;
  return { detailType, detail };
}

const eventBusName = requireEnv('EVENT_BUS_NAME');
const events = tracer.captureAWSv3Client(new EventBridgeClient({}));

/** EventBridge refused an entry; the record is retried. */
export class EventNotPublishedError extends Error {
  constructor(code: string | undefined, message: string | undefined) {
    super(`EventBridge did not accept the event: ${code ?? 'unknown error'} ${message ?? ''}`.trim());
    this.name = 'EventNotPublishedError';
  }
}

export async function publishOrderEvent(record: DynamoDBRecord): Promise<RecordOutcome> {
  const event = orderEventOf(record);
  if (event === undefined) return 'ignored';
  const { Entries, FailedEntryCount } = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: eventBusName,
          Source: ORDER_EVENT_SOURCE,
          DetailType: event.detailType,
          Detail: JSON.stringify(event.detail),
          Time: new Date(event.detail.occurredAt),
        },
      ],
    }),
  );
  // PutEvents answers 200 even when it refuses an entry; the refusal is per entry.
  if ((FailedEntryCount ?? 0) > 0)
    throw new EventNotPublishedError(Entries?.[0]?.ErrorCode, Entries?.[0]?.ErrorMessage);
  return 'applied';
}
