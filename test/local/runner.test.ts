/**
 * The local runner's parts, on the synthesized templates and without engines: which routes it
 * serves and with which function, the events it builds, the environment each function gets, how
 * rules deliver events, and how a function's bundle runs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { routeList } from '../../lambdas/model/api-catalogue';
import { FUNCTION_GROUPS } from '../../lambdas/model/api-routes';
import type { CfnTemplate } from '../../local/emulation/cloudformation';
import { type AssemblyStack, functionsOf, routesOf } from '../../local/runner/cloud-assembly';
import { acceptedEvents, type BusEvent, dispatch, rulesOf, targetInput } from '../../local/runner/event-rules';
import { FunctionError, FunctionHost } from '../../local/runner/function-host';
import { apiGatewayEvent, guarded, httpApiListener, httpResponseOf, matchRoute } from '../../local/runner/http-api';
import { LocalResources, UnresolvedReferenceError } from '../../local/runner/references';
import { daxClustersLeftOut, provisionOthers } from '../../local/runner/resources';
import { apiEvent } from '../fixtures/api-events';
import { synthTemplates } from '../fixtures/app';

const templates = synthTemplates();
const stacks: AssemblyStack[] = Object.entries(templates).map(([name, template]) => ({
  stackName: `OrderStore-dev-${name[0]?.toUpperCase()}${name.slice(1)}`,
  template: template.toJSON() as CfnTemplate,
}));
const functions = functionsOf(stacks);
const descriptionOf = (logicalId: string) => functions.find((f) => f.logicalId === logicalId)?.description;

describe('routes from the template', () => {
  const routes = routesOf(stacks);

  test("every route of every group is served, by its group's function", () => {
    const expected = routeList().map((r) => `${r.route} ${FUNCTION_GROUPS[r.group].description}`);
    const served = routes.map((r) => `${r.routeKey} ${descriptionOf(r.function.logicalId)}`);
    expect(served.sort()).toEqual(expected.sort());
  });

  test.each([
    ['GET', '/customers/c-1/orders/largest', 'GET /customers/{customerId}/orders/largest', {}],
    ['GET', '/customers/c-1/orders/o-9', 'GET /customers/{customerId}/orders/{orderId}', { orderId: 'o-9' }],
    ['GET', '/admin/orders/awaiting-shipment', 'GET /admin/orders/awaiting-shipment', {}],
    [
      'GET',
      '/categories/pens%20and%20ink/products',
      'GET /categories/{category}/products',
      { category: 'pens and ink' },
    ],
  ])('%s %s is the most specific route, %s', (method, path, routeKey, parameters) => {
    const match = matchRoute(routes, method, path);
    expect(match?.route.routeKey).toBe(routeKey);
    expect(match?.pathParameters).toMatchObject(parameters);
  });

  test('no route for an unknown path or another method', () => {
    expect(matchRoute(routes, 'GET', '/nowhere')).toBeUndefined();
    expect(matchRoute(routes, 'DELETE', '/products/PEN-01')).toBeUndefined();
  });
});

describe('the API Gateway event', () => {
  const route = {
    method: 'POST',
    path: '/customers/{customerId}/cart/lines',
    routeKey: 'POST /customers/{customerId}/cart/lines',
    function: { stackName: 'OrderStore-dev-Api', logicalId: 'CartFunction' },
    authorization: 'JWT' as const,
  };
  const request = {
    method: 'POST',
    url: '/customers/c-1/cart/lines?tag=a&tag=b&q=x%20y',
    headers: {
      Host: ['127.0.0.1:3000'],
      'Content-Type': ['application/json'],
      'Idempotency-Key': ['k-12345678'],
      Cookie: ['a=1; b=2'],
    },
    body: Buffer.from('{"sku":"PEN-01","quantity":1}'),
    sourceIp: '127.0.0.1',
  };
  const claims = { sub: 'c-1', client_id: 'local-client', token_use: 'access' };
  const event = apiGatewayEvent(
    request,
    { route, pathParameters: { customerId: 'c-1' } },
    { jwt: { claims, scopes: null } },
    new Date(Date.UTC(2026, 10, 24, 9, 5, 7)),
  );

  test('has the fields of an HTTP API payload 2.0 event, as the handlers are tested with', () => {
    const reference = apiEvent('POST /customers/{customerId}/cart/lines', {
      pathParameters: { customerId: 'c-1' },
      queryStringParameters: { q: 'x' },
      body: {},
    });
    const keys = (o: object) => Object.keys(o).sort();
    expect(keys(event)).toEqual(keys({ ...reference, cookies: [] }));
    expect(keys(event.requestContext as object)).toEqual(keys(reference.requestContext));
  });

  test('carries the request as API Gateway would', () => {
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /customers/{customerId}/cart/lines',
      rawPath: '/customers/c-1/cart/lines',
      rawQueryString: 'tag=a&tag=b&q=x%20y',
      queryStringParameters: { tag: 'a,b', q: 'x y' },
      pathParameters: { customerId: 'c-1' },
      cookies: ['a=1', 'b=2'],
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k-12345678', host: '127.0.0.1:3000' },
      body: '{"sku":"PEN-01","quantity":1}',
      isBase64Encoded: false,
      requestContext: {
        authorizer: { jwt: { claims, scopes: null } },
        http: { method: 'POST', path: '/customers/c-1/cart/lines', sourceIp: '127.0.0.1' },
        stage: '$default',
        time: '24/Nov/2026:09:05:07 +0000',
        timeEpoch: Date.UTC(2026, 10, 24, 9, 5, 7),
      },
    });
  });

  test('a binary body arrives base64-encoded', () => {
    const binary = apiGatewayEvent(
      { ...request, headers: { 'content-type': ['image/png'] }, body: Buffer.from([0, 1, 2]) },
      { route, pathParameters: {} },
    );
    expect(binary).toMatchObject({ body: 'AAEC', isBase64Encoded: true });
  });

  test('results become responses: structured as given, anything else as 200 JSON', () => {
    const structured = httpResponseOf({ statusCode: 201, headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(structured).toMatchObject({ statusCode: 201, headers: { 'content-type': 'application/json' } });
    expect(structured.body.toString()).toBe('{}');
    const plain = httpResponseOf({ hello: 'world' });
    expect(plain.statusCode).toBe(200);
    expect(plain.body.toString()).toBe('{"hello":"world"}');
  });
});

describe('the environment of each function', () => {
  const resources = new LocalResources(stacks, 'us-east-1');
  // What the runner registers for each resource a function references.
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      const ref = { stackName: stack.stackName, logicalId };
      resources.register(ref, `local-${logicalId}`, {
        Arn: `arn:local:${logicalId}`,
        StreamArn: `stream:${logicalId}`,
      });
      void resource;
    }
  }

  test.each(functions.map((f) => [f.description, f] as const))('%s: every variable resolves', (_name, fn) => {
    const environment = resources.resolveVariables(fn.variables, fn.stackName);
    for (const value of Object.values(environment)) expect(value).not.toMatch(/\[object Object\]|undefined/);
    if ('TABLE_NAME' in fn.variables) expect(environment.TABLE_NAME).toMatch(/^local-Table/);
  });

  test('a reference to the secret resolves to what the runner registered for it', () => {
    const catalog = functions.find((f) => f.description.startsWith('Catalog'));
    const environment = resources.resolveVariables(catalog?.variables ?? {}, catalog?.stackName ?? '');
    expect(environment.CURSOR_SECRET_ARN).toMatch(/^local-CursorSigningKey/);
  });

  test('an unregistered resource is named in the error', () => {
    const empty = new LocalResources(stacks, 'us-east-1');
    expect(() => empty.resolve({ Ref: 'Missing' }, 'OrderStore-dev-Api')).toThrow(UnresolvedReferenceError);
    expect(() => empty.resolve({ Ref: 'Missing' }, 'OrderStore-dev-Api')).toThrow(/Ref Missing/);
  });
});

describe('an assembly synthesized with dax=true', () => {
  const daxStacks: AssemblyStack[] = Object.entries(synthTemplates({ dax: 'true' })).map(([name, template]) => ({
    stackName: `OrderStore-dev-${name[0]?.toUpperCase()}${name.slice(1)}`,
    template: template.toJSON() as CfnTemplate,
  }));

  test('the cluster is reported as left out, since no DAX emulator exists', () => {
    expect(daxClustersLeftOut(daxStacks)).toEqual([
      {
        what: expect.stringMatching(/^DAX cluster CacheCluster/),
        why: 'no DAX emulator exists; the functions that would read through it read DynamoDB Local directly',
      },
    ]);
    expect(daxClustersLeftOut(stacks)).toEqual([]);
  });

  test('the Catalog function gets an empty DAX endpoint, which its data layer reads as no cache: it reads the table', async () => {
    // Prepare: what the runner registers before it starts the functions (without moto, as here).
    const resources = new LocalResources(daxStacks, 'us-east-1');
    for (const stack of daxStacks) {
      for (const logicalId of Object.keys(stack.template.Resources ?? {})) {
        if (stack.template.Resources?.[logicalId]?.Type !== 'AWS::DAX::Cluster')
          resources.register({ stackName: stack.stackName, logicalId }, `local-${logicalId}`, { Arn: 'arn:local' });
      }
    }
    const sqs = new SQSClient({ region: 'us-east-1' });

    // Act
    await provisionOthers(daxStacks, resources, undefined, sqs);
    const catalog = functionsOf(daxStacks).find((f) => f.description === FUNCTION_GROUPS.Catalog.description);
    const environment = resources.resolveVariables(catalog?.variables ?? {}, catalog?.stackName ?? '');
    sqs.destroy();

    // Assess
    expect(catalog?.variables.DAX_ENDPOINT).toEqual({
      'Fn::GetAtt': [expect.any(String), 'ClusterDiscoveryEndpointURL'],
    });
    expect(environment.DAX_ENDPOINT).toBe('');
  });
});

describe('rules on the bus', () => {
  const resources = new LocalResources(stacks, 'us-east-1');
  const streams = stacks.find((s) => s.stackName.endsWith('Streams')) as AssemblyStack;
  const busId = Object.entries(streams.template.Resources ?? {}).find(
    ([, r]) => r.Type === 'AWS::Events::EventBus',
  )?.[0];
  resources.register({ stackName: streams.stackName, logicalId: busId ?? '' }, 'local-bus');
  const rules = rulesOf(stacks, resources);
  const event = (detailType: string): BusEvent => ({
    version: '0',
    id: 'e-1',
    'detail-type': detailType,
    source: 'order-store.orders',
    account: '123456789012',
    time: '2026-11-24T09:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { customerId: 'c-1', orderId: 'o-1', status: 'PLACED' },
  });

  test('OrderPlaced starts fulfilment with the input the transformer makes; other events start nothing', () => {
    const inputs: unknown[] = [];
    dispatch(rules, 'local-bus', event('OrderPlaced'), (_rule, target, input) => {
      expect(target.resourceType).toBe('AWS::StepFunctions::StateMachine');
      inputs.push(input);
    });
    dispatch(rules, 'local-bus', event('OrderCancelled'), () => inputs.push('unexpected'));
    dispatch(rules, 'another-bus', event('OrderPlaced'), () => inputs.push('unexpected'));
    expect(inputs).toEqual([{ customerId: 'c-1', orderId: 'o-1' }]);
  });

  test('a placeholder inside a quoted string is inserted as text', () => {
    expect(
      targetInput(event('OrderPlaced'), {
        InputPathsMap: { id: '$.detail.orderId' },
        InputTemplate: '{"message":"order <id> placed","id":<id>}',
      }),
    ).toEqual({ message: 'order o-1 placed', id: 'o-1' });
  });

  test('only the entries the bus accepted become events', () => {
    const accepted = acceptedEvents(
      {
        Entries: [
          { Source: 's', DetailType: 'A', Detail: '{"n":1}', EventBusName: 'b', Time: 1_795_000_000 },
          { Source: 's', DetailType: 'B', Detail: '{}', EventBusName: 'arn:aws:events:us-east-1:1:event-bus/b' },
        ],
      },
      { Entries: [{ EventId: 'id-1' }, {}] },
      'us-east-1',
      '123456789012',
    );
    expect(accepted).toEqual([
      {
        busName: 'b',
        event: expect.objectContaining({
          id: 'id-1',
          'detail-type': 'A',
          detail: { n: 1 },
          time: '2026-11-18T11:06:40Z',
        }),
      },
    ]);
  });
});

describe('a function in its worker', () => {
  const bundleDir = mkdtempSync(join(tmpdir(), 'runner-bundle-'));
  writeFileSync(
    join(bundleDir, 'index.js'),
    `exports.handler = async (event, context) => {
       if (event.fail) { const e = new Error('declined'); e.name = 'PaymentDeclined'; throw e; }
       if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
       return { table: process.env.TABLE_NAME, name: context.functionName, remaining: context.getRemainingTimeInMillis() > 0 };
     };`,
  );
  const host = (tableName: string, timeoutSeconds = 3) =>
    new FunctionHost(
      {
        functionName: `fn-${tableName}`,
        bundleDir,
        handler: 'index.handler',
        environment: { TABLE_NAME: tableName },
        timeoutSeconds,
        memoryMb: 256,
      },
      { region: 'us-east-1', account: '123456789012' },
    );

  test('each function sees only its own environment', async () => {
    const [a, b] = [host('table-a'), host('table-b')];
    await expect(a.invoke({})).resolves.toEqual({ table: 'table-a', name: 'fn-table-a', remaining: true });
    await expect(b.invoke({})).resolves.toEqual({ table: 'table-b', name: 'fn-table-b', remaining: true });
    expect(process.env.TABLE_NAME).not.toBe('table-a');
    await Promise.all([a.stop(), b.stop()]);
  });

  test("an error keeps its type, which Step Functions' Retry and Catch match on", async () => {
    const a = host('t');
    const error = await a.invoke({ fail: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FunctionError);
    expect(error).toMatchObject({ name: 'PaymentDeclined', message: 'declined' });
    await a.stop();
  });

  test('a stopped function takes no more invocations', async () => {
    const a = host('t');
    await a.invoke({});
    await a.stop();
    await expect(a.invoke({})).rejects.toMatchObject({ name: 'Runtime.Stopped' });
  });

  test('an invocation past the timeout fails as Lambda reports it, and the next one runs in a new environment', async () => {
    const a = host('t', 1);
    await expect(a.invoke({ sleepMs: 2_000 })).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
    await expect(a.invoke({})).resolves.toMatchObject({ table: 't' });
    await a.stop();
  });
});

describe('the HTTP listener', () => {
  const routes = [
    { method: 'GET', path: '/a/{x}/c', routeKey: 'GET /a/{x}/c', function: { stackName: 's', logicalId: 'Specific' } },
    {
      method: 'GET',
      path: '/a/b/{proxy+}',
      routeKey: 'GET /a/b/{proxy+}',
      function: { stackName: 's', logicalId: 'Greedy' },
    },
    { method: 'GET', path: '/fail', routeKey: 'GET /fail', function: { stackName: 's', logicalId: 'Failing' } },
  ].map((r) => ({ ...r, authorization: 'NONE' as const }));
  let server: Server;
  let url = '';
  const errors: unknown[] = [];
  beforeAll(async () => {
    server = createServer(
      httpApiListener(
        routes,
        async (route, event) => {
          if (route.function.logicalId === 'Failing') throw new Error('secret SDK detail');
          return { result: { routeKey: event.routeKey, pathParameters: event.pathParameters }, functionName: 'f' };
        },
        async () => ({}),
        undefined,
        (error) => errors.push(error),
      ),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  test('a route without a greedy segment wins over one with it', async () => {
    const body = await (await fetch(`${url}/a/b/c`)).json();
    expect(body).toEqual({ routeKey: 'GET /a/{x}/c', pathParameters: { x: 'b' } });
  });

  test('a path that is not valid percent-encoding matches no route, and the listener lives on', async () => {
    const bad = await fetch(`${url}/a/%E0%A4%A/c`);
    expect(bad.status).toBe(404);
    expect(await bad.json()).toEqual({ message: 'Not Found' });
    expect((await fetch(`${url}/a/ok/c`)).status).toBe(200);
  });

  test("a function that throws gets API Gateway's bare 500, and the caller learns nothing more", async () => {
    const failed = await fetch(`${url}/fail`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('{"message":"Internal Server Error"}');
    expect(errors).toHaveLength(1);
  });

  test('an error after the answer was sent is reported, not thrown', async () => {
    const reported: unknown[] = [];
    const listener = guarded(
      async (_req, res) => {
        res.end('done');
        throw new Error('after the answer');
      },
      (error) => reported.push(error),
    );
    const other = createServer(listener);
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const response = await fetch(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
    expect(await response.text()).toBe('done');
    await new Promise((resolve) => other.close(resolve));
    expect(reported).toEqual([new Error('after the answer')]);
  });
});

test('a quoted placeholder whose value holds a quote still makes JSON', () => {
  const event = { detail: { note: 'say "hi"' } } as unknown as BusEvent;
  expect(
    targetInput(event, { InputPathsMap: { note: '$.detail.note' }, InputTemplate: '{"text":"note: <note>"}' }),
  ).toEqual({ text: 'note: say "hi"' });
});
