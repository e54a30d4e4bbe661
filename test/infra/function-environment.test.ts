/**
 * Every function loads with exactly the environment its template gives it.
 *
 * Handlers read their configuration when Lambda loads them, so a module that needs a variable the
 * stack does not set fails every cold start in AWS, while tests that set the variable themselves
 * pass. Each handler is loaded here in a fresh Node process whose environment is only the
 * function's variables from the template (references replaced by placeholders) and a region: for
 * the default stage, and for the cached Catalog function of a `dax=true` stage. The Catalog
 * function is also bundled as `cdk synth` bundles it, with and without DAX, and its bundle run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import cdkJson from '../../cdk.json';
import { FUNCTION_GROUPS } from '../../lambdas/model/api-routes';
import { parseConfig, type RawConfig } from '../../lib/config';
import { groupHandler } from '../../lib/stacks/api-stack';
import { FULFILMENT_STEPS } from '../../lib/stacks/fulfilment-stack';
import { STREAM_CONSUMERS } from '../../lib/stacks/streams-stack';
import { addStoreStacks } from '../../lib/store-stacks';
import { apiEvent, lambdaContext } from '../fixtures/api-events';
import { synthTemplates, TEST_ENV } from '../fixtures/app';

const ROOT = join(__dirname, '..', '..');
const handlers = new Map<string, string>(
  [
    ...Object.entries(FUNCTION_GROUPS).map(([id, g]) => ({
      description: g.description,
      handler: groupHandler(id as keyof typeof FUNCTION_GROUPS),
    })),
    ...Object.values(FULFILMENT_STEPS),
    ...Object.values(STREAM_CONSUMERS),
  ].map((f) => [f.description, f.handler]),
);

/** Each function of a variant's templates with its environment, references replaced by placeholders. */
function functionsOf(raw: RawConfig = {}) {
  return Object.values(synthTemplates(raw))
    .flatMap((template) => Object.values(template.findResources('AWS::Lambda::Function')))
    .map((resource) => {
      const props = resource.Properties as {
        Description?: string;
        Environment?: { Variables?: Record<string, unknown> };
      };
      const variables = Object.entries(props.Environment?.Variables ?? {}).map(([name, value]) => [
        name,
        typeof value === 'string' ? value : `placeholder-for-${name}`,
      ]);
      return {
        description: props.Description ?? '',
        variables: Object.fromEntries(variables) as Record<string, string>,
      };
    })
    .filter((fn) => handlers.has(fn.description));
}

/** What Lambda sets besides the template's variables, for loading a handler or a bundle. */
const LAMBDA_ENVIRONMENT = {
  PATH: process.env.PATH,
  AWS_REGION: 'eu-west-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

const functions = functionsOf();
const cachedCatalog = functionsOf({ dax: 'true' }).find((fn) => fn.description === FUNCTION_GROUPS.Catalog.description);

test('every function of the app is checked', () => {
  expect(functions.map((fn) => fn.description).sort()).toEqual([...handlers.keys()].sort());
});

test.each([
  ...functions.map((fn) => [handlers.get(fn.description) as string, fn.variables] as const),
  ['api/catalog.ts with dax=true', cachedCatalog?.variables ?? {}] as const,
])('%s loads with its template environment alone', (handler, variables) => {
  const entry = join(ROOT, 'lambdas', 'handlers', handler.split(' ')[0] as string);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', `require(${JSON.stringify(entry)})`], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...LAMBDA_ENVIRONMENT, ...variables },
  });
  expect(result.stderr).not.toMatch(/Error/);
  expect(result.status).toBe(0);
});

test('the cached Catalog function is given the cluster endpoint, and no other variable the default one lacks', () => {
  const plain = functions.find((fn) => fn.description === FUNCTION_GROUPS.Catalog.description);
  expect(Object.keys(cachedCatalog?.variables ?? {}).sort()).toEqual(
    [...Object.keys(plain?.variables ?? {}), 'DAX_ENDPOINT'].sort(),
  );
});

