/**
 * `npm run analytics:local`'s path against a seeded app: the seed's data set written into a table
 * from the template in DynamoDB Local, the stream consumers run over it (the sales aggregator
 * builds the daily figures the API serves), the table exported in DynamoDB's export format,
 * curated by the Glue job's Python into Parquet, and reported on by DuckDB. The reports' totals,
 * computed from the orders and their lines, equal what the API's sales routes return, computed by
 * the stream consumer from the same orders: two independent paths to the same numbers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DailyProductSales, DailySales } from '../../lambdas/model/entities';
import { type CurationReport, curateToJson } from '../../local/analytics/curate';
import { exportTable, type LocalExport } from '../../local/analytics/export-table';
import { seedTable } from '../../local/seed';
import { type Dataset, generateDataset, seedItemsOf } from '../../local/seed/dataset';
import { type ApiHandler, invoke, walkPages } from '../fixtures/api-events';
import { prepareStreamsEnvironment, type StreamsEnvironment } from '../fixtures/streams';

const NOW = '2026-11-01T10:00:00.000Z';

let env: StreamsEnvironment;
let admin: ApiHandler;
let dataset: Dataset;
let exported: LocalExport;
let report: CurationReport;

beforeAll(async () => {
  env = await prepareStreamsEnvironment({ catchEvents: false });
  admin = (await import('../../lambdas/handlers/api/admin')).handler;
  dataset = generateDataset({ products: 40, customers: 20, orders: 120, randomSeed: 11, now: NOW });
  await seedTable(env.client, env.tableName, seedItemsOf(dataset, Number(process.env.STATUS_SHARDS)));
  await env.pump.drain({ timeoutMs: 90_000 });

  const out = mkdtempSync(join(tmpdir(), 'analytics-local-'));
  exported = await exportTable(env.client, env.tableName, join(out, 'export'));
  report = await curateToJson({ exportDir: join(out, 'export'), out, exportDate: '2026-11-01' });
}, 180_000);

afterAll(() => env?.destroy());

/** Every day the sales aggregator has figures for, with the API's answer for it. */
async function apiDays(): Promise<DailySales[]> {
  const days = [...new Set(dataset.orders.map((o) => o.placedAt.slice(0, 10)))].sort();
  return Promise.all(
    days.map(
      async (day) => (await invoke<DailySales>(admin, 'GET /admin/sales/{day}', { pathParameters: { day } })).body,
    ),
  );
}

describe('GIVEN a seeded app whose stream consumers have run', () => {
  test('WHEN its table is exported THEN every item is written as one line of the export format', () => {
    const orderLines = dataset.orderLines.length;
    expect(exported.files.every((f) => /^AWSDynamoDB\/[^/]+\/data\/[^/]+\.json\.gz$/.test(f))).toBe(true);
    // Products, customers with their email markers, orders with their lines, and what the consumers wrote.
    expect(exported.itemCount).toBe(report.tally.lines);
    expect(report.tally.rows).toMatchObject({ products: 40, customers: 20, orders: 120, order_lines: orderLines });
    expect(report.tally.skipped).toMatchObject({ EmailMarker: 20 });
    expect(report.tally.unknown).toEqual({});
    expect(report.tally.malformed).toBe(0);
  });

  test('WHEN the reports are printed THEN revenue by day equals GET /admin/sales/{day} for every day', async () => {
    // Act
    const fromApi = await apiDays();

    // Assess: a day whose orders were all cancelled has zero figures in the API and no row in the report
    const byDay = new Map(report.reports.revenue_by_day?.map((row) => [row.sales_day, row]));
    const fromReport = fromApi.map(({ day }) => ({
      day,
      orderCount: Number(byDay.get(day)?.order_count ?? 0),
      unitsSold: Number(byDay.get(day)?.units_sold ?? 0),
      revenueCents: Number(byDay.get(day)?.revenue_cents ?? 0),
    }));
    expect(fromApi.filter((d) => d.orderCount > 0).length).toBeGreaterThan(10);
    expect(fromReport).toEqual(fromApi);
    expect(byDay.size).toBe(fromApi.filter((d) => d.orderCount > 0).length);
  });

  test('WHEN the reports are printed THEN each top product’s units and revenue equal the sum of its days in GET /admin/sales/{day}/products', async () => {
    // Prepare: every product's figures, day by day, as the API serves them
    const days = (await apiDays()).map((d) => d.day);
    const totals = new Map<string, { units: number; revenue: number }>();
    for (const day of days) {
      const items: DailyProductSales[] = [];
      await walkPages<DailyProductSales>(
        admin,
        'GET /admin/sales/{day}/products',
        { pathParameters: { day }, queryStringParameters: { limit: '100' } },
        (p) => {
          items.push(p);
          return p.sku;
        },
      );
      for (const item of items) {
        const total = totals.get(item.sku) ?? { units: 0, revenue: 0 };
        totals.set(item.sku, { units: total.units + item.unitsSold, revenue: total.revenue + item.revenueCents });
      }
    }

    // Act
    const top = report.reports.top_products ?? [];

    // Assess
    expect(top.length).toBe(20);
    for (const row of top) {
      expect({ sku: row.sku, units: row.units_sold, revenue: row.revenue_cents }).toEqual({
        sku: row.sku,
        ...totals.get(String(row.sku)),
      });
    }
    const apiRevenue = [...totals.values()].map((t) => t.revenue).sort((a, b) => b - a);
    expect(top.map((row) => row.revenue_cents)).toEqual(apiRevenue.slice(0, 20));
  });

  test('WHEN the funnel is printed THEN it counts the data set’s orders by the steps they reached', () => {
    const reached = (field: 'paidAt' | 'shippedAt' | 'deliveredAt' | 'cancelledAt') =>
      dataset.orders.filter((o) => o[field] !== undefined).length;
    expect(report.reports.order_status_funnel).toEqual([
      {
        placed: dataset.orders.length,
        paid: reached('paidAt'),
        shipped: reached('shippedAt'),
        delivered: reached('deliveredAt'),
        cancelled: reached('cancelledAt'),
        now_placed: dataset.orders.filter((o) => o.status === 'PLACED').length,
        now_paid: dataset.orders.filter((o) => o.status === 'PAID').length,
        now_shipped: dataset.orders.filter((o) => o.status === 'SHIPPED').length,
      },
    ]);
  });
});
