/**
 * The local runner end to end: the app synthesized with its real bundles, started on its own
 * DynamoDB Local and moto_server, and used over HTTP as `npm start` serves it. Then the command
 * itself: it stops at once without Java, and Ctrl-C leaves no engine behind.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient, PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { productItem } from '../../lambdas/model/keys';
import { LOCAL_AWS } from '../../local/engines/dynamodb-local';
import { type LocalApp, startLocalApp } from '../../local/runner/local-app';
import type { LocalCaller } from '../../local/runner/request-auth';
import { isAlive, type RunState } from '../../local/runner/run-state';
import { LocalIssuer } from '../../local/runner/shopper-tokens';
import { callAt, SYNTH_TIMEOUT_MS, synthesizeAssembly } from '../fixtures/local-api';

const ROOT = resolve(__dirname, '../..');
let assemblyDir = '';
let app: LocalApp;

/** Put products straight into a table of DynamoDB Local (products have no API route). */
async function putProductsAt(
  endpoint: string,
  tableName: string,
  category: string,
  products: readonly [string, number, number][],
) {
  const dynamodb = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  for (const [sku, priceCents, stock] of products) {
    const product = productItem({ sku, name: sku, category, priceCents, stock, description: 'x' });
    await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: marshall(product) }));
  }
  dynamodb.destroy();
}

/** Put products straight into the running app's table. */
const putProducts = (running: LocalApp, category: string, products: readonly [string, number, number][]) =>
  putProductsAt(
    running.endpoints.dynamodb,
    Object.values(running.tables).find((t) => t.includes('-Table')) as string,
    category,
    products,
  );

const call = (caller: LocalCaller, method: string, path: string, body?: unknown, key?: string) =>
  callAt(app.apiUrl, app.auth, caller, method, path, body, key);

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(() => {
  assemblyDir = synthesizeAssembly('local-app-');
}, SYNTH_TIMEOUT_MS);