/** The Catalog function's bundle as `cdk synth` builds it (esbuild, only the API stack bundled). */
function catalogBundle(raw: RawConfig): string {
  const outdir = mkdtempSync(join(tmpdir(), 'bundle-'));
  const config = parseConfig({ ...TEST_ENV, ...raw });
  const stackName = `${config.appName}-${config.stage}-Api`;
  const app = new App({
    outdir,
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [stackName], 'aws:cdk:enable-asset-metadata': true },
  });
  const stacks = addStoreStacks(app, config);
  app.synth();
  const template = JSON.parse(readFileSync(join(outdir, stacks.api.templateFile), 'utf8')) as {
    Resources: Record<
      string,
      { Type: string; Metadata?: Record<string, string>; Properties: { Description?: string } }
    >;
  };
  const catalog = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === FUNCTION_GROUPS.Catalog.description,
  );
  const asset = catalog?.Metadata?.['aws:asset:path'];
  if (asset === undefined) throw new Error('the Catalog function has no bundle');
  return join(outdir, asset, 'index.js');
}

/** Text that only the DAX client's code holds (its cluster-refresh error message). */
const DAX_CLIENT_CODE = 'caught exception during cluster refresh';

describe('GIVEN the Catalog function bundled as cdk synth bundles it', () => {
  const BUNDLING_TIMEOUT_MS = 120_000;

  test(
    'WHEN dax=true THEN the bundle holds the DAX client, loads with its template environment alone, and an unreachable cluster falls back to the table',
    () => {
      // Prepare: the bundle, loaded as Lambda loads it, and an event for one of its cached routes.
      const bundle = catalogBundle({ dax: 'true' });
      expect(readFileSync(bundle, 'utf8')).toContain(DAX_CLIENT_CODE);
      const loaded = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(bundle)})`], {
        encoding: 'utf8',
        env: { ...LAMBDA_ENVIRONMENT, ...cachedCatalog?.variables },
      });
      expect({ status: loaded.status, stderr: loaded.stderr }).toEqual({ status: 0, stderr: '' });
      const event = apiEvent('GET /products/{sku}', { pathParameters: { sku: 'PEN-01' } });
      const script = `require(${JSON.stringify(bundle)}).handler(${JSON.stringify(event)}, ${JSON.stringify(
        lambdaContext(),
      )}).then((r) => { console.log('RESULT ' + JSON.stringify(r)); process.exit(0); })`;

      // Act: nothing listens on the cluster's port or the table's endpoint here.
      const result = spawnSync(process.execPath, ['-e', script], {
        encoding: 'utf8',
        timeout: BUNDLING_TIMEOUT_MS,
        env: {
          ...LAMBDA_ENVIRONMENT,
          ...cachedCatalog?.variables,
          DAX_ENDPOINT: 'daxs://127.0.0.1',
          AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
          AWS_ACCESS_KEY_ID: 'AKIATEST',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_MAX_ATTEMPTS: '1',
          POWERTOOLS_LOG_LEVEL: 'WARN',
          POWERTOOLS_METRICS_DISABLED: 'true',
        },
      });

      // Assess: the lazy import found lib-dax in the bundle, DAX failed, and the table was asked.
      // (Powertools writes warnings and errors to stderr.)
      expect(result.status).toBe(0);
      expect(result.stderr).toContain('"message":"DAX read failed; reading from the table"');
      expect(result.stderr).not.toContain('Cannot find module');
      expect(result.stderr).toContain('connect ECONNREFUSED 127.0.0.1:9');
      expect(result.stdout).toMatch(/RESULT \{"statusCode":500/);
    },
    BUNDLING_TIMEOUT_MS,
  );

  test(
    'WHEN dax is off THEN the DAX client is left out of the bundle, which loads with its template environment alone',
    () => {
      const bundle = catalogBundle({});
      expect(readFileSync(bundle, 'utf8')).not.toContain(DAX_CLIENT_CODE);
      const plain = functions.find((fn) => fn.description === FUNCTION_GROUPS.Catalog.description);
      const result = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(bundle)})`], {
        encoding: 'utf8',
        env: { ...LAMBDA_ENVIRONMENT, ...plain?.variables },
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    },
    BUNDLING_TIMEOUT_MS,
  );
});
