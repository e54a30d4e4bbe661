/**
 * What each consumer makes of one record: the pure half of every consumer, no I/O.
 */
import type { DynamoDBRecord } from 'aws-lambda';

process.env.TABLE_NAME ??= 'unit-table';
process.env.EVENT_BUS_NAME ??= 'unit-bus';
process.env.ARCHIVE_BUCKET_NAME ??= 'unit-bucket';

const { salesEventOf } =
  require('../../../lambdas/streams/sales-aggregator') as typeof import('../../../lambdas/streams/sales-aggregator');
const { orderEventOf } =
  require('../../../lambdas/streams/order-events') as typeof import('../../../lambdas/streams/order-events');
const { archivedCartLineOf } =
  require('../../../lambdas/streams/cart-archive') as typeof import('../../../lambdas/streams/cart-archive');

const order = (status: string, extra: Record<string, unknown> = {}) => ({
  entityType: { S: 'Order' },
  orderId: { S: 'o-1' },
  customerId: { S: 'c-1' },
  status: { S: status },
  placedAt: { S: '2026-11-01T23:59:59.999Z' },
  statusSince: { S: '2026-11-02T08:00:00.000Z' },
  orderTotalCents: { N: '5000' },
  lineCount: { N: '2' },
  version: { N: '2' },
  ...extra,
});
const record = (eventName: DynamoDBRecord['eventName'], images: NonNullable<DynamoDBRecord['dynamodb']>, extra = {}) =>
  ({
    eventID: 'e-1',
    eventName,
    dynamodb: { ApproximateCreationDateTime: 1_793_700_000, ...images },
    ...extra,
  }) as DynamoDBRecord;

describe('sales aggregator', () => {
  test('an order placed counts on the UTC day of placedAt', () => {
    expect(salesEventOf(record('INSERT', { NewImage: order('PLACED') }))).toEqual({
      kind: 'placed',
      customerId: 'c-1',
      orderId: 'o-1',
      day: '2026-11-01',
      orderTotalCents: 5000,
      lineCount: 2,
    });
  });

  test('a cancellation takes the order back out of its day; other changes mean nothing', () => {
    expect(salesEventOf(record('MODIFY', { OldImage: order('PAID'), NewImage: order('CANCELLED') }))).toMatchObject({
      kind: 'cancelled',
      day: '2026-11-01',
    });
    expect(salesEventOf(record('MODIFY', { OldImage: order('PLACED'), NewImage: order('PAID') }))).toBeUndefined();
    expect(
      salesEventOf(record('MODIFY', { OldImage: order('CANCELLED'), NewImage: order('CANCELLED') })),
    ).toBeUndefined();
  });

  test('a malformed image fails naming each bad attribute', () => {
    expect(() =>
      salesEventOf(
        record('INSERT', { NewImage: order('PLACED', { orderTotalCents: { S: 'a lot' }, placedAt: { S: 'soon' } }) }),
      ),
    ).toThrow(/Stream record e-1 is malformed: NewImage.placedAt .*; NewImage.orderTotalCents/);
  });
});

describe('order-events publisher', () => {
  test('INSERT is OrderPlaced, with no previous status', () => {
    const event = orderEventOf(record('INSERT', { NewImage: order('PLACED') }));
    expect(event?.detailType).toBe('OrderPlaced');
    expect(event?.detail).toEqual({
      eventId: 'e-1',
      orderId: 'o-1',
      customerId: 'c-1',
      status: 'PLACED',
      orderTotalCents: 5000,
      lineCount: 2,
      version: 2,
      placedAt: '2026-11-01T23:59:59.999Z',
      occurredAt: '2026-11-02T08:00:00.000Z',
    });
  });

  test('a status change is OrderStatusChanged or OrderCancelled; a change that keeps the status is nothing', () => {
    const change = (from: string, to: string) =>
      orderEventOf(record('MODIFY', { OldImage: order(from), NewImage: order(to) }));
    expect(change('PLACED', 'PAID')).toMatchObject({
      detailType: 'OrderStatusChanged',
      detail: { previousStatus: 'PLACED' },
    });
    expect(change('PAID', 'CANCELLED')).toMatchObject({
      detailType: 'OrderCancelled',
      detail: { status: 'CANCELLED' },
    });
    expect(change('PAID', 'PAID')).toBeUndefined();
    expect(orderEventOf(record('REMOVE', { OldImage: order('PAID') }))).toBeUndefined();
  });
});

describe('expired-cart archiver', () => {
  const line = {
    entityType: { S: 'CartLine' },
    customerId: { S: 'c-1' },
    sku: { S: 'PEN' },
    quantity: { N: '3' },
    unitPriceCents: { N: '250' },
    addedAt: { S: '2026-10-25T10:00:00.000Z' },
    expiresAt: { N: '1793500000' },
  };
  const ttl = { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } };

  test('a TTL deletion becomes an object keyed by day and event id', () => {
    expect(archivedCartLineOf(record('REMOVE', { OldImage: line }, ttl))).toEqual({
      key: 'expired-carts/day=2026-11-03/e-1.json',
      body: {
        customerId: 'c-1',
        sku: 'PEN',
        quantity: 3,
        unitPriceCents: 250,
        addedAt: '2026-10-25T10:00:00.000Z',
        expiresAt: new Date(1_793_500_000_000).toISOString(),
        deletedAt: new Date(1_793_700_000_000).toISOString(),
        eventId: 'e-1',
      },
    });
  });

  test('a deletion by anyone else is not an expiry', () => {
    expect(archivedCartLineOf(record('REMOVE', { OldImage: line }))).toBeUndefined();
    expect(
      archivedCartLineOf(
        record('REMOVE', { OldImage: line }, { userIdentity: { type: 'Service', principalId: 'other' } }),
      ),
    ).toBeUndefined();
  });
});
