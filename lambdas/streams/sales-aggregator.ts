/**
 * The sales aggregator: keeps each day's sales, per product and for the whole store, from the
 * stream of order headers. An order counts on the UTC day it was placed; cancelling it takes it
 * back out of that day, so a day's figures are its net sales.
 *
 * It runs on Lambda's tumbling windows: the orders of one shard's window are added up in the
 * window's state (`addToWindow`, pure), and when the window ends each figure it changed is written
 * once (lambdas/data/sales.ts), so that a day's store total takes one write per shard per window
 * instead of one per order, and the writes' exactly-once check travels with them.
 *
 * `salesEventOf` is pure too: it decides from one record whether the record is a sale or a
 * cancellation. An order's lines are written with its header in one transaction, to the same
 * partition, and never changed after: their records come through the same shard, and the mapping
 * lets them through with the headers, so a placed order's lines are usually in the batch beside
 * it. Only when they are not all there (a cancellation, which changes the header alone, or a
 * batch cut between an order and its lines) are they read from the table, with a strongly
 * consistent Query per order, a few at a time.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod/mini';
import { getOrderWithLines } from '../data/orders';
import { applySalesDeltas, type DaySalesDelta } from '../data/sales';
import { EntityType, type OrderLine } from '../model/entities';
import { Attr } from '../model/table-design';
import type { WindowAggregation } from './consumer';
import {
  type DynamoDBRecord,
  dayOf,
  eventIdOf,
  imageOf,
  MalformedRecordError,
  orderHeaderImage,
  orderLineImage,
} from './records';

/** Orders whose lines are read at once. */
const CONCURRENT_READS = 100;

export interface SalesEvent {
  readonly kind: 'placed' | 'cancelled';
  readonly customerId: string;
  readonly orderId: string;
  readonly day: string;
  readonly orderTotalCents: number;
  readonly lineCount: number;
}

const isOrderLine = (record: DynamoDBRecord) =>
  record.dynamodb?.NewImage?.[Attr.entityType]?.S === EntityType.orderLine;

