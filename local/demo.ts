/**
 * `npm run demo`: a scripted scenario against the running local app (`npm start`), printing a
 * transcript, and exiting non-zero as soon as a step does not behave as the application promises.
 *
 * It registers a shopper (a token from the runner's local issuer; the profile's id is its subject),
 * browses a category without signing in, fills a cart, is refused another shopper's cart, places an
 * order, is refused an order the stock cannot cover, cancels an order, follows an order through
 * fulfilment to delivery, and reads the day's sales as the stream consumer computed them. Its products are its own: it adds
 * them to the table (products have no API route; the back office loads them, as `npm run seed` does).
 */
import { randomBytes } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { productItem } from '../lambdas/model/keys';
import { authHeaders, type LocalCaller } from './runner/request-auth';
import { dynamoDbClientOf, NotRunningError, type RunState, readRunState } from './runner/run-state';

const ANYONE: LocalCaller = 'anyone';
const BACK_OFFICE: LocalCaller = 'back office';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

class StepFailed extends Error {}

interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a transcript reads whatever JSON the API returns.
  readonly body: any;
}

const tty = process.stdout.isTTY;
const paint = (code: number, text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);

class Demo {
  private step = 0;
  private keys = 0;

  constructor(
    private readonly state: RunState,
    private readonly run: string,
  ) {}

