/**
 * Back-office routes (read-only): orders by status across shards, the shipping queue, the
 * marketing export (the only Scan), and the sales figures the stream aggregator keeps.
 */
import * as z from 'zod/mini';
import { exportMarketingOptIns } from '../../data/customers';
import { listOrdersAwaitingShipment, listOrdersByStatus } from '../../data/orders';
import { getDailySales, listDailyProductSales, listProductSales } from '../../data/sales';
import { ORDER_STATUSES } from '../../model/entities';
import { fields, httpApi, ok, parseRequest } from '../../shared/http';

const pageQuery = z.strictObject({ limit: fields.limit, cursor: fields.cursor });

export const handler = httpApi('Admin', {
  listOrdersByStatus: async (event) => {
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

  listOrdersAwaitingShipment: async (event) => {
    const { query } = parseRequest(event, { query: pageQuery });
    return ok(await listOrdersAwaitingShipment(query));
  },

  exportMarketingOptIns: async (event) => {
    const { query } = parseRequest(event, { query: pageQuery });
    return ok(await exportMarketingOptIns({ pageSize: query.limit, cursor: query.cursor }));
  },

  getDailySales: async (event) => {
    const { path } = parseRequest(event, { path: z.strictObject({ day: fields.day }) });
    // A day without orders has figures too: all zero.
    return ok((await getDailySales(path.day)) ?? { day: path.day, orderCount: 0, unitsSold: 0, revenueCents: 0 });
  },

  listDailyProductSales: async (event) => {
    const { path, query } = parseRequest(event, { path: z.strictObject({ day: fields.day }), query: pageQuery });
    return ok(await listDailyProductSales(path.day, query));
  },

  listProductSales: async (event) => {
    const { path, query } = parseRequest(event, {
      path: z.strictObject({ sku: fields.sku }),
      query: z
        .strictObject({ from: fields.day, to: fields.day, limit: fields.limit, cursor: fields.cursor })
        .check(z.refine((q) => q.from <= q.to, { error: 'must not be after to', path: ['from'] })),
    });
    const { from, to, ...page } = query;
    return ok(await listProductSales(path.sku, { fromDay: from, toDay: to }, page));
  },
});
