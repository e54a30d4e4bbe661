/**
 * A function bundle as `cdk synth` builds it, run the way Lambda runs it: a fresh Node process with
 * Lambda's variables, tracing on, the role's credentials in the environment, and an API Gateway
 * event, against DynamoDB Local. The bundles replace the SDK's default credential chain with the
 * environment alone (lambdas/shared/lambda-credentials.ts); this shows the bundle still reads the
 * table with those credentials, and that without them it fails for exactly that reason, rather
 * than searching files and metadata endpoints.
 */
import { spawnSync } from 'node:child_process';
import { apiEvent } from '../fixtures/api-events';
import { type AppEnvironment, prepareAppEnvironment } from '../fixtures/app-environment';
import { synthesizedBundles } from '../fixtures/bundles';
import { products, scenarioItems } from '../fixtures/store-scenario';

let env: AppEnvironment;
let catalog: string;

beforeAll(async () => {
  env = await prepareAppEnvironment();
  await env.seed(scenarioItems());
  const bundle = synthesizedBundles({}, ['Api']).find((b) => b.description.startsWith('Catalog:'));
  if (bundle === undefined) throw new Error('no Catalog function in the synthesized app');
  catalog = bundle.path;
}, 120_000);

afterAll(() => env.client.destroy());

/** Load the bundle in a fresh process, invoke its handler once, and return the response and the log. */
function invokeBundle(bundle: string, variables: Record<string, string | undefined>) {
  const event = apiEvent('GET /products/{sku}', { pathParameters: { sku: 'PEN-01' } });
  const script = `
    const { handler } = require(${JSON.stringify(bundle)});
    const context = { awsRequestId: 'r-1', functionName: 'catalog', getRemainingTimeInMillis: () => 10000 };
    handler(${JSON.stringify(event)}, context).then((r) => process.stderr.write('RESPONSE ' + JSON.stringify(r) + '\\n'));
  `;
  const run = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      AWS_REGION: process.env.AWS_REGION,
      AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER,
      TABLE_NAME: process.env.TABLE_NAME,
      CURSOR_SECRET_ARN: process.env.CURSOR_SECRET_ARN,
      POWERTOOLS_SERVICE_NAME: 'catalog',
      POWERTOOLS_METRICS_NAMESPACE: 'OrderStoreTest',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: 'catalog',
      LAMBDA_TASK_ROOT: process.cwd(),
      _X_AMZN_TRACE_ID: 'Root=1-6929a3c0-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...variables,
    },
  });
  const line = run.stderr.split('\n').find((l) => l.startsWith('RESPONSE '));
  if (line === undefined) throw new Error(`the bundle did not answer: ${run.stderr}`);
  const response = JSON.parse(line.slice('RESPONSE '.length)) as { statusCode: number; body: string };
  return { status: response.statusCode, body: JSON.parse(response.body) as unknown, log: run.stdout + run.stderr };
}

test('the Catalog bundle answers an API Gateway event from DynamoDB Local with the credentials Lambda sets', () => {
  const { status, body } = invokeBundle(catalog, {
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN: 'session-token',
  });
  expect({ status, body }).toEqual({ status: 200, body: products[1] });
});

test('without credentials in the environment the bundle fails on exactly that, and says nothing of it to the caller', () => {
  const { status, body, log } = invokeBundle(catalog, {});
  expect(status).toBe(500);
  expect(JSON.stringify(body)).not.toMatch(/credential/i);
  expect(log).toContain('Unable to find environment variable credentials');
  // The SDK's full chain would have tried files, SSO and metadata endpoints and said so instead.
  expect(log).not.toContain('Could not load credentials from any providers');
});
