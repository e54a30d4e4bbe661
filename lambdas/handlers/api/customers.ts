/**
 * Customer routes (read-only): the profile, the order history, the largest orders, one order.
 */
import * as z from 'zod/mini';
import { getCustomer } from '../../data/customers';
import { getOrderWithLines, listCustomerOrders, listLargestOrders } from '../../data/orders';
import { NotFoundError } from '../../shared/errors';
import { fields, httpApi, ok, parseRequest } from '../../shared/http';

const customerPath = z.strictObject({ customerId: fields.id });
const pageQuery = z.strictObject({ limit: fields.limit, cursor: fields.cursor });

export const handler = httpApi('Customers', {
  getCustomer: async (event) => {
    const { path } = parseRequest(event, { path: customerPath });
    const customer = await getCustomer(path.customerId);
    if (customer === undefined) throw new NotFoundError('Customer', path.customerId);
    return ok(customer);
  },

  listCustomerOrders: async (event) => {
    const { path, query } = parseRequest(event, { path: customerPath, query: pageQuery });
    return ok(await listCustomerOrders(path.customerId, query));
  },

  listLargestOrders: async (event) => {
    const { path, query } = parseRequest(event, { path: customerPath, query: pageQuery });
    return ok(await listLargestOrders(path.customerId, query));
  },

  getOrderWithLines: async (event) => {
    const { path, query } = parseRequest(event, {
      path: z.strictObject({ customerId: fields.id, orderId: fields.id }),
      query: z.strictObject({ consistent: z._default(fields.boolean, false) }),
    });
    const order = await getOrderWithLines(path.customerId, path.orderId, { consistentRead: query.consistent });
    if (order === undefined) throw new NotFoundError('Order', path.orderId);
    return ok(order);
  },
});
