/**
 * Back-office routes (read-only): orders by status across shards, the shipping queue, and the
 * marketing export (the only Scan).
 */
import * as z from 'zod/mini';
import { exportMarketingOptIns } from '../../data/customers';
import { listOrdersAwaitingShipment, listOrdersByStatus } from '../../data/orders';
import { ORDER_STATUSES } from '../../model/entities';
import { fields, httpApi, ok, parseRequest } from '../../shared/http';

const pageQuery = z.strictObject({ limit: fields.limit, cursor: fields.cursor });

export const handler = httpApi({
  'GET /admin/orders': async (event) => {
    const { query } = parseRequest(event, {
      query: z
        .strictObject({
          status: z.enum(ORDER_STATUSES, { error: `must be one of ${ORDER_STATUSES.join(', ')}` }),
          from: fields.instant,
          to: fields.instant,
          limit: fields.limit,
          cursor: fields.cursor,
        })
        .check(z.refine((q) => q.from <= q.to, { error: 'must not be after to', path: ['from'] })),
    });
    const { status, from, to, limit, cursor } = query;
    return ok(await listOrdersByStatus({ status, from, to }, { limit, cursor }));
  },

  'GET /admin/orders/awaiting-shipment': async (event) => {
    const { query } = parseRequest(event, { query: pageQuery });
    return ok(await listOrdersAwaitingShipment(query));
  },

  'GET /admin/customers/marketing-export': async (event) => {
    const { query } = parseRequest(event, { query: pageQuery });
    return ok(await exportMarketingOptIns({ pageSize: query.limit, cursor: query.cursor }));
  },
});
