/**
 * Workflows that write orders: place, cancel, change status, and the checkout snapshot.
 *
 * Each is one transaction (or one conditional write) so that nothing is ever half-written: stock
 * is decremented only where enough remains, and only together with the order, its lines and the
 * customer's totals. Cancellation reasons are read per item and turned into errors that say
 * which SKU is short and how many remain, or why an order cannot change.
 */
import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { TransactGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Customer, Order, OrderLine, OrderStatus } from '../model/entities';
import {
  AWAITING_SHIPMENT,
  customerKey,
  entityOf,
  orderItem,
  orderKey,
  orderLineItem,
  productKey,
  statusShardKey,
  statusShardOf,
} from '../model/keys';
import { Attr } from '../model/table-design';
import { ConflictError, IdempotencyKeyReusedError, NotFoundError, ValidationError } from '../shared/errors';
import { idFrom } from '../shared/ids';
import { getProducts } from './catalog';
import { documents, statusShards, tableName } from './client';
import { rethrowOverload } from './errors';
import { tableReads } from './eventual-reads';
import { getOrderWithLines, type OrderWithLines } from './orders';
import { MAX_TRANSACTION_ITEMS, type TransactItem, TransactionCancelled, transactWrite } from './transactions';

/**
 * The most lines one order may have: each line takes two transaction items (its product's stock
 * and the line itself), and the order header and the customer's totals take two more.
 */
export const MAX_ORDER_LINES = (MAX_TRANSACTION_ITEMS - 2) / 2;

export interface OrderRequestLine {
  readonly sku: string;
  readonly quantity: number;
}

/** Decode a cancellation reason's item (DynamoDB JSON, as ReturnValuesOnConditionCheckFailure gives it). */
function oldNumber(reason: CancellationReason | undefined, attribute: string): number | undefined {
  const value = reason?.Item?.[attribute]?.N;
  return value === undefined ? undefined : Number(value);
}

const nowIso = () => new Date().toISOString();

/** DynamoDB's answer to a transaction retried with its token but other parameters. */
const isParameterMismatch = (error: unknown) =>
  error instanceof Error && error.name === 'IdempotentParameterMismatchException';

/** The id of the order a request places: the same for every attempt of that request. */
export const orderIdFor = (customerId: string, requestToken: string): string =>
  idFrom('order', customerId, requestToken);

/** Whether an order's lines are the ones requested (in any order). */
const sameLines = (stored: readonly OrderLine[], requested: readonly OrderRequestLine[]) => {
  const key = (l: { sku: string; quantity: number }) => `${l.sku}×${l.quantity}`;
  return stored.map(key).sort().join() === requested.map(key).sort().join();
};

/**
 * Place an order: per line, decrement stock if enough remains and the price is still the one
 * quoted; put the order header and lines; add to the customer's order count and lifetime value.
 *
 * The order's id is derived from the request token, so every attempt of one request names the
 * same order: when an attempt committed and then died before its answer was stored, the retry's
 * transaction fails (DynamoDB's token mismatch within ten minutes, the header's condition after),
 * and the order placed is read back and returned as it stands now.
 *
 * @throws ValidationError for more than MAX_ORDER_LINES lines or a SKU listed twice
 * @throws NotFoundError for an unknown customer or product
 * @throws ConflictError naming the SKU when stock is short (with what remains) or a price changed
 * @throws IdempotencyKeyReusedError when the token's order exists with other lines
 */