  /**
   * Call the API as `caller` and print the exchange (a poll passes `quiet`, and only its last answer
   * is printed).
   */
  async call(
    caller: LocalCaller,
    method: string,
    path: string,
    body?: unknown,
    options: { idempotencyKey?: string; quiet?: boolean } = {},
  ): Promise<Answer> {
    const mutating = method !== 'GET';
    const key = options.idempotencyKey ?? (mutating ? `demo-${this.run}-${++this.keys}` : undefined);
    const response = await fetch(`${this.state.apiUrl}${path}`, {
      method,
      headers: {
        ...(await authHeaders(this.state.auth, caller)),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed = text === '' ? {} : JSON.parse(text);
    const who = typeof caller === 'string' ? caller : `shopper ${caller.shopper}`;
    const exchange = [
      `    ${paint(90, `${method} ${path}${body === undefined ? '' : ` ${JSON.stringify(body)}`} (as ${who})`)}`,
      `    ${paint(90, `→ ${response.status} ${summarize(parsed)}`)}`,
    ];
    if (options.quiet) this.lastQuiet = exchange;
    else console.log(exchange.join('\n'));
    return { status: response.status, body: parsed };
  }

  private lastQuiet: string[] = [];

  /** Print the last exchange of a poll. */
  printLastPoll(): void {
    if (this.lastQuiet.length > 0) console.log(this.lastQuiet.join('\n'));
    this.lastQuiet = [];
  }

  async check(title: string, action: () => Promise<void>): Promise<void> {
    this.step += 1;
    console.log(`\n${paint(1, `${this.step}. ${title}`)}`);
    await action();
    console.log(`   ${paint(32, '✔')} ${title}`);
  }
}

const summarize = (body: unknown): string => {
  const text = JSON.stringify(body);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
};

function expect(condition: boolean, what: string): void {
  if (!condition) throw new StepFailed(what);
}

/**
 * Poll until `probe` gives a value. What the stream consumers do happens after the stream has
 * delivered every earlier record in order, so right after `npm run seed` (thousands of orders,
 * about a minute and a half of catching up) this can take a while; the wait says so.
 */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> {
  const started = Date.now();
  let lastNote = started;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const waited = Date.now() - started;
    if (waited > timeoutMs) throw new StepFailed(`${what} did not happen within ${timeoutMs / 1000} s`);
    if (Date.now() - lastNote >= 10_000) {
      lastNote = Date.now();
      console.log(
        `    ${paint(33, `still waiting for ${what} (${Math.round(waited / 1000)} s): the stream's consumers are working through earlier records`)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function main(): Promise<void> {
  const state = readRunState();
  const run = randomBytes(3).toString('hex').toUpperCase();
  const demo = new Demo(state, run);
  const category = `demo-${run.toLowerCase()}`;
  const pen = { sku: `DEMO-${run}-PEN`, name: 'Fountain pen', priceCents: 2_450, stock: 5 };
  const ink = { sku: `DEMO-${run}-INK`, name: 'Ink bottle, 50 ml', priceCents: 890, stock: 20 };
  const today = new Date().toISOString().slice(0, 10);
  console.log(`OrderStore demo against ${state.apiUrl} (run ${run})`);

  const dynamodb = dynamoDbClientOf(state);
  for (const p of [pen, ink]) {
    await dynamodb.send(
      new PutItemCommand({
        TableName: state.tables.app,
        Item: marshall(productItem({ ...p, category, description: `Demo product for run ${run}` })),
      }),
    );
  }
  dynamodb.destroy();
  console.log(
    `Added two products to category ${category}: ${pen.sku} (stock ${pen.stock}), ${ink.sku} (stock ${ink.stock})`,
  );

  const salesBefore = (await demo.call(BACK_OFFICE, 'GET', `/admin/sales/${today}`)).body;

  // The shopper's customer id is the subject of their token: locally, any id the issuer is asked for.
  const customerId = `demo-${run.toLowerCase()}`;
  const shopper: LocalCaller = { shopper: customerId };
  const impostor: LocalCaller = { shopper: `${customerId}-impostor` };
  const email = `demo-${run.toLowerCase()}@example.com`;
  await demo.check('Register a customer; a retry with the same Idempotency-Key returns the same answer', async () => {
    const registration = { email, name: 'Demo Shopper', marketingOptIn: true };
    const first = await demo.call(shopper, 'POST', '/customers', registration, {
      idempotencyKey: `demo-${run}-register`,
    });
    expect(first.status === 201, `registration answered ${first.status}`);
    expect(first.body.customerId === customerId, "the profile is not under the token's subject");
    const retry = await demo.call(shopper, 'POST', '/customers', registration, {
      idempotencyKey: `demo-${run}-register`,
    });
    expect(retry.status === 201 && retry.body.customerId === customerId, 'the retry created another customer');
  });

  await demo.check('Another shopper registering the same email (other letter case) is refused', async () => {
    const again = await demo.call(impostor, 'POST', '/customers', { email: email.toUpperCase(), name: 'Impostor' });
    expect(again.status === 409, `expected 409, got ${again.status}`);
  });

  await demo.check('Browse the category, cheapest first, and one product', async () => {
    const listing = await demo.call(ANYONE, 'GET', `/categories/${category}/products?maxPrice=100000`);
    expect(listing.status === 200, `listing answered ${listing.status}`);
    const skus = listing.body.items.map((p: { sku: string }) => p.sku);
    expect(JSON.stringify(skus) === JSON.stringify([ink.sku, pen.sku]), `expected ink then pen, got ${skus}`);
    const one = await demo.call(ANYONE, 'GET', `/products/${pen.sku}`);
    expect(one.status === 200 && one.body.priceCents === pen.priceCents, 'the product is not as added');
  });

  await demo.check('Fill the cart; a bad quantity is refused with the field and the rule', async () => {
    const bad = await demo.call(shopper, 'POST', `/customers/${customerId}/cart/lines`, { sku: pen.sku, quantity: 0 });
    expect(bad.status === 400 && bad.body.issues?.[0]?.field === 'body.quantity', 'expected 400 naming body.quantity');
    const added = await demo.call(shopper, 'POST', `/customers/${customerId}/cart/lines`, {
      sku: pen.sku,
      quantity: 2,
    });
    expect(added.status === 200 || added.status === 201, `adding answered ${added.status}`);
    const cart = await demo.call(shopper, 'GET', `/customers/${customerId}/cart`);
    expect(cart.body.lines?.[0]?.quantity === 2, 'the cart does not hold 2 pens');
  });

  await demo.check("Another shopper cannot read this shopper's cart (403); without a token, 401", async () => {
    const other = await demo.call(impostor, 'GET', `/customers/${customerId}/cart`);
    expect(other.status === 403 && other.body.error === 'Forbidden', `another shopper got ${other.status}`);
    const anonymous = await demo.call(ANYONE, 'GET', `/customers/${customerId}/cart`);
    expect(
      anonymous.status === 401 && anonymous.body.message === 'Unauthorized',
      `a request without a token got ${anonymous.status}`,
    );
    const backOffice = await demo.call(shopper, 'GET', `/admin/sales/${today}`);
    expect(backOffice.status === 403, `a shopper's token on a back-office route got ${backOffice.status}`);
  });

  let orderId = '';
  await demo.check('Place an order: stock goes down in the same transaction', async () => {
    const placed = await demo.call(shopper, 'POST', `/customers/${customerId}/orders`, {
      lines: [
        { sku: pen.sku, quantity: 2 },
        { sku: ink.sku, quantity: 1 },
      ],
    });
    expect(placed.status === 201, `placing answered ${placed.status}`);
    orderId = placed.body.order.orderId;
    expect(placed.body.order.orderTotalCents === 2 * pen.priceCents + ink.priceCents, 'the total is wrong');
    const stock = (await demo.call(ANYONE, 'GET', `/products/${pen.sku}`)).body.stock;
    expect(stock === pen.stock - 2, `pen stock is ${stock}, expected ${pen.stock - 2}`);
  });

  await demo.check('An order the stock cannot cover is refused, naming the SKU; nothing is written', async () => {
    const refused = await demo.call(shopper, 'POST', `/customers/${customerId}/orders`, {
      lines: [
        { sku: ink.sku, quantity: 1 },
        { sku: pen.sku, quantity: 4 },
      ],
    });
    expect(refused.status === 409 && refused.body.sku === pen.sku, 'expected 409 naming the pen');
    expect(refused.body.available === pen.stock - 2, 'the refusal does not say what is left');
    const inkStock = (await demo.call(ANYONE, 'GET', `/products/${ink.sku}`)).body.stock;
    expect(inkStock === ink.stock - 1, `ink stock changed to ${inkStock}: the refused order wrote something`);
  });

  await demo.check('Cancel an order: its stock comes back', async () => {
    const placed = await demo.call(shopper, 'POST', `/customers/${customerId}/orders`, {
      lines: [{ sku: ink.sku, quantity: 3 }],
    });
    expect(placed.status === 201, `placing answered ${placed.status}`);
    const cancelled = await demo.call(
      shopper,
      'POST',
      `/customers/${customerId}/orders/${placed.body.order.orderId}/cancel`,
    );
    expect(cancelled.status === 200 && cancelled.body.status === 'CANCELLED', 'the order was not cancelled');
    const inkStock = (await demo.call(ANYONE, 'GET', `/products/${ink.sku}`)).body.stock;
    expect(inkStock === ink.stock - 1, `ink stock is ${inkStock}, expected ${ink.stock - 1}`);
  });

  await demo.check('Follow the first order: fulfilment pays and ships it, the back office delivers it', async () => {
    const path = `/customers/${customerId}/orders/${orderId}`;
    let order: { status: string; version: number };
    if (state.endpoints.moto !== undefined) {
      // The stream publishes OrderPlaced; a rule starts the fulfilment workflow (Pay, then Ship).
      order = await until('fulfilment to ship the order', async () => {
        const read = (await demo.call(shopper, 'GET', `${path}?consistent=true`, undefined, { quiet: true })).body
          .order;
        // Fulfilment compensates by cancelling: no point waiting any longer for SHIPPED.
        if (read?.status === 'CANCELLED') throw new StepFailed('fulfilment cancelled the order instead of shipping it');
        return read?.status === 'SHIPPED' ? read : undefined;
      });
      demo.printLastPoll();
    } else {
      // Without moto there is no event bus, so no workflow: move the order forward by hand.
      order = (await demo.call(shopper, 'GET', `${path}?consistent=true`)).body.order;
      for (const status of ['PAID', 'SHIPPED']) {
        const moved = await demo.call(BACK_OFFICE, 'PUT', `${path}/status`, { status, expectedVersion: order.version });
        expect(
          moved.status === 200 && moved.body.status === status,
          `moving the order to ${status} answered ${moved.status}`,
        );
        order = moved.body;
      }
    }
    const stale = await demo.call(BACK_OFFICE, 'PUT', `${path}/status`, {
      status: 'DELIVERED',
      expectedVersion: order.version - 1,
    });
    expect(stale.status === 409, `a stale version answered ${stale.status}, expected 409`);
    const delivered = await demo.call(BACK_OFFICE, 'PUT', `${path}/status`, {
      status: 'DELIVERED',
      expectedVersion: order.version,
    });
    expect(delivered.status === 200 && delivered.body.status === 'DELIVERED', 'the order was not delivered');
  });

  await demo.check(
    "Today's sales, kept by the stream consumer: the demo's products net of the cancellation",
    async () => {
      // The ink sold 1 + 3 units and the order of 3 was cancelled: 1 unit once the aggregator has
      // applied the cancellation too. It writes a day's figures when its 30-second tumbling window
      // ends, as in Lambda, so this takes up to half a minute.
      const inkSales = await until("the cancellation in the day's figures", async () => {
        const sales = (
          await demo.call(BACK_OFFICE, 'GET', `/admin/products/${ink.sku}/sales?from=${today}&to=${today}`, undefined, {
            quiet: true,
          })
        ).body;
        return sales.items?.[0]?.unitsSold === 1 ? sales.items[0] : undefined;
      });
      demo.printLastPoll();
      expect(
        inkSales.revenueCents === ink.priceCents,
        `ink revenue is ${inkSales.revenueCents}, expected ${ink.priceCents}`,
      );
      const penSales = (
        await demo.call(BACK_OFFICE, 'GET', `/admin/products/${pen.sku}/sales?from=${today}&to=${today}`)
      ).body;
      expect(penSales.items?.[0]?.unitsSold === 2, 'the pen did not sell 2 units today');
      // The store's total for the day includes the demo's order (and whatever else was ordered today).
      const day = (await demo.call(BACK_OFFICE, 'GET', `/admin/sales/${today}`)).body;
      expect(
        day.orderCount >= salesBefore.orderCount + 1 &&
          day.revenueCents >= salesBefore.revenueCents + 2 * pen.priceCents + ink.priceCents,
        "the day's total does not include the demo's order",
      );
    },
  );

  console.log(`\n${paint(32, 'The demo passed:')} every step behaved as promised.`);
}

main().catch((error: unknown) => {
  if (error instanceof StepFailed) console.error(`\n${paint(31, '✘ The demo failed:')} ${error.message}`);
  else if (error instanceof NotRunningError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
