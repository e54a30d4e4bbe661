/**
 * Cart routes (read-write on cart lines): view, add, change quantity, remove.
 */
import * as z from 'zod/mini';
import { addToCart, changeCartLineQuantity, getCart, MAX_LINE_QUANTITY, removeCartLine } from '../../data/cart';
import { fields, httpApi, noContent, ok, parseRequest } from '../../shared/http';

const quantity = z
  .number({ error: 'must be a number' })
  .check(
    z.refine(Number.isInteger, 'must be a whole number'),
    z.gte(1, 'must be at least 1'),
    z.lte(MAX_LINE_QUANTITY, `must be at most ${MAX_LINE_QUANTITY}`),
  );
const linePath = z.strictObject({ customerId: fields.id, sku: fields.sku });

export const handler = httpApi('Cart', {
  getCart: async (event) => {
    const { path } = parseRequest(event, { path: z.strictObject({ customerId: fields.id }) });
    return ok(await getCart(path.customerId));
  },

  addToCart: async (event) => {
    const { path, body } = parseRequest(event, {
      path: z.strictObject({ customerId: fields.id }),
      body: z.strictObject({ sku: fields.sku, quantity }),
    });
    return ok(await addToCart(path.customerId, body.sku, body.quantity));
  },

  changeCartLineQuantity: async (event) => {
    const { path, body } = parseRequest(event, { path: linePath, body: z.strictObject({ quantity }) });
    return ok(await changeCartLineQuantity(path.customerId, path.sku, body.quantity));
  },

  removeCartLine: async (event) => {
    const { path } = parseRequest(event, { path: linePath });
    await removeCartLine(path.customerId, path.sku);
    return noContent();
  },
});