export async function placeOrder(
  customerId: string,
  lines: readonly OrderRequestLine[],
  requestToken: string,
): Promise<OrderWithLines> {
  if (lines.length > MAX_ORDER_LINES) {
    throw new ValidationError([
      {
        field: 'body.lines',
        rule: `must have at most ${MAX_ORDER_LINES} lines (a transaction holds ${MAX_TRANSACTION_ITEMS} items, two per line and two for the order)`,
      },
    ]);
  }
  const skus = lines.map((l) => l.sku);
  const duplicate = skus.find((sku, i) => skus.indexOf(sku) !== i);
  if (duplicate !== undefined) {
    throw new ValidationError([{ field: 'body.lines', rule: `must list each SKU once; ${duplicate} appears twice` }]);
  }

  // From the table, never a cache: the transaction below checks each price against the table, so
  // a cached price would only turn into a PriceChanged conflict for the shopper.
  const { products, missing } = await getProducts(skus, tableReads);
  if (missing[0] !== undefined) throw new NotFoundError('Product', missing[0]);
  const priceOf = new Map(products.map((p) => [p.sku, p.priceCents]));

  const orderId = orderIdFor(customerId, requestToken);
  const placedAt = nowIso();
  const orderLines: OrderLine[] = lines.map((l) => ({
    orderId,
    customerId,
    sku: l.sku,
    quantity: l.quantity,
    unitPriceCents: priceOf.get(l.sku) ?? 0,
  }));
  const order: Order = {
    orderId,
    customerId,
    status: 'PLACED',
    placedAt,
    statusSince: placedAt,
    orderTotalCents: orderLines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
    lineCount: orderLines.length,
    version: 1,
  };

  const stockUpdates: TransactItem[] = orderLines.map((line) => ({
    Update: {
      TableName: tableName,
      Key: productKey(line.sku),
      UpdateExpression: 'SET #stock = #stock - :qty',
      ConditionExpression: 'attribute_exists(#pk) AND #stock >= :qty AND #price = :price',
      ExpressionAttributeNames: { '#pk': Attr.pk, '#stock': 'stock', '#price': 'priceCents' },
      ExpressionAttributeValues: { ':qty': line.quantity, ':price': line.unitPriceCents },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  }));
  const absent = { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': Attr.pk } };
  const items: TransactItem[] = [
    ...stockUpdates,
    ...orderLines.map(
      (line): TransactItem => ({ Put: { TableName: tableName, Item: orderLineItem(line), ...absent } }),
    ),
    { Put: { TableName: tableName, Item: orderItem(order, statusShards), ...absent } },
    {
      Update: {
        TableName: tableName,
        Key: customerKey(customerId),
        UpdateExpression: 'ADD #count :one, #value :total',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': Attr.pk, '#count': 'orderCount', '#value': 'lifetimeValueCents' },
        ExpressionAttributeValues: { ':one': 1, ':total': order.orderTotalCents },
      },
    },
  ];

  try {
    await transactWrite(items, requestToken);
  } catch (error) {
    const headerExists = error instanceof TransactionCancelled && error.failedConditions().includes(items.length - 2);
    if (headerExists || isParameterMismatch(error)) {
      const placed = await getOrderWithLines(customerId, orderId, { consistentRead: true });
      if (placed !== undefined && sameLines(placed.lines, lines)) return placed;
      if (placed !== undefined) throw new IdempotencyKeyReusedError({ cause: error });
    }
    if (!(error instanceof TransactionCancelled)) throw error;
    const failed = error.failedConditions();
    if (failed.includes(items.length - 1)) throw new NotFoundError('Customer', customerId, { cause: error });
    for (const index of failed.filter((i) => i < orderLines.length)) {
      const line = orderLines[index] as OrderLine;
      const reason = error.reasons[index];
      if (reason?.Item === undefined) throw new NotFoundError('Product', line.sku, { cause: error });
      const available = oldNumber(reason, 'stock') ?? 0;
      if (available < line.quantity) {
        throw new ConflictError(
          `Not enough stock of ${line.sku}: ${line.quantity} requested, ${available} available`,
          { reason: 'OutOfStock', sku: line.sku, requested: line.quantity, available },
          { cause: error },
        );
      }
      throw new ConflictError(
        `The price of ${line.sku} changed while the order was placed; review the cart and order again`,
        { reason: 'PriceChanged', sku: line.sku, priceCents: oldNumber(reason, 'priceCents') },
        { cause: error },
      );
    }
    throw error;
  }
  return { order, lines: orderLines };
}

/** Statuses an order can still be cancelled from. */
const CANCELLABLE: readonly OrderStatus[] = ['PLACED', 'PAID'];

/**
 * Cancel an order and restock each line, in one transaction that applies only if the order is
 * still in the status and version that were read. Cancelling a cancelled order changes nothing.
 *
 * @throws NotFoundError for an unknown order
 * @throws ConflictError when the order is past cancelling, or changed meanwhile
 */
export async function cancelOrder(customerId: string, orderId: string, requestToken: string): Promise<Order> {
  const current = await getOrderWithLines(customerId, orderId, { consistentRead: true });
  if (current === undefined) throw new NotFoundError('Order', orderId);
  const { order, lines } = current;
  if (order.status === 'CANCELLED') return order;
  if (!CANCELLABLE.includes(order.status)) {
    throw new ConflictError(`The order is ${order.status} and can no longer be cancelled`, {
      reason: 'NotCancellable',
      status: order.status,
      currentVersion: order.version,
    });
  }
  const now = nowIso();
  const cancelled: Order = {
    ...order,
    status: 'CANCELLED',
    statusSince: now,
    cancelledAt: now,
    version: order.version + 1,
  };
  const items: TransactItem[] = [
    {
      Update: {
        TableName: tableName,
        Key: orderKey(customerId, orderId),
        UpdateExpression:
          'SET #status = :cancelled, #shard = :shard, #since = :now, #cancelledAt = :now, #version = :next REMOVE #queue',
        ConditionExpression: '#status = :status AND #version = :version',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#shard': Attr.statusShard,
          '#since': Attr.statusSince,
          '#cancelledAt': 'cancelledAt',
          '#version': 'version',
          '#queue': Attr.shipQueue,
        },
        ExpressionAttributeValues: {
          ':cancelled': 'CANCELLED',
          ':shard': statusShardKey('CANCELLED', statusShardOf(orderId, statusShards)),
          ':now': now,
          ':next': cancelled.version,
          ':status': order.status,
          ':version': order.version,
        },
      },
    },
    ...lines.map(
      (line): TransactItem => ({
        Update: {
          TableName: tableName,
          Key: productKey(line.sku),
          UpdateExpression: 'ADD #stock :qty',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': Attr.pk, '#stock': 'stock' },
          ExpressionAttributeValues: { ':qty': line.quantity },
        },
      }),
    ),
    {
      Update: {
        TableName: tableName,
        Key: customerKey(customerId),
        UpdateExpression: 'ADD #value :minus',
        ExpressionAttributeNames: { '#value': 'lifetimeValueCents' },
        ExpressionAttributeValues: { ':minus': -order.orderTotalCents },
      },
    },
  ];
  try {
    await transactWrite(items, requestToken);
  } catch (error) {
    if (error instanceof TransactionCancelled && error.failedConditions().includes(0)) {
      throw new ConflictError(
        'The order changed while it was being cancelled; read it and try again',
        {
          reason: 'ConcurrentChange',
        },
        { cause: error },
      );
    }
    throw error;
  }
  return cancelled;
}

/** The status each status follows, for the forward moves an order can make. */
const PREDECESSOR: Partial<Record<OrderStatus, OrderStatus>> = {
  PAID: 'PLACED',
  SHIPPED: 'PAID',
  DELIVERED: 'SHIPPED',
};

/** Forward statuses an order can be moved to. */
export const FORWARD_STATUSES = ['PAID', 'SHIPPED', 'DELIVERED'] as const;
export type ForwardStatus = (typeof FORWARD_STATUSES)[number];

/**
 * Move an order forward (PLACED → PAID → SHIPPED → DELIVERED) if it is still at the version the
 * caller read: optimistic locking, so two writers that read the same version cannot both win.
 * Entering PAID puts the order in the sparse shipping queue; leaving it takes it out.
 *
 * @throws NotFoundError for an unknown order
 * @throws ConflictError with the current version and status on a stale version or a wrong move
 */
export async function changeOrderStatus(
  customerId: string,
  orderId: string,
  change: { readonly status: ForwardStatus; readonly expectedVersion: number },
): Promise<Order> {
  const now = nowIso();
  const extra: Record<ForwardStatus, { set: string; remove: string }> = {
    PAID: { set: ', #paidAt = :now, #queue = :queue', remove: '' },
    SHIPPED: { set: ', #shippedAt = :now', remove: ' REMOVE #queue' },
    DELIVERED: { set: ', #deliveredAt = :now', remove: '' },
  };
  const names: Record<string, string> = {
    '#pk': Attr.pk,
    '#status': 'status',
    '#shard': Attr.statusShard,
    '#since': Attr.statusSince,
    '#version': 'version',
  };
  const values: Record<string, unknown> = {
    ':to': change.status,
    ':from': PREDECESSOR[change.status],
    ':shard': statusShardKey(change.status, statusShardOf(orderId, statusShards)),
    ':now': now,
    ':version': change.expectedVersion,
    ':one': 1,
  };
  if (change.status === 'PAID') Object.assign(names, { '#paidAt': Attr.paidAt, '#queue': Attr.shipQueue });
  if (change.status === 'PAID') values[':queue'] = AWAITING_SHIPMENT;
  if (change.status === 'SHIPPED') Object.assign(names, { '#shippedAt': 'shippedAt', '#queue': Attr.shipQueue });
  if (change.status === 'DELIVERED') names['#deliveredAt'] = 'deliveredAt';

  try {
    const { Attributes } = await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: orderKey(customerId, orderId),
        UpdateExpression: `SET #status = :to, #shard = :shard, #since = :now, #version = #version + :one${extra[change.status].set}${extra[change.status].remove}`,
        ConditionExpression: 'attribute_exists(#pk) AND #version = :version AND #status = :from',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return entityOf<Order>(Attributes ?? {});
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) return rethrowOverload(error);
    const old = error.Item;
    if (old === undefined) throw new NotFoundError('Order', orderId, { cause: error });
    const currentVersion = Number(old.version?.N);
    const status = old.status?.S;
    if (currentVersion !== change.expectedVersion) {
      throw new ConflictError(
        `The order is at version ${currentVersion}, not ${change.expectedVersion}; read it and try again`,
        { reason: 'VersionConflict', currentVersion, status },
        { cause: error },
      );
    }
    throw new ConflictError(
      `An order that is ${status} cannot become ${change.status}`,
      { reason: 'InvalidTransition', currentVersion, status },
      { cause: error },
    );
  }
}