describe('the app, started from the assembly', () => {
  beforeAll(async () => {
    app = await startLocalApp({ assemblyDir, port: 0, pollIntervalMs: 100 });
  }, 120_000);
  afterAll(() => app?.stop());

  test('every route of the template reaches its function', async () => {
    for (const route of app.routes) {
      const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'day' ? '2026-11-01' : 'X-1'));
      // Each as the caller its authorizer admits: the shopper X-1 on the routes that need a token.
      const caller: LocalCaller =
        route.authorization === 'JWT'
          ? { shopper: 'X-1' }
          : route.authorization === 'AWS_IAM'
            ? 'back office'
            : 'anyone';
      const response = await call(caller, route.method, path, route.method === 'GET' ? undefined : {}, 'route-check-1');
      // API Gateway's own 404 is `{"message":"Not Found"}`; the functions answer with `error`.
      expect({ route: route.routeKey, error: typeof response.body.error }).toEqual({
        route: route.routeKey,
        error: response.status === 200 ? 'undefined' : 'string',
      });
    }
  });

  test("a path no route matches gets API Gateway's 404", async () => {
    await expect(call('anyone', 'GET', '/nowhere')).resolves.toEqual({ status: 404, body: { message: 'Not Found' } });
  });

  test('each function runs with its template environment pointed at the local engines', () => {
    const catalog = app.functions.get('Catalog');
    expect(catalog?.environment).toMatchObject({
      TABLE_NAME: Object.values(app.tables).find((t) => t.includes('-Table')),
      // DynamoDB Local, through the runner's pass-through that tells the console what each function asked.
      AWS_ENDPOINT_URL_DYNAMODB: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/Catalog$/),
      AWS_ENDPOINT_URL: app.endpoints.moto,
      POWERTOOLS_SERVICE_NAME: 'order-store-catalog',
    });
    expect(catalog?.environment.CURSOR_SECRET_ARN).toMatch(/^arn:aws:secretsmanager:/);
    expect(app.functions.get('OrderEvents')?.environment.EVENT_BUS_NAME).toBe('OrderStore-dev-events');
    expect(app.skipped).toEqual([]);
  });

  test('every stream mapping of the template is pumped into its function', () => {
    expect(app.mappings.map((m) => m.functionName).sort()).toEqual([
      'ExpiredCartArchiver',
      'OrderEvents',
      'SalesAggregator',
    ]);
  });

  test('an order placed over HTTP reaches the sales figures through the stream, and fulfilment through the bus', async () => {
    await putProducts(app, 'pens', [
      ['LOCAL-PEN', 300, 10],
      ['LOCAL-INK', 500, 10],
    ]);

    // A second page needs a signed cursor: the key comes from the secret in moto, which the
    // function reaches through the generic AWS_ENDPOINT_URL alone.
    const firstPage = await call('anyone', 'GET', '/categories/pens/products?limit=1');
    expect(firstPage.body.cursor).toEqual(expect.any(String));
    expect(app.functions.get('Catalog')?.environment.AWS_ENDPOINT_URL_SECRETS_MANAGER).toBeUndefined();

    const shopper = { shopper: 'local-shopper' };
    const customer = await call(
      shopper,
      'POST',
      '/customers',
      { email: 'local@example.com', name: 'Local' },
      'register-local-1',
    );
    expect(customer.status).toBe(201);
    const { customerId } = customer.body;
    expect(customerId).toBe('local-shopper');
    const placed = await call(
      shopper,
      'POST',
      `/customers/${customerId}/orders`,
      { lines: [{ sku: 'LOCAL-PEN', quantity: 2 }] },
      'order-local-1',
    );
    expect(placed.status).toBe(201);
    const { orderId, placedAt } = placed.body.order;

    const day = (placedAt as string).slice(0, 10);
    // The aggregator writes when its 30-second tumbling window ends.
    const sales = await eventually(async () => {
      const read = await call('back office', 'GET', `/admin/sales/${day}`);
      return read.body.orderCount === 1 ? read.body : undefined;
    }, 60_000);
    expect(sales).toMatchObject({ orderCount: 1, unitsSold: 2, revenueCents: 600 });

    const shipped = await eventually(async () => {
      const read = await call(shopper, 'GET', `/customers/${customerId}/orders/${orderId}?consistent=true`);
      return read.body.order?.status === 'SHIPPED' ? read.body.order : undefined;
    });
    expect(shipped).toMatchObject({ status: 'SHIPPED', version: 3 });
  }, 60_000);

  describe('authorization, as API Gateway applies it', () => {
    const shopperA = { shopper: 'runner-a' };
    const shopperB = { shopper: 'runner-b' };
    let orderOfB = '';

    /** Everything of shopper B's partition, and every idempotency record: what nothing written is checked on. */
    async function stateOfB(): Promise<unknown[]> {
      const dynamodb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: app.endpoints.dynamodb });
      try {
        const table = Object.values(app.tables).find((t) => t.includes('-Table')) as string;
        const idempotency = Object.values(app.tables).find((t) => t.includes('IdempotencyTable')) as string;
        const partition = await dynamodb.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'PK = :pk',
            ExpressionAttributeValues: { ':pk': { S: 'CUSTOMER#runner-b' } },
            ConsistentRead: true,
          }),
        );
        const records = await dynamodb.send(new ScanCommand({ TableName: idempotency, ConsistentRead: true }));
        return [partition.Items, (records.Items ?? []).map((r) => r.id?.S).sort()];
      } finally {
        dynamodb.destroy();
      }
    }

    beforeAll(async () => {
      await putProducts(app, 'secure', [['SEC-1', 400, 10]]);
      for (const [caller, name] of [
        [shopperA, 'A'],
        [shopperB, 'B'],
      ] as const) {
        const registered = await call(
          caller,
          'POST',
          '/customers',
          { email: `runner-${name}@example.com`, name },
          `register-runner-${name}`,
        );
        expect(registered).toMatchObject({ status: 201, body: { customerId: caller.shopper } });
      }
      expect(
        (await call(shopperB, 'POST', '/customers/runner-b/cart/lines', { sku: 'SEC-1', quantity: 1 })).status,
      ).toBe(200);
      const placed = await call(
        shopperB,
        'POST',
        '/customers/runner-b/orders',
        { lines: [{ sku: 'SEC-1', quantity: 1 }] },
        'b-order-1',
      );
      orderOfB = placed.body.order.orderId;
      // Fulfilment moves the order on in the background; once shipped, nothing else changes B's partition.
      await eventually(async () => {
        const read = await call(shopperB, 'GET', `/customers/runner-b/orders/${orderOfB}?consistent=true`);
        return read.body.order?.status === 'SHIPPED' || undefined;
      });
    }, 60_000);

    test("shopper A gets 403 on every route naming shopper B, and B's data is as it was", async () => {
      const before = await stateOfB();
      const shopperRoutes = app.routes.filter((r) => r.authorization === 'JWT' && r.path.includes('{customerId}'));
      expect(shopperRoutes).toHaveLength(12);
      for (const route of shopperRoutes) {
        const path = route.path
          .replace('{customerId}', 'runner-b')
          .replace('{orderId}', orderOfB)
          .replace('{sku}', 'SEC-1');
        const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : { sku: 'SEC-1', quantity: 2 };
        const response = await call(
          shopperA,
          route.method,
          path,
          body,
          `a-tries-${route.method}-${route.path}`.replace(/[^\w-]/g, '_'),
        );
        expect({ route: route.routeKey, status: response.status, error: response.body.error }).toEqual({
          route: route.routeKey,
          status: 403,
          error: 'Forbidden',
        });
      }
      expect(await stateOfB()).toEqual(before);
    });

    test('a missing, expired, wrongly signed, tampered or wrong-audience token gets 401 Unauthorized, and nothing is written', async () => {
      const issuer = app.shopperIssuer as LocalIssuer;
      const [header, payload, signature] = (await issuer.issue('runner-b')).split('.');
      const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString('utf8'));
      const stranger = await LocalIssuer.create(issuer.config);
      const tokens = {
        missing: undefined,
        expired: await issuer.issue('runner-b', { expiresIn: -60 }),
        'wrongly signed': await stranger.issue('runner-b'),
        tampered: `${header}.${Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86_400 })).toString('base64url')}.${signature}`,
        'wrong audience': await issuer.issue('runner-b', { clientId: 'another-client' }),
      };
      const before = await stateOfB();
      for (const [kind, token] of Object.entries(tokens)) {
        for (const [method, path, body] of [
          ['GET', '/customers/runner-b', undefined],
          ['POST', '/customers/runner-b/cart/lines', { sku: 'SEC-1', quantity: 1 }],
        ] as const) {
          const response = await fetch(`${app.apiUrl}${path}`, {
            method,
            headers: {
              'content-type': 'application/json',
              ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          expect({ kind, path, status: response.status, body: await response.text() }).toEqual({
            kind,
            path,
            status: 401,
            body: '{"message":"Unauthorized"}',
          });
          expect(response.headers.get('www-authenticate')).toMatch(/^Bearer scope="" error="invalid_token"/);
        }
      }
      expect(await stateOfB()).toEqual(before);
      // The same requests with B's own token are served.
      expect((await call(shopperB, 'GET', '/customers/runner-b')).status).toBe(200);
    });

    test('every back-office route refuses a shopper token with 403 Forbidden', async () => {
      const adminRoutes = app.routes.filter((r) => r.authorization === 'AWS_IAM');
      expect(adminRoutes.length).toBeGreaterThan(0);
      for (const route of adminRoutes) {
        const path = route.path
          .replace('{day}', '2026-11-01')
          .replace('{sku}', 'SEC-1')
          .replace('{customerId}', 'runner-b')
          .replace('{orderId}', orderOfB);
        const response = await call(
          shopperB,
          route.method,
          path,
          route.method === 'GET' ? undefined : { status: 'DELIVERED', expectedVersion: 3 },
          'b-admin-1',
        );
        expect({ route: route.routeKey, status: response.status, body: response.body }).toEqual({
          route: route.routeKey,
          status: 403,
          body: { message: 'Forbidden' },
        });
      }
      const order = await call(shopperB, 'GET', `/customers/runner-b/orders/${orderOfB}?consistent=true`);
      expect(order.body.order.status).toBe('SHIPPED');
    });

    test('the catalogue needs no token', async () => {
      expect(await call('anyone', 'GET', '/products/SEC-1')).toMatchObject({ status: 200, body: { sku: 'SEC-1' } });
    });
  });

  test('a start that fails halfway (its port is taken) leaves no engine running', async () => {
    // This process's child processes that are alive (ps itself has exited by the time it is checked).
    const children = () =>
      spawnSync('ps', ['-o', 'pid=', '--ppid', String(process.pid)], { encoding: 'utf8' })
        .stdout.split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && isAlive(Number(line)))
        .sort();
    const before = children();
    const port = Number(new URL(app.apiUrl).port);
    await expect(startLocalApp({ assemblyDir, port, useMoto: false })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(children()).toEqual(before);
  }, 60_000);

  test('stopping ends every engine it started', async () => {
    const pids = [...app.processes];
    expect(pids.every(isAlive)).toBe(true);
    await app.stop();
    expect(pids.filter(isAlive)).toEqual([]);
  }, 30_000);
});

