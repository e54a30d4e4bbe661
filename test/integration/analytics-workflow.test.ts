/**
 * The synthesized analytics workflow, run by moto_server's Step Functions against moto's DynamoDB
 * export, S3 and Glue: a run exports the table into its own prefix, polls the export, starts the
 * curation job with that prefix and polls the job run to success; a run whose export fails ends
 * in the failure the alarms watch, without starting the job.
 *
 * What moto cannot show (docs/analytics.md): its Glue job runs succeed without running the script,
 * its export ignores the client token and encryption, and its Redshift Data API is not reachable
 * from its Step Functions (the warehouse steps are tested in analytics-warehouse.test.ts).
 */
import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateContinuousBackupsCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateJobCommand, GetJobRunsCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { marshall } from '@aws-sdk/util-dynamodb';
import { customerItem, productItem } from '../../lambdas/model/keys';
import { RUN_FAILURES } from '../../lib/constructs/export-workflow';
import { LOCAL_AWS } from '../../local/engines/dynamodb-local';
import {
  type AslDefinition,
  analyticsTemplate,
  type WorkflowResources,
  withShortWaits,
  workflowDefinition,
} from '../fixtures/analytics-workflow';
import { motoEndpoint } from '../fixtures/engines';
import { aCustomer, aProduct } from '../fixtures/entities';

const moto = () => ({ ...LOCAL_AWS, endpoint: motoEndpoint() });
const RUN_TIME = '2026-11-29T02:00:00Z';

let sfn: SFNClient;
let dynamodb: DynamoDBClient;
let s3: S3Client;
let glue: GlueClient;
let resources: WorkflowResources;
let definition: AslDefinition;

async function setExecution(on: boolean): Promise<void> {
  const response = await fetch(`${motoEndpoint()}/moto-api/config`, {
    method: 'POST',
    body: JSON.stringify({ stepfunctions: { execute_state_machine: on } }),
  });
  if (!response.ok) throw new Error(`moto refused its configuration: ${response.status}`);
}

async function createStateMachine(asl: AslDefinition): Promise<string> {
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({
      name: `analytics-${randomUUID().slice(0, 8)}`,
      definition: JSON.stringify(asl),
      roleArn: 'arn:aws:iam::123456789012:role/analytics-workflow',
    }),
  );
  if (stateMachineArn === undefined) throw new Error('moto created no state machine');
  return stateMachineArn;
}

/** Start an execution and wait for it to end (each poll of moto's executor takes a moment). */
async function run(stateMachineArn: string, input: Record<string, unknown>) {
  // Named: moto's executor names an unnamed execution "None", and a second one would clash.
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, name: randomUUID(), input: JSON.stringify(input) }),
  );
  let execution: DescribeExecutionCommandOutput | undefined;
  for (let attempt = 0; attempt < 300; attempt++) {
    execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const history: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken }));
    history.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const entered = history.flatMap((event) =>
    event.stateEnteredEventDetails?.name ? [event.stateEnteredEventDetails.name] : [],
  );
  // moto copies every state machine, with its executions, when it starts an execution, and an
  // execution that ran cannot be copied: remove each state machine once its run is read.
  await sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));
  return { execution, history, entered };
}

