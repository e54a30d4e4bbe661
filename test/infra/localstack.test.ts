/**
 * The LocalStack profile (`-c target=localstack`): its templates hold exactly the resource types
 * docs/localstack.md lists with their LocalStack plan, and what lib/targets.ts leaves
 * out stays out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { FUNCTION_GROUPS } from '../../lambdas/model/api-routes';
import { synthTemplates } from '../fixtures/app';

const PAGE = readFileSync(join(__dirname, '..', '..', 'docs', 'localstack.md'), 'utf8');

/** The backticked resource types in the first column of the first table after `## What the profile deploys`. */
function listedResourceTypes(markdown: string): string[] {
  const section = markdown.split(/^## What the profile deploys$/m)[1]?.split(/^## /m)[0];
  if (section === undefined) throw new Error('docs/localstack.md has no "## What the profile deploys" section');
  const lines = section.split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, i) => i > first && !line.startsWith('|'));
  const rows = lines.slice(first + 2, end === -1 ? undefined : end);
  return rows.map((row) => {
    const type = /^\|\s*`(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)`\s*\|/.exec(row)?.[1];
    if (type === undefined) throw new Error(`docs/localstack.md table row without a backticked resource type: ${row}`);
    return type;
  });
}

function resourceTypes(templates: Record<string, Template>): string[] {
  const types = Object.values(templates).flatMap((template) =>
    Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((resource) => resource.Type),
  );
  return [...new Set(types)].sort();
}

describe('GIVEN the LocalStack target', () => {
  const templates = synthTemplates({ target: 'localstack' });
  const listed = listedResourceTypes(PAGE);

  test('THEN the docs table lists each resource type once', () => {
    expect(listed.length).toBeGreaterThan(0);
    expect(new Set(listed).size).toBe(listed.length);
  });

  test('THEN every resource type in the templates is one docs/localstack.md lists with its LocalStack plan', () => {
    expect(resourceTypes(templates).filter((type) => !listed.includes(type))).toEqual([]);
  });

  test('THEN docs/localstack.md lists no resource type that the templates do not contain', () => {
    const synthesized = resourceTypes(templates);
    expect(listed.filter((type) => !synthesized.includes(type))).toEqual([]);
  });

  test('THEN no function traces with X-Ray, and Powertools’ tracer is off', () => {
    for (const template of Object.values(templates)) {
      for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
        expect(fn.Properties.TracingConfig).toBeUndefined();
        expect(fn.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBe('false');
      }
    }
  });

  test('THEN the state machine does not trace with X-Ray', () => {
    const machines = Object.values(templates.fulfilment.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(1);
    for (const machine of machines) expect(machine.Properties.TracingConfiguration?.Enabled).not.toBe(true);
  });

  test('THEN the route functions are deployed without an HTTP API, invoke policies or URL', () => {
    const api = templates.api.toJSON() as { Resources: Record<string, { Type: string }>; Outputs?: object };
    expect(Object.values(api.Resources).filter((r) => /^AWS::(ApiGatewayV2|ApiGateway)::/.test(r.Type))).toEqual([]);
    templates.api.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    templates.api.resourceCountIs('AWS::Lambda::Permission', 0);
    // The only outputs: the signing key's secret, which every target has, and the ones CDK publishes
    // for other stacks' references (the monitoring stack reads the functions' names). No URL.
    expect(Object.keys(api.Outputs ?? {}).filter((name) => !name.startsWith('PublishOutput'))).toEqual([
      'CursorSigningKeyArn',
    ]);
    templates.api.resourceCountIs('AWS::Lambda::Function', Object.keys(FUNCTION_GROUPS).length);
  });

  test("THEN the shoppers' user pool is left out with the API whose authorizer alone uses it", () => {
    templates.data.resourceCountIs('AWS::Cognito::UserPool', 0);
    templates.data.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
  });

  test('THEN the table is on demand, without Contributor Insights, and still streamed, encrypted and recoverable', () => {
    const [table] = Object.values(
      templates.data.findResources('AWS::DynamoDB::GlobalTable', {
        Properties: { StreamSpecification: Match.anyValue() },
      }),
    );
    expect(table?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
    expect(JSON.stringify(table)).not.toMatch(/"ContributorInsightsSpecification":\{"Enabled":true/);
    expect(table?.Properties.Replicas).toEqual([
      expect.objectContaining({
        PointInTimeRecoverySpecification: expect.objectContaining({ PointInTimeRecoveryEnabled: true }),
      }),
    ]);
  });
});