describe('without moto_server', () => {
  let bare: LocalApp;
  beforeAll(async () => {
    bare = await startLocalApp({ assemblyDir, port: 0, useMoto: false });
  }, 120_000);
  afterAll(() => bare?.stop());

  test('the API runs, with the cursor secret from the stand-in, and what needs moto is skipped', async () => {
    const skipped = bare.skipped.map((s) => s.what).sort();
    expect(skipped).toEqual([
      'function ExpiredCartArchiver',
      'function OrderEvents',
      'rule StartOnOrderPlacedF9E2C7C2',
      'stream consumer ExpiredCartArchiver',
      'stream consumer OrderEvents',
    ]);
    expect(bare.mappings.map((m) => m.functionName)).toEqual(['SalesAggregator']);
    await putProducts(bare, 'bare', [
      ['BARE-1', 100, 1],
      ['BARE-2', 100, 1],
    ]);
    const page = await fetch(`${bare.apiUrl}/categories/bare/products?limit=1`);
    expect(page.status).toBe(200);
    expect(((await page.json()) as { cursor?: string }).cursor).toEqual(expect.any(String));
  });
});

describe('data kept between runs', () => {
  /** The runner's pid; its engines are its children, in its process group. */
  let runner: ChildProcess | undefined;
  afterEach(() => {
    if (runner?.pid !== undefined && isAlive(runner.pid)) process.kill(-runner.pid, 'SIGKILL');
  });

  const lineCount = (lines: readonly string[], prefix: string) =>
    lines.filter((l) => l.startsWith(prefix)).reduce((sum, l) => sum + Number(/: (\d+) records?/.exec(l)?.[1] ?? 0), 0);

  test('killed (engines too) right after writes its consumers had not seen, it resumes them on restart, each once', async () => {
    const dbPath = mkdtempSync(join(tmpdir(), 'local-data-'));
    const stateFile = join(mkdtempSync(join(tmpdir(), 'run-state-')), 'local-app.json');
    runner = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'local/start.ts'), '--assembly', assemblyDir, '--data', dbPath, '--port', '0'],
      { cwd: ROOT, env: { ...process.env, LOCAL_RUN_STATE_FILE: stateFile }, detached: true, stdio: 'ignore' },
    );
    const state = await eventually(async () => {
      try {
        return JSON.parse(readFileSync(stateFile, 'utf8')) as RunState;
      } catch {
        return undefined;
      }
    }, 90_000);
    const shopper = { shopper: 'kept-shopper' };
    const api = (caller: LocalCaller, method: string, path: string, body?: unknown, key?: string) =>
      callAt(state.apiUrl, state.auth, caller, method, path, body, key);

    // Round one, consumed in full: every effect applied, every checkpoint past it.
    await putProductsAt(state.endpoints.dynamodb, state.tables.app, 'kept', [['KEPT-1', 100, 50]]);
    const customer = await api(
      shopper,
      'POST',
      '/customers',
      { email: 'kept@example.com', name: 'Kept' },
      'kept-register',
    );
    const { customerId } = customer.body as { customerId: string };
    const place = async (n: number) =>
      (
        await api(
          shopper,
          'POST',
          `/customers/${customerId}/orders`,
          { lines: [{ sku: 'KEPT-1', quantity: 1 }] },
          `kept-a-${n}`,
        )
      ).body.order as { orderId: string; placedAt: string };
    const before = [await place(1), await place(2), await place(3)];
    const day = before[0]?.placedAt.slice(0, 10) ?? '';
    const shipped = async (orderId: string) =>
      (await api(shopper, 'GET', `/customers/${customerId}/orders/${orderId}?consistent=true`)).body.order?.status ===
      'SHIPPED';
    await eventually(
      async () => (await Promise.all(before.map((o) => shipped(o.orderId)))).every(Boolean) || undefined,
      60_000,
    );
    await eventually(
      async () => (await api('back office', 'GET', `/admin/sales/${day}`)).body.orderCount === 3 || undefined,
      60_000,
    );

    // Round two, never seen: the runner is frozen while four orders are placed straight into its
    // table (its engines keep running), then the runner and its engines are killed.
    process.kill(runner.pid as number, 'SIGSTOP');
    Object.assign(process.env, {
      TABLE_NAME: state.tables.app,
      STATUS_SHARDS: String(state.statusShards ?? 4),
      AWS_ENDPOINT_URL_DYNAMODB: state.endpoints.dynamodb,
      AWS_REGION: state.region,
      AWS_ACCESS_KEY_ID: state.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: state.credentials.secretAccessKey,
    });
    const { placeOrder } = await import('../../lambdas/data/order-workflows');
    const after: string[] = [];
    for (const n of [1, 2, 3, 4]) {
      after.push((await placeOrder(customerId, [{ sku: 'KEPT-1', quantity: 1 }], `kept-b-${n}`)).order.orderId);
    }
    // DynamoDB Local answers a write before it is on disk: killed at once, it loses the last one
    // (seen here; kept when killed 200 ms later). The runner stays frozen meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const killed = new Promise((resolve) => runner?.once('exit', resolve));
    process.kill(-(runner.pid as number), 'SIGKILL');
    await killed;

    const lines: string[] = [];
    const log = (channel: string, message: string) => lines.push(`${channel} ${message}`);
    const restarted = await startLocalApp({ assemblyDir, port: 0, dbPath, pollIntervalMs: 100, log });
    try {
      expect(restarted.reusedData).toBe(true);
      expect(restarted.mappings.map((m) => m.start)).toEqual(['checkpoint', 'checkpoint', 'checkpoint']);
      const at = (caller: LocalCaller, path: string) => callAt(restarted.apiUrl, restarted.auth, caller, 'GET', path);
      const shippedNow = async (orderId: string) =>
        (await at(shopper, `/customers/${customerId}/orders/${orderId}?consistent=true`)).body.order?.status ===
        'SHIPPED';
      await eventually(async () => (await Promise.all(after.map(shippedNow))).every(Boolean) || undefined, 60_000);
      await eventually(
        async () => (await at('back office', `/admin/sales/${day}`)).body.orderCount === 7 || undefined,
        60_000,
      );
      // Let the aggregator's 5-second batching window pass, so that a second delivery would show.
      await new Promise((resolve) => setTimeout(resolve, 6_000));

      expect((await at('back office', `/admin/sales/${day}`)).body).toMatchObject({
        orderCount: 7,
        unitsSold: 7,
        revenueCents: 700,
      });
      // The aggregator got exactly the four orders it had not seen, each its header's record and
      // its one line's; round one was not replayed.
      expect(lineCount(lines, 'stream SalesAggregator')).toBe(4 * 2);
      const workflows = lines.filter((l) => l.startsWith('workflow'));
      for (const orderId of after) expect(workflows.filter((l) => l.includes(orderId))).toHaveLength(1);
      for (const { orderId } of before) expect(workflows.filter((l) => l.includes(orderId))).toEqual([]);
    } finally {
      await restarted.stop();
    }
  }, 240_000);
});

