/**
 * Every function loads with exactly the environment its template gives it.
 *
 * Handlers read their configuration when Lambda loads them, so a module that needs a variable the
 * stack does not set fails every cold start in AWS, while tests that set the variable themselves
 * pass. Each handler is loaded here in a fresh Node process whose environment is only the
 * function's variables from the template (references replaced by placeholders) and a region.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FUNCTION_GROUPS } from '../../lambdas/model/api-catalogue';
import { groupHandler } from '../../lib/stacks/api-stack';
import { FULFILMENT_STEPS } from '../../lib/stacks/fulfilment-stack';
import { STREAM_CONSUMERS } from '../../lib/stacks/streams-stack';
import { synthTemplates } from '../fixtures/app';

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

const functions = Object.values(synthTemplates())
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
    return { description: props.Description ?? '', variables: Object.fromEntries(variables) as Record<string, string> };
  })
  .filter((fn) => handlers.has(fn.description));

test('every function of the app is checked', () => {
  expect(functions.map((fn) => fn.description).sort()).toEqual([...handlers.keys()].sort());
});

test.each(functions.map((fn) => [handlers.get(fn.description) as string, fn.variables] as const))(
  '%s loads with its template environment alone',
  (handler, variables) => {
    const entry = join(ROOT, 'lambdas', 'handlers', handler);
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', `require(${JSON.stringify(entry)})`], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'eu-west-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...variables,
      },
    });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
  },
);