/** Whether a record places or cancels an order; undefined for any other change (an order line's). */
export function salesEventOf(record: DynamoDBRecord): SalesEvent | undefined {
  if (isOrderLine(record)) return undefined;
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

interface Figures {
  readonly units: number;
  readonly revenueCents: number;
}

/** A day's net sales so far in the window. */
interface DayFigures extends Figures {
  readonly orders: number;
  readonly products: Readonly<Record<string, Figures>>;
}

/**
 * What Lambda carries from one invocation of a window to the next (JSON, at most 1 MB a shard):
 * each day's net figures, and the last record they hold.
 */
export interface SalesWindowState extends Readonly<Record<string, unknown>> {
  readonly days: Readonly<Record<string, DayFigures>>;
  readonly lastSequenceNumber?: string;
}

export const EMPTY_WINDOW: SalesWindowState = { days: {} };

const plus = (a: Figures | undefined, b: Figures): Figures => ({
  units: (a?.units ?? 0) + b.units,
  revenueCents: (a?.revenueCents ?? 0) + b.revenueCents,
});

/** The window's state with one sale or cancellation added: pure. */
export function addToWindow(
  state: SalesWindowState,
  sale: SalesEvent,
  lines: readonly Line[],
  sequenceNumber: string,
): SalesWindowState {
  const sign = sale.kind === 'placed' ? 1 : -1;
  const day = state.days[sale.day];
  const products: Record<string, Figures> = { ...day?.products };
  let total: Figures = { units: day?.units ?? 0, revenueCents: day?.revenueCents ?? 0 };
  for (const line of lines) {
    const figures = { units: sign * line.quantity, revenueCents: sign * line.quantity * line.unitPriceCents };
    products[line.sku] = plus(products[line.sku], figures);
    total = plus(total, figures);
  }
  return {
    days: { ...state.days, [sale.day]: { ...total, orders: (day?.orders ?? 0) + sign, products } },
    lastSequenceNumber: sequenceNumber,
  };
}

/** What a finished window changes, day by day: pure. */
export const deltasOf = (state: SalesWindowState): DaySalesDelta[] =>
  Object.entries(state.days).map(([day, figures]) => ({
    day,
    store: { orders: figures.orders, units: figures.units, revenueCents: figures.revenueCents },
    products: Object.entries(figures.products).map(([sku, product]) => ({ sku, ...product })),
  }));

type Line = Pick<OrderLine, 'sku' | 'quantity' | 'unitPriceCents'>;

/**
 * The order lines inserted in a batch, by order. A line record is only ever a help: one that does
 * not decode is left out, and its order's lines are read from the table instead.
 */
export function linesInBatch(records: readonly DynamoDBRecord[]): Map<string, Map<string, Line>> {
  const byOrder = new Map<string, Map<string, Line>>();
  for (const record of records) {
    if (record.eventName !== 'INSERT' || !isOrderLine(record)) continue;
    let decoded: unknown;
    try {
      decoded = unmarshall(record.dynamodb?.NewImage as never);
    } catch {
      continue;
    }
    const line = z.safeParse(orderLineImage, decoded);
    if (!line.success) continue;
    const { customerId, orderId, sku, quantity, unitPriceCents } = line.data;
    const key = `${customerId}|${orderId}`;
    const lines = byOrder.get(key) ?? new Map<string, Line>();
    lines.set(sku, { sku, quantity, unitPriceCents });
    byOrder.set(key, lines);
  }
  return byOrder;
}

/**
 * The sales in a batch, each with its order's lines: from the batch when all of them are in it,
 * otherwise from the table, a few orders at a time.
 */
async function salesWithLines(records: readonly DynamoDBRecord[]) {
  const inBatch = linesInBatch(records);
  const sales = records.flatMap((record) => {
    const sale = salesEventOf(record);
    if (sale === undefined) return [];
    const lines = sale.kind === 'placed' ? inBatch.get(`${sale.customerId}|${sale.orderId}`) : undefined;
    return [{ record, sale, given: lines?.size === sale.lineCount ? [...lines.values()] : undefined }];
  });
  const toRead = sales.filter(({ given }) => given === undefined);
  const read = new Map<SalesEvent, readonly Line[]>();
  for (let i = 0; i < toRead.length; i += CONCURRENT_READS) {
    const group = toRead.slice(i, i + CONCURRENT_READS);
    const orders = await Promise.all(
      group.map(({ sale }) => getOrderWithLines(sale.customerId, sale.orderId, { consistentRead: true })),
    );
    group.forEach(({ sale }, j) => {
      read.set(sale, orders[j]?.lines ?? []);
    });
  }
  return sales.map(({ record, sale, given }) => {
    const lines = given ?? read.get(sale) ?? [];
    if (lines.length !== sale.lineCount) {
      throw new MalformedRecordError(eventIdOf(record), [
        `order ${sale.orderId} has ${lines.length} lines in the table, the record says ${sale.lineCount}`,
      ]);
    }
    return { record, sale, lines };
  });
}

const sequenceOf = (record: DynamoDBRecord): string => {
  const sequence = record.dynamodb?.SequenceNumber;
  if (sequence === undefined) throw new MalformedRecordError(record.eventID, ['dynamodb.SequenceNumber is missing']);
  return sequence;
};

/** The aggregation the sales aggregator's handler runs (lambdas/streams/consumer.ts). */
export const salesWindow: WindowAggregation<SalesWindowState> = {
  empty: EMPTY_WINDOW,
  async add(records, state) {
    let next = state;
    for (const { record, sale, lines } of await salesWithLines(records)) {
      next = addToWindow(next, sale, lines, sequenceOf(record));
    }
    // Records that are not sales still move the window past them.
    const last = records[records.length - 1];
    return last === undefined ? next : { ...next, lastSequenceNumber: sequenceOf(last) };
  },
  async finish(state, shardId) {
    if (state.lastSequenceNumber === undefined) return;
    await applySalesDeltas(deltasOf(state), { shardId, sequenceNumber: state.lastSequenceNumber });
  },
};