beforeAll(async () => {
  await setExecution(true);
  sfn = new SFNClient(moto());
  dynamodb = new DynamoDBClient(moto());
  s3 = new S3Client({ ...moto(), forcePathStyle: true });
  glue = new GlueClient(moto());
  const suffix = randomUUID().slice(0, 8);

  const { TableDescription } = await dynamodb.send(
    new CreateTableCommand({
      TableName: `analytics-${suffix}`,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
      ],
    }),
  );
  const tableName = `analytics-${suffix}`;
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: tableName });
  await dynamodb.send(
    new UpdateContinuousBackupsCommand({
      TableName: tableName,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    }),
  );
  for (const item of [customerItem(aCustomer()), productItem(aProduct())]) {
    await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: marshall(item) }));
  }
  const bucket = `lake-${suffix}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const jobName = `curation-${suffix}`;
  await glue.send(
    new CreateJobCommand({
      Name: jobName,
      Role: 'arn:aws:iam::123456789012:role/curation',
      Command: { Name: 'glueetl', ScriptLocation: 's3://assets/curate_export.py' },
      GlueVersion: '5.0',
    }),
  );
  resources = {
    tableArn: TableDescription?.TableArn ?? '',
    keyArn: 'arn:aws:kms:us-east-1:123456789012:key/analytics-test',
    bucket,
    jobName,
  };
  definition = withShortWaits(workflowDefinition(analyticsTemplate(), resources));
}, 120_000);

afterAll(async () => {
  await setExecution(false);
  for (const client of [sfn, dynamodb, s3, glue]) client?.destroy();
});

describe('GIVEN the synthesized analytics workflow on moto', () => {
  test('WHEN the schedule starts a run THEN it exports, polls the export, runs the curation job with the run’s prefix and succeeds', async () => {
    // Act
    const { execution, entered } = await run(await createStateMachine(definition), { runTime: RUN_TIME });

    // Assess: the path through the workflow
    expect(execution?.status).toBe('SUCCEEDED');
    expect(entered).toEqual([
      'RunTimeGiven',
      'PrepareRun',
      'LocateExport',
      'StartExport',
      'WaitForExport',
      'DescribeExport',
      'ExportFinished',
      'StartCuration',
      'WaitForCuration',
      'GetJobRun',
      'CurationFinished',
      'RunSucceeded',
    ]);
    const output = JSON.parse(execution?.output ?? '{}');
    const prefix = 'exports/export_date=2026-11-29/run=2026-11-29T020000Z';
    expect(output).toMatchObject({
      run: { time: RUN_TIME, exportDate: '2026-11-29', id: '2026-11-29T020000Z' },
      location: { prefix },
      exportStatus: { status: 'COMPLETED' },
      curationStatus: { state: 'SUCCEEDED' },
    });

    // Assess: the export is under the run's prefix, in DynamoDB's layout
    const { Contents = [] } = await s3.send(
      new ListObjectsV2Command({ Bucket: resources.bucket, Prefix: `${prefix}/` }),
    );
    expect(Contents.map((object) => object.Key)).toEqual([
      expect.stringMatching(new RegExp(`^${prefix}/AWSDynamoDB/[^/]+/data/[^/]+$`)),
    ]);

    // Assess: the job ran with the run's export and export date
    const { JobRuns = [] } = await glue.send(new GetJobRunsCommand({ JobName: resources.jobName }));
    const jobRun = JobRuns.find((r) => r.Id === output.curation.id);
    expect(jobRun?.Arguments).toEqual({
      '--export_prefix': `s3://${resources.bucket}/${prefix}/`,
      '--export_arn': output.export.arn,
      '--export_date': '2026-11-29',
    });
  });

  test('WHEN a run is started by hand without an ISO-8601 run time THEN it fails at once, saying what to pass', async () => {
    // Act
    const { execution, entered } = await run(await createStateMachine(definition), { runTime: 'yesterday' });

    // Assess
    expect(execution?.status).toBe('FAILED');
    expect(execution?.error).toBe(RUN_FAILURES.input);
    expect(execution?.cause).toMatch(/^Start the workflow with \{"runTime": /);
    expect(entered).toEqual(['RunTimeGiven', RUN_FAILURES.input]);
  });

  test('WHEN the same run is started again THEN it writes to the same prefix with the same client token', async () => {
    // Act
    const first = await run(await createStateMachine(definition), { runTime: '2026-11-30T02:00:00Z' });
    const again = await run(await createStateMachine(definition), { runTime: '2026-11-30T02:00:00Z' });

    // Assess: DynamoDB returns the first export for a repeated token within eight hours; moto
    // ignores the token and exports again, so only the request can be checked here.
    const [firstInput, againInput] = [first, again].map(({ history }) =>
      JSON.parse(
        history.find((e) => e.taskScheduledEventDetails?.resourceType === 'aws-sdk:dynamodb')?.taskScheduledEventDetails
          ?.parameters ?? '{}',
      ),
    );
    expect(firstInput).toMatchObject({
      ClientToken: '2026-11-30T020000Z',
      S3Prefix: 'exports/export_date=2026-11-30/run=2026-11-30T020000Z',
    });
    expect(againInput).toEqual(firstInput);
  });

  test('WHEN the export fails THEN the run ends in ExportFailed and the job never starts', async () => {
    // Prepare: an export to a bucket that does not exist fails (moto reports S3NoSuchBucket)
    const broken = withShortWaits(
      workflowDefinition(analyticsTemplate(), { ...resources, bucket: `missing-${randomUUID().slice(0, 8)}` }),
    );
    const runsBefore = (await glue.send(new GetJobRunsCommand({ JobName: resources.jobName }))).JobRuns?.length ?? 0;

    // Act
    const { execution, entered } = await run(await createStateMachine(broken), { runTime: RUN_TIME });

    // Assess
    expect(execution?.status).toBe('FAILED');
    expect(execution?.error).toBe(RUN_FAILURES.export);
    expect(entered).toContain('DescribeExport');
    expect(entered).not.toContain('StartCuration');
    expect(entered.at(-1)).toBe(RUN_FAILURES.export);
    const runsAfter = (await glue.send(new GetJobRunsCommand({ JobName: resources.jobName }))).JobRuns?.length ?? 0;
    expect(runsAfter).toBe(runsBefore);
  });
});