describe('npm start, as a command', () => {
  const start = (args: string[], env: NodeJS.ProcessEnv) =>
    spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'local/start.ts'), ...args], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  test('without Java it stops at once with one line saying what to install', () => {
    // A PATH holding node and nothing else.
    const bin = mkdtempSync(join(tmpdir(), 'no-java-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const started = Date.now();
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'local/start.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: bin, HOME: process.env.HOME },
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/needs Java 17 or newer.*install a JDK or JRE 17\+/),
    ]);
    expect(result.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test('Ctrl-C (delivered twice at once, as under npm) stops it gracefully with every engine it started, and removes its run state', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'run-state-')), 'local-app.json');
    const child: ChildProcess = start(['--assembly', assemblyDir, '--in-memory', '--port', '0'], {
      ...process.env,
      LOCAL_RUN_STATE_FILE: stateFile,
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await eventually(async () => (output.includes('is running on') ? true : undefined), 90_000);
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as RunState;
    expect((await fetch(`${state.apiUrl}/products/NONE`)).status).toBe(404);

    const descendants = (root: number): number[] => {
      const table = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n')
        .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
      const found: number[] = [];
      const visit = (pid: number) => {
        for (const [child, parent] of table) {
          if (parent !== pid) continue;
          found.push(child);
          visit(child);
        }
      };
      visit(root);
      return found;
    };
    const engines = descendants(child.pid as number);
    expect(engines.length).toBeGreaterThanOrEqual(2);

    // Ctrl-C in a terminal signals the whole foreground group, engines included; signalling the
    // runner alone shows that it is the runner that stops them. Under `npm start` the runner gets
    // the signal twice at once (from the terminal and from npm): that is still one Ctrl-C, a
    // graceful stop rather than a forced exit.
    process.kill(child.pid as number, 'SIGINT');
    process.kill(child.pid as number, 'SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect({ code, stopped: output.includes('runner   stopped') }).toEqual({ code: 0, stopped: true });
    await eventually(async () => (engines.filter(isAlive).length === 0 ? true : undefined), 10_000);
    expect(() => readFileSync(stateFile)).toThrow();
  }, 120_000);
});
