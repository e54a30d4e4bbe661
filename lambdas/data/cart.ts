/**
 * The cart: lines in the customer's partition, each expiring by TTL a week after it last changed.
 *
 * TTL deletes expired items within a few days, not at once, so every read filters out lines past
 * their expiry and every write treats such a line as absent.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type CartLine, EntityType } from '../model/entities';
import { cartLineItem, cartLineKey, cartQuery, entityOf, productKey } from '../model/keys';
import { Attr } from '../model/table-design';
import { intEnv } from '../shared/env';
import { ConflictError, NotFoundError } from '../shared/errors';
import { documents, tableName } from './client';
import { rethrowOverload } from './errors';

/** Days a cart line lives after its last change. */
const cartTtlDays = intEnv('CART_TTL_DAYS', 7, { min: 1, max: 90 });

/** Most units of one SKU a cart line may hold. */
export const MAX_LINE_QUANTITY = 99;

export interface Cart {
  readonly customerId: string;
  readonly lines: CartLine[];
  readonly totalCents: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const expiry = () => nowSeconds() + cartTtlDays * 86_400;

/** Query the cart's prefix in the customer's partition, dropping lines past their expiry. */
export async function getCart(customerId: string): Promise<Cart> {
  const { partition, sortKey } = cartQuery(customerId);
  const prefix = 'beginsWith' in sortKey ? sortKey.beginsWith : '';
  const lines: CartLine[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const result = await documents
      .send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :cart)',
          FilterExpression: '#expires > :now',
          ExpressionAttributeNames: { '#pk': Attr.pk, '#sk': Attr.sk, '#expires': Attr.expiresAt },
          ExpressionAttributeValues: { ':pk': partition, ':cart': prefix, ':now': nowSeconds() },
          ExclusiveStartKey: start,
        }),
      )
      .catch(rethrowOverload);
    lines.push(...(result.Items ?? []).map((item) => entityOf<CartLine>(item)));
    start = result.LastEvaluatedKey;
  } while (start !== undefined);
  return { customerId, lines, totalCents: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0) };
}

const isConditionFailure = (error: unknown): error is ConditionalCheckFailedException =>
  error instanceof ConditionalCheckFailedException;

/**
 * Add units of a product: a new line at the product's current price, or more units on an existing
 * line. The line's expiry moves a week ahead either way.
 *
 * @throws NotFoundError when the product does not exist
 * @throws ConflictError when the line would exceed MAX_LINE_QUANTITY
 */
export async function addToCart(customerId: string, sku: string, quantity: number): Promise<CartLine> {
  const { Item: product } = await documents
    .send(new GetCommand({ TableName: tableName, Key: productKey(sku), ProjectionExpression: 'priceCents' }))
    .catch(rethrowOverload);
  if (product === undefined) throw new NotFoundError('Product', sku);
  const now = new Date().toISOString();
  try {
    const { Attributes } = await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: cartLineKey(customerId, sku),
        UpdateExpression:
          'ADD #qty :qty SET #price = :price, #expires = :expires, #added = if_not_exists(#added, :now), #type = :type, #customer = :customer, #sku = :sku',
        // A live line may grow up to the maximum; an expired one must be replaced, not revived.
        ConditionExpression: 'attribute_not_exists(#qty) OR (#expires > :nowSeconds AND #qty <= :room)',
        ExpressionAttributeNames: {
          '#qty': 'quantity',
          '#price': 'unitPriceCents',
          '#expires': Attr.expiresAt,
          '#added': 'addedAt',
          '#type': Attr.entityType,
          '#customer': 'customerId',
          '#sku': 'sku',
        },
        ExpressionAttributeValues: {
          ':qty': quantity,
          ':price': product.priceCents,
          ':expires': expiry(),
          ':now': now,
          ':nowSeconds': nowSeconds(),
          ':room': MAX_LINE_QUANTITY - quantity,
          ':type': EntityType.cartLine,
          ':customer': customerId,
          ':sku': sku,
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return entityOf<CartLine>(Attributes ?? {});
  } catch (error) {
    if (!isConditionFailure(error)) return rethrowOverload(error);
    const old = error.Item as { quantity?: { N?: string }; [Attr.expiresAt]?: { N?: string } } | undefined;
    const oldExpiry = Number(old?.[Attr.expiresAt]?.N ?? 0);
    if (oldExpiry > nowSeconds()) {
      throw new ConflictError(`A cart line holds at most ${MAX_LINE_QUANTITY} units`, {
        sku,
        quantityInCart: Number(old?.quantity?.N ?? 0),
        maxQuantity: MAX_LINE_QUANTITY,
      });
    }
    return replaceExpiredLine({
      customerId,
      sku,
      quantity,
      unitPriceCents: product.priceCents as number,
      addedAt: now,
    });
  }
}

/** Overwrite a line that expired but that TTL has not deleted yet, unless it was renewed meanwhile. */
async function replaceExpiredLine(line: Omit<CartLine, 'expiresAt'>): Promise<CartLine> {
  const fresh: CartLine = { ...line, expiresAt: expiry() };
  try {
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: cartLineItem(fresh),
        ConditionExpression: 'attribute_not_exists(#expires) OR #expires <= :nowSeconds',
        ExpressionAttributeNames: { '#expires': Attr.expiresAt },
        ExpressionAttributeValues: { ':nowSeconds': nowSeconds() },
      }),
    );
    return fresh;
  } catch (error) {
    if (isConditionFailure(error)) {
      throw new ConflictError('The cart line changed at the same time; read the cart and try again', { sku: line.sku });
    }
    return rethrowOverload(error);
  }
}

/**
 * Set a line's quantity and move its expiry a week ahead.
 *
 * @throws NotFoundError when the cart has no live line for the SKU
 */
export async function changeCartLineQuantity(customerId: string, sku: string, quantity: number): Promise<CartLine> {
  try {
    const { Attributes } = await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: cartLineKey(customerId, sku),
        UpdateExpression: 'SET #qty = :qty, #expires = :expires',
        ConditionExpression: '#expires > :nowSeconds',
        ExpressionAttributeNames: { '#qty': 'quantity', '#expires': Attr.expiresAt },
        ExpressionAttributeValues: { ':qty': quantity, ':expires': expiry(), ':nowSeconds': nowSeconds() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return entityOf<CartLine>(Attributes ?? {});
  } catch (error) {
    if (isConditionFailure(error)) throw new NotFoundError('Cart line', sku, { cause: error });
    return rethrowOverload(error);
  }
}

/**
 * Delete a line.
 *
 * @throws NotFoundError when the cart has no live line for the SKU
 */
export async function removeCartLine(customerId: string, sku: string): Promise<void> {
  try {
    await documents.send(
      new DeleteCommand({
        TableName: tableName,
        Key: cartLineKey(customerId, sku),
        ConditionExpression: '#expires > :nowSeconds',
        ExpressionAttributeNames: { '#expires': Attr.expiresAt },
        ExpressionAttributeValues: { ':nowSeconds': nowSeconds() },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) throw new NotFoundError('Cart line', sku, { cause: error });
    rethrowOverload(error);
  }
}
