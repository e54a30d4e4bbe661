/**
 * The local console (`/_console`, local/console/) driven in headless Chromium against the local app
 * on real engines: the table view shows a seeded data set's partitions, the sparse index holds only
 * the paid, unshipped orders, an access pattern runs through its route and consumes the documented
 * capacity, and an order placed through the API appears on the stream view with the consumers'
 * outcomes and its fulfilment run. Also: the console listens on 127.0.0.1 only, answers bad input
 * with 4xx JSON naming the field, and nothing of it is in the synthesized assembly.
 *
 * Two apps from one synthesized assembly: the first without moto_server, so that no fulfilment run
 * ships the seeded paid orders while the test counts them; the second with it, for the stream.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CONSOLE_PATH } from '../../local/console/server/mount';
import { type LocalApp, startLocalApp } from '../../local/runner/local-app';
import type { Dataset } from '../../local/seed/dataset';
import { launchChromium } from '../fixtures/browser';
import { callApi, putProduct, SYNTH_TIMEOUT_MS, seedApp, synthesizeAssembly } from '../fixtures/console-app';
import { documentedPattern } from '../fixtures/documented-capacity';

const WAIT_MS = 60_000;
const TEST_MS = 120_000;

let assemblyDir = '';
let browser: Browser;

beforeAll(async () => {
  assemblyDir = synthesizeAssembly();
  browser = await launchChromium();
}, SYNTH_TIMEOUT_MS);
afterAll(() => browser?.close());

/** Every file under a folder. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** A GET with the Host header a browser would send for another name (fetch does not let one set it). */
const getWithHost = (url: string, host: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = httpGet(url, { headers: { host } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });

/** Whether a TCP connection to host:port is accepted. */
const accepts = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(5_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

describe('on a seeded data set', () => {
  let app: LocalApp;
  let dataset: Dataset;
  let page: Page;

  beforeAll(async () => {
    app = await startLocalApp({ assemblyDir, port: 0, useMoto: false, pollIntervalMs: 100 });
    dataset = await seedApp(app, { products: 60, customers: 40, orders: 160, randomSeed: 7 });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, TEST_MS);
  afterAll(async () => {
    await page?.close();
    await app?.stop();
  });

  test(
    "the table view shows the seeded partitions: a customer's profile and orders together, sort keys in order",
    async () => {
      const customer = dataset.orders[0]?.customerId as string;
      const ordersOfCustomer = dataset.orders.filter((o) => o.customerId === customer).length;
      await page.goto(`${app.consoleUrl}/#table`);
      const loaded = page.locator('[data-testid=partitions][data-source=table][data-loaded]');
      await loaded.waitFor({ timeout: WAIT_MS });
      expect(await loaded.locator('[data-testid=partition]').count()).toBeGreaterThan(5);

      await page.fill('[data-testid=prefix]', `CUSTOMER#${customer}`);
      await page.press('[data-testid=prefix]', 'Enter');
      const partition = loaded.locator(`[data-testid=partition][data-pk="CUSTOMER#${customer}"]`);
      await partition.waitFor({ timeout: WAIT_MS });
      const entities = await partition
        .locator('[data-testid=item]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-entity')));
      expect(entities.filter((e) => e === 'Customer')).toHaveLength(1);
      expect(entities.filter((e) => e === 'Order')).toHaveLength(ordersOfCustomer);
      const sortKeys = await partition.locator('[data-testid=item] td:first-child').allTextContents();
      expect(sortKeys).toEqual([...sortKeys].sort());
      await expect(page.locator('[data-testid=page-request]').textContent()).resolves.toContain(
        `filter begins_with(PK, "CUSTOMER#${customer}")`,
      );
    },
    TEST_MS,
  );

  test(
    'the AwaitingShipment view holds exactly the paid, unshipped orders, a small share of the table',
    async () => {
      const paid = dataset.orders.filter((o) => o.status === 'PAID');
      expect(paid.length).toBeGreaterThan(0);
      await page.goto(`${app.consoleUrl}/#indexes/AwaitingShipment`);
      const loaded = page.locator('[data-testid=partitions][data-source=AwaitingShipment][data-loaded]');
      await loaded.waitFor({ timeout: WAIT_MS });
      const countText = (await page.locator('[data-testid=index-count]').textContent()) ?? '';
      const [held, total] = (countText.match(/[\d,]+/g) ?? []).map((n) => Number(n.replace(/,/g, '')));
      expect(held).toBe(paid.length);
      expect(total).toBeGreaterThan(10 * paid.length);

      const rows = loaded.locator('[data-testid=item]');
      const shown = await rows.evaluateAll((items) =>
        items.map((r) => ({
          entity: r.getAttribute('data-entity'),
          item: JSON.parse(r.querySelector('pre')?.textContent ?? '{}'),
        })),
      );
      expect(shown.map((s) => s.entity)).toEqual(paid.map(() => 'Order'));
      expect(shown.map((s) => s.item.orderId).sort()).toEqual(paid.map((o) => o.orderId).sort());
      // Only the projected attributes: the keys of the table and the index, and the INCLUDE list.
      expect(Object.keys(shown[0]?.item ?? {}).sort()).toEqual(
        ['PK', 'SK', 'customerId', 'orderId', 'orderTotalCents', 'paidAt', 'shipQueue'].sort(),
      );
    },
    TEST_MS,
  );

  test.each([1, 10])(
    'running pattern #%i shows its items and consumes the documented capacity',
    async (number) => {
      const documented = documentedPattern(number).capacity;
      const customer = dataset.customers[0]?.customerId as string;
      await page.goto(`${app.consoleUrl}/#patterns/${number}`);
      const detail = page.locator(`[data-testid=pattern-detail][data-number="${number}"]`);
      await detail.locator('[data-testid=run]').waitFor({ timeout: WAIT_MS });
      if (number === 1) await detail.locator('[data-testid=field-customerId]').fill(customer);
      await detail.locator('[data-testid=run]').click();
      const consumed = page.locator('[data-testid=consumed]');
      await consumed.waitFor({ timeout: WAIT_MS });
      const expected = `${documented.read ?? 0} RCU, ${documented.write ?? 0} WCU`;
      await expect(consumed.textContent()).resolves.toBe(expected);
      await expect(page.locator('[data-testid=documented]').textContent()).resolves.toBe(expected);
      const request = page.locator('[data-testid=dynamodb-request]').first();
      await expect(request.getAttribute('data-operation')).resolves.toBe(
        documentedPattern(number).requests[0]?.operation,
      );
      const returned = await page.locator('[data-testid=returned-item]').allTextContents();
      if (number === 1) expect(returned.map((t) => JSON.parse(t).customerId)).toEqual([customer]);
      else expect(returned).toHaveLength(Math.min(10, dataset.orders.filter((o) => o.status === 'PAID').length));
    },
    TEST_MS,
  );

  test('the console listens where the API listens, on 127.0.0.1 only, and refuses other host names', async () => {
    const { hostname, port } = new URL(app.consoleUrl);
    expect(hostname).toBe('127.0.0.1');
    await expect(accepts('127.0.0.1', Number(port))).resolves.toBe(true);
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
      .map((a) => a?.address as string);
    for (const address of external) await expect(accepts(address, Number(port))).resolves.toBe(false);
    // A page elsewhere that rebinds its own name to 127.0.0.1 is refused by its Host header.
    const rebound = await getWithHost(`${app.consoleUrl}/api/table`, `console.example.com:${port}`);
    expect([rebound.status, JSON.parse(rebound.body)]).toEqual([403, expect.objectContaining({ field: 'host' })]);
  });

  test.each([
    ['/api/items?limit=0', 400, 'limit', 'must be a whole number from 1 to 500'],
    ['/api/items?index=Nope', 400, 'index', 'must be one of GSI1, OrdersByStatus, AwaitingShipment, OrdersByTotal'],
    ['/api/items?cursor=bm90LWpzb24', 400, 'cursor', 'must be a cursor this console returned (base64url of a key)'],
    [
      '/api/items?colour=red',
      400,
      'colour',
      'is not a parameter of this endpoint (allowed: index, prefix, cursor, limit)',
    ],
    ['/api/nothing', 404, 'path', 'is not an endpoint of the console API: /nothing'],
  ])('GET %s answers %i naming %s', async (path, status, field, rule) => {
    const response = await fetch(`${app.consoleUrl}${path}`);
    const body = await response.json();
    expect([response.status, body]).toEqual([
      status,
      { error: 'InvalidInput', field, rule, message: `${field} ${rule}` },
    ]);
  });

  test.each([
    ['/api/patterns/99/run', { path: {} }, 404, 'number'],
    ['/api/patterns/1/run', { path: {} }, 400, 'path.customerId'],
    ['/api/patterns/1/run', { path: { customerId: 'c' }, query: { colour: 'red' } }, 400, 'query.colour'],
    ['/api/patterns/19/run', { body: '{not json' }, 400, 'body'],
    ['/api/patterns/1/run', { path: { customerId: 'c' }, body: '{}' }, 400, 'body'],
  ])('POST %s with %j answers %i naming %s', async (path, payload, status, field) => {
    const response = await fetch(`${app.consoleUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const body = (await response.json()) as { field?: string; rule?: unknown };
    expect([response.status, body.field, typeof body.rule]).toEqual([status, field, 'string']);
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at /);
  });

  test('nothing of the console is in the synthesized assembly: no template or bundle holds its code', async () => {
    // What marks the console's code: its path, the page's title and a message of its script.
    const served = `${await (await fetch(`${app.consoleUrl}/`)).text()}${await (await fetch(`${app.consoleUrl}/app.js`)).text()}`;
    const markers = [CONSOLE_PATH, 'OrderStore local console', 'The console could not load'];
    expect([
      app.consoleUrl.endsWith(CONSOLE_PATH),
      served.includes(markers[1] as string),
      served.includes(markers[2] as string),
    ]).toEqual([true, true, true]);
    const files = filesUnder(assemblyDir);
    expect(files.some((f) => f.endsWith('.template.json'))).toBe(true);
    expect(files.some((f) => /asset\.[0-9a-f]+\/index\.(m?js)$/.test(f))).toBe(true);
    const holding = files.filter((file) => {
      const text = readFileSync(file, 'latin1');
      return markers.some((m) => text.includes(m));
    });
    expect(holding).toEqual([]);
  });
});

describe('with the event bus and fulfilment (moto_server)', () => {
  let app: LocalApp;
  let page: Page;

  beforeAll(async () => {
    app = await startLocalApp({ assemblyDir, port: 0, pollIntervalMs: 100 });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, TEST_MS);
  afterAll(async () => {
    await page?.close();
    await app?.stop();
  });

  test(
    "an order placed through the API appears on the stream view with each consumer's outcome and its fulfilment run",
    async () => {
      await putProduct(app, 'CONSOLE-1', 50);
      const customer = await callApi(
        app,
        { shopper: 'tail-shopper' },
        'POST',
        '/customers',
        { email: 'tail@example.com', name: 'Tail' },
        'tail-register-1',
      );
      expect(customer.status).toBe(201);
      await page.goto(`${app.consoleUrl}/#stream`);
      await page.locator('[data-testid=stream-status]').waitFor({ timeout: WAIT_MS });

      const order = await callApi(
        app,
        { shopper: customer.body.customerId },
        'POST',
        `/customers/${customer.body.customerId}/orders`,
        { lines: [{ sku: 'CONSOLE-1', quantity: 2 }] },
        'tail-order-1',
      );
      expect(order.status).toBe(201);
      const header = `[data-testid=stream-record][data-keys="CUSTOMER#${customer.body.customerId} / ORDER#${order.body.order.orderId}"]`;
      const consumer = (name: string, state: string) =>
        page.locator(`${header} [data-testid=consumer][data-consumer=${name}][data-state="${state}"]`).first();
      await consumer('OrderEvents', 'applied').waitFor({ timeout: WAIT_MS });
      await consumer('SalesAggregator', 'applied').waitFor({ timeout: WAIT_MS });
      await consumer('ExpiredCartArchiver', 'filtered out').waitFor({ timeout: WAIT_MS });
      await page.locator(`${header} [data-testid=run][data-status=SUCCEEDED]`).first().waitFor({ timeout: WAIT_MS });
      await expect(page.locator(`${header} [data-testid=run]`).first().textContent()).resolves.toMatch(
        /^StartOnOrderPlaced #\d+: Pay → Ship → SUCCEEDED$/,
      );
      // The order's line and the product's stock change are records of the same transaction.
      await page
        .locator(`[data-testid=stream-record][data-keys="PRODUCT#CONSOLE-1 / PRODUCT"]`)
        .first()
        .waitFor({ timeout: WAIT_MS });
    },
    TEST_MS,
  );
});
