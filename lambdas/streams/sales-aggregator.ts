/**
 * The sales aggregator: keeps each day's sales, per product and for the whole store, from the
 * stream of order headers. An order counts on the UTC day it was placed; cancelling it takes it
 * back out of that day, so a day's figures are its net sales.
 *
 * `salesEventOf` is pure: it decides from one record whether the record is a sale or a
 * cancellation. `applySalesEvent` reads the order's lines (they are written with the header in
 * one transaction and never change) and applies the change exactly once per record.
 */
import type * as z from 'zod/mini';
import { getOrderWithLines } from '../data/orders';
import { applySalesChange, type SalesChange } from '../data/sales';
import type { RecordOutcome } from './consumer';
import {
  changedAtOf,
  type DynamoDBRecord,
  dayOf,
  eventIdOf,
  imageOf,
  MalformedRecordError,
  orderHeaderImage,
} from './records';

/** Name of this consumer in its applied-event markers. */
export const SALES_CONSUMER = 'SalesAggregator';

/** How long a marker outlives its record: past the stream's 24 hours and Lambda's longest record age. */
const REMEMBER_SECONDS = 8 * 24 * 60 * 60;

export interface SalesEvent {
  readonly kind: 'placed' | 'cancelled';
  readonly customerId: string;
  readonly orderId: string;
  readonly day: string;
  readonly orderTotalCents: number;
  readonly lineCount: number;
}

/** Whether a record places or cancels an order; undefined for any other change. */
export function salesEventOf(record: DynamoDBRecord): SalesEvent | undefined {
  if (record.eventName === 'INSERT') {
    const order = imageOf(record, 'NewImage', orderHeaderImage);
    return { kind: 'placed', ...summaryOf(order) };
  }
  if (record.eventName === 'MODIFY') {
    const order = imageOf(record, 'NewImage', orderHeaderImage);
    const before = imageOf(record, 'OldImage', orderHeaderImage);
    if (order.status === 'CANCELLED' && before.status !== 'CANCELLED')
      return { kind: 'cancelled', ...summaryOf(order) };
  }
  return undefined;
}

function summaryOf(order: z.infer<typeof orderHeaderImage>) {
  const { customerId, orderId, orderTotalCents, lineCount } = order;
  return { customerId, orderId, orderTotalCents, lineCount, day: dayOf(order.placedAt) };
}

/** Apply one record's sale or cancellation to the day's figures, once however often it arrives. */
export async function applySalesEvent(record: DynamoDBRecord): Promise<RecordOutcome> {
  const event = salesEventOf(record);
  if (event === undefined) return 'ignored';
  const eventId = eventIdOf(record);
  const placed = await getOrderWithLines(event.customerId, event.orderId, { consistentRead: true });
  const lines = placed?.lines ?? [];
  if (lines.length !== event.lineCount) {
    throw new MalformedRecordError(eventId, [
      `order ${event.orderId} has ${lines.length} lines in the table, the record says ${event.lineCount}`,
    ]);
  }
  const change: SalesChange = {
    day: event.day,
    orders: event.kind === 'placed' ? 1 : -1,
    products: lines.map((line) => ({
      sku: line.sku,
      units: line.quantity,
      revenueCents: line.quantity * line.unitPriceCents,
    })),
  };
  return applySalesChange(change, {
    consumer: SALES_CONSUMER,
    eventId,
    rememberUntil: Math.ceil(changedAtOf(record)) + REMEMBER_SECONDS,
  });
}