export interface CheckoutSummary {
  readonly order: Order;
  readonly customer: Pick<Customer, 'customerId' | 'name' | 'email' | 'orderCount' | 'lifetimeValueCents'>;
  /** Current stock of each SKU on the order, read in the same snapshot. */
  readonly stock: { readonly sku: string; readonly stock: number }[];
}

/**
 * The order, its customer and the current stock of each SKU on it, as one consistent snapshot
 * (TransactGetItems). Lines never change after placement, so learning the SKUs first is safe.
 */
export async function getCheckoutSummary(customerId: string, orderId: string): Promise<CheckoutSummary | undefined> {
  const placed = await getOrderWithLines(customerId, orderId);
  if (placed === undefined) return undefined;
  const keys = [orderKey(customerId, orderId), customerKey(customerId), ...placed.lines.map((l) => productKey(l.sku))];
  const { Responses } = await documents
    .send(new TransactGetCommand({ TransactItems: keys.map((Key) => ({ Get: { TableName: tableName, Key } })) }))
    .catch(rethrowOverload);
  const [order, customer, ...products] = (Responses ?? []).map((r) => r.Item);
  if (order === undefined || customer === undefined) return undefined;
  const { name, email, orderCount, lifetimeValueCents } = entityOf<Customer>(customer);
  return {
    order: entityOf<Order>(order),
    customer: { customerId, name, email, orderCount, lifetimeValueCents },
    stock: placed.lines.map((line, i) => ({ sku: line.sku, stock: Number(products[i]?.stock ?? 0) })),
  };
}
