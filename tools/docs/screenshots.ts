/**
 * `npm run docs:screenshots`: a screenshot of each view of the local console for docs/console.md,
 * written to docs/images/console-*.png. It synthesizes the app, starts it on its own engines (as
 * `npm start -- --in-memory` would, on a free port, beside any running app), seeds a small data set,
 * places an order through the API, and photographs each view in headless Chromium once it has
 * drawn what the picture is for.
 */
import { join } from 'node:path';
import { startLocalApp } from '../../local/runner/local-app';
import { launchChromium } from '../../test/fixtures/browser';
import { callApi, putProduct, seedApp, synthesizeAssembly } from '../../test/fixtures/console-app';

const IMAGES = join(__dirname, '..', '..', 'docs', 'images');
const WAIT_MS = 300_000;

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.log('Synthesizing the app ...');
  const app = await startLocalApp({ assemblyDir: synthesizeAssembly(), port: 0, pollIntervalMs: 100 });
  const browser = await launchChromium();
  try {
    const dataset = await seedApp(app, { products: 80, customers: 40, orders: 100, randomSeed: 3 });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const shoot = async (name: string) => {
      await page.screenshot({ path: join(IMAGES, `console-${name}.png`) });
      console.log(`wrote docs/images/console-${name}.png`);
    };

    const customer = dataset.orders[dataset.orders.length - 1]?.customerId ?? '';
    await page.goto(`${app.consoleUrl}/#table`);
    await page.fill('[data-testid=prefix]', 'CUSTOMER#');
    await page.press('[data-testid=prefix]', 'Enter');
    await page
      .locator('[data-testid=partitions][data-source=table][data-loaded] [data-testid=partition]')
      .first()
      .waitFor({ timeout: WAIT_MS });
    await shoot('table');

    await page.goto(`${app.consoleUrl}/#indexes/AwaitingShipment`);
    await page
      .locator('[data-testid=partitions][data-source=AwaitingShipment][data-loaded]')
      .waitFor({ timeout: WAIT_MS });
    await shoot('indexes');

    await page.goto(`${app.consoleUrl}/#patterns/7`);
    const detail = page.locator('[data-testid=pattern-detail][data-number="7"]');
    const order = dataset.orders.find((o) => o.lineCount === 2 && o.customerId === customer) ?? dataset.orders[0];
    await detail.locator('[data-testid=field-customerId]').fill(order?.customerId ?? customer);
    await detail.locator('[data-testid=field-orderId]').fill(order?.orderId ?? '');
    await detail.locator('[data-testid=run]').click();
    await detail.locator('[data-testid=consumed]').waitFor({ timeout: WAIT_MS });
    await detail.locator('[data-testid=capacity]').scrollIntoViewIfNeeded();
    await shoot('patterns');

    await putProduct(app, 'CONSOLE-1', 50);
    const registered = await callApi(
      app,
      { shopper: 'shot-shopper' },
      'POST',
      '/customers',
      { email: 'shot@example.com', name: 'Shot' },
      'shot-register-1',
    );
    await page.goto(`${app.consoleUrl}/#stream`);
    const placed = await callApi(
      app,
      { shopper: registered.body.customerId },
      'POST',
      `/customers/${registered.body.customerId}/orders`,
      { lines: [{ sku: 'CONSOLE-1', quantity: 1 }] },
      'shot-order-1',
    );
    // The order's INSERT record carries the run it started (its later changes share its keys).
    const run = page
      .locator(
        `[data-testid=stream-record][data-keys="CUSTOMER#${registered.body.customerId} / ORDER#${placed.body.order.orderId}"] [data-testid=run][data-status=SUCCEEDED]`,
      )
      .first();
    await run.waitFor({ timeout: WAIT_MS });
    await run.scrollIntoViewIfNeeded();
    await shoot('stream');
  } finally {
    await browser.close();
    await app.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
