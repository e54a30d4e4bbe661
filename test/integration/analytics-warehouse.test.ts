/**
 * The warehouse steps of the synthesized workflow (analytics with redshift=true), issued to moto's
 * Redshift Data API exactly as the state machine's tasks would issue them: every setup statement
 * and the load's CALL with its bound export date. moto records each statement and never runs it
 * (there is no Redshift here), so this proves what is sent and how the polling reads the answer,
 * not what Redshift does with it; test/infra/warehouse-sql.test.ts checks the SQL against the
 * model. moto's Step Functions cannot call the Redshift Data API itself (its aws-sdk integration
 * looks for a boto3 service named "redshiftdata"), which is why the tasks are replayed here.
 */
import type { DescribeStatementResponse, ExecuteStatementInput, SqlParameter } from '@aws-sdk/client-redshift-data';
import { reports } from '../../lib/analytics-schema';
import { LAKE_PREFIXES } from '../../lib/stacks/analytics-stack';
import { LOAD_STATEMENT, setupStatements } from '../../lib/warehouse-sql';
import { LOCAL_AWS } from '../../local/engines/dynamodb-local';
import { allStates, analyticsTemplate, workflowDefinition } from '../fixtures/analytics-workflow';
import { motoEndpoint } from '../fixtures/engines';

const resources = {
  tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/analytics',
  keyArn: 'arn:aws:kms:us-east-1:123456789012:key/analytics',
  bucket: 'lake-bucket',
  jobName: 'curation',
  databaseName: 'order_store_prod',
  workgroupName: 'orderstore-prod',
  workgroupArn: 'arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/wg',
  secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:warehouse-admin',
};
const definition = workflowDefinition(
  analyticsTemplate({ stage: 'prod', analytics: 'true', redshift: 'true' }),
  resources,
);
const states = Object.fromEntries(allStates(definition));

/** A task's Parameters with its `.$` paths read from the state, as Step Functions does. */
function parameters(state: string, input: Record<string, unknown>): Record<string, unknown> {
  const read = (path: string) =>
    path
      .replace(/^\$\.?/, '')
      .split('.')
      .filter((p) => p !== '')
      .reduce<unknown>((value, key) => (value as Record<string, unknown>)?.[key], input);
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) =>
        key.endsWith('.$') ? [key.slice(0, -2), read(String(v))] : [key, resolve(v)],
      ),
    );
  };
  return resolve(states[state]?.Parameters) as Record<string, unknown>;
}

/** Where a Choice state goes for the state it is given (only the conditions the workflow uses). */
function choose(state: string, input: Record<string, unknown>): string {
  type Rule = { Variable?: string; StringEquals?: string; Or?: Rule[]; Next?: string };
  const value = (path: string) =>
    path
      .split('.')
      .slice(1)
      .reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], input);
  const holds = (rule: Rule): boolean =>
    rule.Or !== undefined ? rule.Or.some(holds) : value(rule.Variable ?? '') === rule.StringEquals;
  const choice = states[state] as { Choices: Rule[]; Default: string };
  return choice.Choices.find(holds)?.Next ?? choice.Default;
}

/**
 * One Data API call, as the AWS JSON protocol sends it. The SDK client cannot read moto's answers
 * (moto writes `CreatedAt` as a date string where the protocol has epoch seconds), so the request
 * is made by hand: the same action, the same JSON body.
 */
async function dataApi<T>(action: 'ExecuteStatement' | 'DescribeStatement', body: Record<string, unknown>): Promise<T> {
  const response = await fetch(motoEndpoint(), {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `RedshiftData.${action}`,
      Authorization: `AWS4-HMAC-SHA256 Credential=${LOCAL_AWS.credentials.accessKeyId}/20261129/${LOCAL_AWS.region}/redshift-data/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${action} failed (${response.status}): ${text}`);
  return JSON.parse(text) as T;
}

/** Issue a statement as a task would, and read back what moto recorded. */
async function issue(input: Record<string, unknown>): Promise<DescribeStatementResponse> {
  const { Id } = await dataApi<{ Id?: string }>('ExecuteStatement', input satisfies Partial<ExecuteStatementInput>);
  if (Id === undefined) throw new Error('moto returned no statement id');
  return dataApi<DescribeStatementResponse>('DescribeStatement', { Id });
}

describe('GIVEN the synthesized workflow with a warehouse', () => {
  test('THEN every setup statement reaches the Data API as generated from the model, for this workgroup, with its secret', async () => {
    // Prepare
    const { statements } = (states.WarehouseStatements?.Result ?? { statements: [] }) as { statements: string[] };
    expect(statements).toEqual(
      setupStatements({
        bucket: resources.bucket,
        curatedPrefix: LAKE_PREFIXES.curated,
        glueDatabase: resources.databaseName,
        reports: reports(),
      }),
    );

    // Act: the map hands each statement to its item processor as {sql}
    const described = [];
    for (const sql of statements) described.push(await issue(parameters('RunSetup', { sql })));

    // Assess
    expect(parameters('RunSetup', { sql: 'SELECT 1' })).toEqual({
      WorkgroupName: 'orderstore-prod',
      Database: 'order_store',
      SecretArn: resources.secretArn,
      Sql: 'SELECT 1',
    });
    expect(described.map((d) => d.QueryString)).toEqual(statements);
    for (const d of described) {
      expect(d).toMatchObject({ Database: 'order_store', SecretArn: resources.secretArn });
    }
  });

  test('THEN the load is one CALL with the run’s export date bound as a parameter, never spliced into the SQL', async () => {
    // Act
    const described = await issue(parameters('RunLoad', { run: { exportDate: '2026-11-29' } }));

    // Assess
    expect(described.QueryString).toBe(LOAD_STATEMENT);
    expect(described.QueryString).not.toContain('2026-11-29');
    expect(described.QueryParameters).toEqual([{ name: 'export_date', value: '2026-11-29' }] satisfies SqlParameter[]);
    expect(described.SecretArn).toBe(resources.secretArn);
  });

  test('THEN the polling waits on a statement moto leaves STARTED, moves on when FINISHED and fails on FAILED or ABORTED', async () => {
    // Prepare
    const described = await issue(parameters('RunLoad', { run: { exportDate: '2026-11-29' } }));

    // Act & Assess
    expect(described.Status).toBe('STARTED');
    expect(choose('LoadFinished', { statementStatus: { status: described.Status } })).toBe('WaitForLoad');
    expect(choose('LoadFinished', { statementStatus: { status: 'FINISHED' } })).toBe('RunSucceeded');
    expect(choose('LoadFinished', { statementStatus: { status: 'FAILED' } })).toBe('WarehouseLoadFailed');
    expect(choose('LoadFinished', { statementStatus: { status: 'ABORTED' } })).toBe('WarehouseLoadFailed');
    expect(states.DescribeLoad?.Parameters).toEqual({ 'Id.$': '$.statement.id' });
  });
});
