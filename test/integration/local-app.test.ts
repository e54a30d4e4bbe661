/**
 * The local runner end to end: the app synthesized with its real bundles, started on its own
 * DynamoDB Local and moto_server, and used over HTTP as `npm start` serves it. Then the command
 * itself: it stops at once without Java, and Ctrl-C leaves no engine behind.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { productItem } from '../../lambdas/model/keys';
import { LOCAL_AWS } from '../../local/engines/dynamodb-local';
import { type LocalApp, startLocalApp } from '../../local/runner/local-app';
import type { RunState } from '../../local/runner/run-state';

const ROOT = resolve(__dirname, '../..');
const SYNTH_TIMEOUT_MS = 180_000;
let assemblyDir = '';
let app: LocalApp;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function call(method: string, path: string, body?: unknown, key?: string) {
  const response = await fetch(`${app.apiUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: responses are checked field by field.
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as any };
}

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
  assemblyDir = mkdtempSync(join(tmpdir(), 'local-app-'));
  const synth = spawnSync(
    join(ROOT, 'node_modules/.bin/cdk'),
    ['synth', '--quiet', '--no-notices', '-o', assemblyDir],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true' },
      timeout: SYNTH_TIMEOUT_MS,
    },
  );
  if (synth.status !== 0) throw new Error(`cdk synth failed:\n${synth.stdout}${synth.stderr}`);
}, SYNTH_TIMEOUT_MS);

describe('the app, started from the assembly', () => {
  beforeAll(async () => {
    app = await startLocalApp({ assemblyDir, port: 0, pollIntervalMs: 100 });
  }, 120_000);
  afterAll(() => app?.stop());

  test('every route of the template reaches its function', async () => {
    for (const route of app.routes) {
      const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'day' ? '2026-11-01' : 'X-1'));
      const response = await call(route.method, path, route.method === 'GET' ? undefined : {}, 'route-check-1');
      // API Gateway's own 404 is `{"message":"Not Found"}`; the functions answer with `error`.
      expect({ route: route.routeKey, error: typeof response.body.error }).toEqual({
        route: route.routeKey,
        error: response.status === 200 ? 'undefined' : 'string',
      });
    }
  });

  test("a path no route matches gets API Gateway's 404", async () => {
    await expect(call('GET', '/nowhere')).resolves.toEqual({ status: 404, body: { message: 'Not Found' } });
  });

  test('each function runs with its template environment pointed at the local engines', () => {
    const catalog = app.functions.get('Catalog');
    expect(catalog?.environment).toMatchObject({
      TABLE_NAME: Object.values(app.tables).find((t) => t.includes('-Table')),
      AWS_ENDPOINT_URL_DYNAMODB: app.endpoints.dynamodb,
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
    const dynamodb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: app.endpoints.dynamodb });
    const tableName = Object.values(app.tables).find((t) => t.includes('-Table')) as string;
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: marshall(
          productItem({
            sku: 'LOCAL-PEN',
            name: 'Pen',
            category: 'pens',
            priceCents: 300,
            stock: 10,
            description: 'x',
          }),
        ),
      }),
    );
    dynamodb.destroy();

    const customer = await call(
      'POST',
      '/customers',
      { email: 'local@example.com', name: 'Local' },
      'register-local-1',
    );
    expect(customer.status).toBe(201);
    const { customerId } = customer.body;
    const placed = await call(
      'POST',
      `/customers/${customerId}/orders`,
      { lines: [{ sku: 'LOCAL-PEN', quantity: 2 }] },
      'order-local-1',
    );
    expect(placed.status).toBe(201);
    const { orderId, placedAt } = placed.body.order;

    const day = (placedAt as string).slice(0, 10);
    const sales = await eventually(async () => {
      const read = await call('GET', `/admin/sales/${day}`);
      return read.body.orderCount === 1 ? read.body : undefined;
    });
    expect(sales).toMatchObject({ orderCount: 1, unitsSold: 2, revenueCents: 600 });

    const shipped = await eventually(async () => {
      const read = await call('GET', `/customers/${customerId}/orders/${orderId}?consistent=true`);
      return read.body.order?.status === 'SHIPPED' ? read.body.order : undefined;
    });
    expect(shipped).toMatchObject({ status: 'SHIPPED', version: 3 });
  }, 60_000);

  test('stopping ends every engine it started', async () => {
    const pids = [...app.processes];
    expect(pids.every(alive)).toBe(true);
    await app.stop();
    expect(pids.filter(alive)).toEqual([]);
  }, 30_000);
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

  test('Ctrl-C stops it and every engine it started, and removes its run state', async () => {
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

    // The terminal sends SIGINT to the whole foreground process group.
    process.kill(-(child.pid as number), 'SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    await eventually(async () => (engines.filter(alive).length === 0 ? true : undefined), 10_000);
    expect(() => readFileSync(stateFile)).toThrow();
  }, 120_000);
});
