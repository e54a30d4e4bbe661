import { Aws, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IJob } from 'aws-cdk-lib/aws-glue';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleGroup,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import {
  Choice,
  Condition,
  CustomerManagedEncryptionConfiguration,
  CustomState,
  DefinitionBody,
  Errors,
  Fail,
  type IChainable,
  JitterType,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  Result,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  type TaskStateBase,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService, GlueStartJobRun } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources, acknowledgeWildcardResourcesOfOtherStacks } from '../nag';

/** Where each run loads the warehouse, when there is one (lib/constructs/redshift-warehouse.ts). */
export interface WarehouseLoad {
  readonly workgroupName: string;
  readonly workgroupArn: string;
  readonly database: string;
  /** The admin secret Redshift manages, which the Data API reads on the workflow's behalf. */
  readonly secretArn: string;
  /** Idempotent statements run one by one before each load: schemas, tables, the load procedure, views. */
  readonly setupStatements: readonly string[];
  /** One statement that loads an export date, with `:export_date` as its only parameter. */
  readonly loadStatement: string;
}

export interface ExportWorkflowProps {
  /** The table to export; its point-in-time recovery must be on. */
  readonly table: ITableV2;
  /** The application key: encrypts the exports, the state machine, its logs and the schedule's dead letters. */
  readonly key: IKey;
  /** The lake bucket the exports are written to. */
  readonly lake: IBucket;
  /** Where exports go in the lake, ending in `/`; each run writes under `<prefix>export_date=<day>/run=<id>`. */
  readonly exportPrefix: string;
  /** The Glue job that curates an export. */
  readonly job: IJob;
  /**
   * Load each run into Redshift after the job.
   *
   * @default - no warehouse; the workflow ends with the job
   */
  readonly warehouse?: WarehouseLoad;
  /**
   * When the schedule starts a run.
   *
   * @default - every day at 02:00 UTC
   */
  readonly schedule?: ScheduleExpression;
  /** X-Ray tracing of the state machine. */
  readonly tracing: boolean;
  readonly logRemovalPolicy: RemovalPolicy;
  /**
   * How long to wait between two looks at the export, the job run or a statement.
   *
   * @default - a minute for the export and the job, ten seconds for statements
   */
  readonly pollIntervals?: { readonly export?: Duration; readonly job?: Duration; readonly statement?: Duration };
  /**
   * How long a run may take in all.
   *
   * @default Duration.hours(6)
   */
  readonly timeout?: Duration;
}

/** The defaults, visible in one place. */
const DEFAULTS = {
  schedule: ScheduleExpression.cron({ minute: '0', hour: '2' }),
  exportPoll: Duration.minutes(1),
  jobPoll: Duration.minutes(1),
  statementPoll: Duration.seconds(10),
  timeout: Duration.hours(6),
  scheduleRetries: 5,
  scheduleMaxEventAge: Duration.hours(2),
} as const;

/** How a failed run ends, by the step that failed; the alarms and the runbook name them. */
export const RUN_FAILURES = {
  input: 'RunTimeMissing',
  export: 'ExportFailed',
  curation: 'CurationFailed',
  warehouse: 'WarehouseLoadFailed',
} as const;

const TERMINAL_JOB_FAILURES = ['FAILED', 'ERROR', 'TIMEOUT', 'STOPPED'] as const;

/**
 * The analytics export, as a Standard Step Functions workflow that EventBridge Scheduler starts
 * every night:
 *
 * 1. the run's time (the schedule's, or the one passed by whoever starts a run by hand) names its
 *    export date, its export prefix and its client token;
 * 2. `ExportTableToPointInTime` exports the whole table to that prefix, encrypted with the
 *    application key; a second start of the same run (a retried schedule invocation) passes the
 *    same client token and prefix, so DynamoDB returns the first export instead of starting one;
 * 3. `DescribeExport` is polled until the export completes or fails;
 * 4. the Glue job curates it into the lake for the export date, polled with `GetJobRun` (the
 *    `.sync` integration would poll too, but it is not what emulators run);
 * 5. with a warehouse, setup statements and the load run through the Redshift Data API, each
 *    polled with `DescribeStatement`.
 *
 * Every failure ends the execution failed, named after its step; the monitoring stack alarms on
 * failed executions and on the schedule's dead letters.
 */
export class ExportWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly schedule: Schedule;
  readonly scheduleGroup: ScheduleGroup;
  /** Where the schedule puts invocations it could not deliver after its retries. */
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: ExportWorkflowProps) {
    super(scope, id);
    if (!props.exportPrefix.endsWith('/')) {
      throw new Error(`ExportWorkflow: exportPrefix must end in "/", got ${JSON.stringify(props.exportPrefix)}`);
    }
    const { table, key, lake, job } = props;
    const polls = {
      export: props.pollIntervals?.export ?? DEFAULTS.exportPoll,
      job: props.pollIntervals?.job ?? DEFAULTS.jobPoll,
      statement: props.pollIntervals?.statement ?? DEFAULTS.statementPoll,
    };

    const failed = (step: keyof typeof RUN_FAILURES, cause: string) =>
      new Fail(this, RUN_FAILURES[step], { error: RUN_FAILURES[step], cause });
    const exportFailed = failed(
      'export',
      'The table export could not start or ended FAILED; see DescribeExport in the history',
    );
    const curationFailed = failed('curation', 'The curation job run did not succeed; see its run in the Glue console');
    const catchInto = (task: TaskStateBase, fail: Fail) =>
      task.addCatch(fail, { errors: [Errors.ALL], resultPath: '$.error' });

    // 1. The run: the schedule passes its scheduled time; a start by hand passes the time of the run
    // it repeats, or a new one. Colons are left out of the id: it names S3 folders.
    const part = (index: number) => `States.ArrayGetItem(States.StringSplit($.runTime, ':'), ${index})`;
    const prepare = new Pass(this, 'PrepareRun', {
      parameters: {
        'time.$': '$.runTime',
        'exportDate.$': "States.ArrayGetItem(States.StringSplit($.runTime, 'T'), 0)",
        'id.$': `States.Format('{}{}{}', ${part(0)}, ${part(1)}, ${part(2)})`,
      },
      resultPath: '$.run',
    });
    const locate = new Pass(this, 'LocateExport', {
      parameters: {
        'prefix.$': `States.Format('${props.exportPrefix}export_date={}/run={}', $.run.exportDate, $.run.id)`,
      },
      resultPath: '$.location',
    });
    const start = new Choice(this, 'RunTimeGiven')
      .when(
        Condition.and(
          Condition.isPresent('$.runTime'),
          Condition.isString('$.runTime'),
          Condition.stringMatches('$.runTime', '*-*-*T*:*:*'),
        ),
        prepare,
      )
      .otherwise(
        new Fail(this, RUN_FAILURES.input, {
          error: RUN_FAILURES.input,
          cause:
            'Start the workflow with {"runTime": "<ISO-8601 instant, e.g. 2026-11-29T02:00:00Z>"}: the schedule passes its scheduled time, and a run started by hand names the run it repeats or a new one.',
        }),
      );

    // 2. The export. DynamoDB writes the files with the caller's permissions: this role's.
    const exportObjects = lake.arnForObjects(`${props.exportPrefix}*`);
    const startExport = new CallAwsService(this, 'StartExport', {
      service: 'dynamodb',
      action: 'exportTableToPointInTime',
      parameters: {
        TableArn: table.tableArn,
        S3Bucket: lake.bucketName,
        S3Prefix: JsonPath.stringAt('$.location.prefix'),
        ExportFormat: 'DYNAMODB_JSON',
        ExportType: 'FULL_EXPORT',
        S3SseAlgorithm: 'KMS',
        S3SseKmsKeyId: key.keyArn,
        ClientToken: JsonPath.stringAt('$.run.id'),
      },
      iamResources: [table.tableArn],
      iamAction: 'dynamodb:ExportTableToPointInTime',
      additionalIamStatements: [
        new PolicyStatement({
          // The actions DynamoDB's export documents for the destination, on the exports prefix only.
          actions: ['s3:PutObject', 's3:PutObjectAcl', 's3:AbortMultipartUpload'],
          resources: [exportObjects],
        }),
      ],
      resultSelector: { 'arn.$': '$.ExportDescription.ExportArn' },
      resultPath: '$.export',
    }).addRetry({
      errors: ['DynamoDb.LimitExceededException', 'DynamoDb.InternalServerErrorException'],
      interval: Duration.minutes(1),
      maxAttempts: 3,
      backoffRate: 2,
      jitterStrategy: JitterType.FULL,
    });
    catchInto(startExport, exportFailed);

    // 3. Its end, looked at every minute: exports take minutes even for a small table.
    const describeExport = new CallAwsService(this, 'DescribeExport', {
      service: 'dynamodb',
      action: 'describeExport',
      parameters: { ExportArn: JsonPath.stringAt('$.export.arn') },
      iamResources: [`${table.tableArn}/export/*`],
      iamAction: 'dynamodb:DescribeExport',
      resultSelector: { 'status.$': '$.ExportDescription.ExportStatus' },
      resultPath: '$.exportStatus',
    });
    catchInto(describeExport, exportFailed);
    const waitForExport = new Wait(this, 'WaitForExport', { time: WaitTime.duration(polls.export) });

    // 4. The curation job, for the run's export and export date.
    const startCuration = new GlueStartJobRun(this, 'StartCuration', {
      glueJobName: job.jobName,
      arguments: TaskInput.fromObject({
        '--export_prefix': JsonPath.format(`s3://${lake.bucketName}/{}/`, JsonPath.stringAt('$.location.prefix')),
        '--export_arn': JsonPath.stringAt('$.export.arn'),
        '--export_date': JsonPath.stringAt('$.run.exportDate'),
      }),
      resultSelector: { 'id.$': '$.JobRunId' },
      resultPath: '$.curation',
    }).addRetry({
      errors: ['Glue.ConcurrentRunsExceededException'],
      interval: Duration.minutes(2),
      maxAttempts: 5,
      backoffRate: 2,
      jitterStrategy: JitterType.FULL,
    });
    catchInto(startCuration, curationFailed);
    const getJobRun = new CallAwsService(this, 'GetJobRun', {
      service: 'glue',
      action: 'getJobRun',
      parameters: { JobName: job.jobName, RunId: JsonPath.stringAt('$.curation.id') },
      iamResources: [job.jobArn],
      iamAction: 'glue:GetJobRun',
      resultSelector: { 'state.$': '$.JobRun.JobRunState' },
      resultPath: '$.curationStatus',
    });
    catchInto(getJobRun, curationFailed);
    const waitForCuration = new Wait(this, 'WaitForCuration', { time: WaitTime.duration(polls.job) });

    const done = new Succeed(this, 'RunSucceeded');
    const afterCuration: IChainable =
      props.warehouse === undefined ? done : this.warehouseSteps(props.warehouse, polls.statement, done);

    prepare
      .next(locate)
      .next(startExport)
      .next(waitForExport)
      .next(describeExport)
      .next(
        new Choice(this, 'ExportFinished')
          .when(Condition.stringEquals('$.exportStatus.status', 'COMPLETED'), startCuration)
          .when(Condition.stringEquals('$.exportStatus.status', 'FAILED'), exportFailed)
          .otherwise(waitForExport),
      );
    startCuration
      .next(waitForCuration)
      .next(getJobRun)
      .next(
        new Choice(this, 'CurationFinished')
          .when(Condition.stringEquals('$.curationStatus.state', 'SUCCEEDED'), afterCuration)
          .when(
            Condition.or(
              ...TERMINAL_JOB_FAILURES.map((state) => Condition.stringEquals('$.curationStatus.state', state)),
            ),
            curationFailed,
          )
          .otherwise(waitForCuration),
      );

    const logs = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      encryptionKey: key,
      removalPolicy: props.logRemovalPolicy,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(start),
      timeout: props.timeout ?? DEFAULTS.timeout,
      tracingEnabled: props.tracing,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      encryptionConfiguration: new CustomerManagedEncryptionConfiguration(key),
    });
    // The exports are encrypted with the application key as DynamoDB writes them to S3 for this
    // role, and the warehouse's admin secret with the same key, which Secrets Manager decrypts for it.
    this.stateMachine.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'UseTheKeyThroughS3AndSecretsManager',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: {
            'kms:ViaService': ['s3', ...(props.warehouse === undefined ? [] : ['secretsmanager'])].map(
              (service) => `${service}.${Stack.of(this).region}.amazonaws.com`,
            ),
          },
        },
      }),
    );
    if (props.warehouse !== undefined) this.grantDescribeStatements();

    // The schedule, its retries and where an invocation it gave up on goes.
    this.deadLetters = new Queue(this, 'ScheduleDeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the analytics schedule; a message in it is a night whose run never started (docs/operations/runbook.md).',
    });
    this.scheduleGroup = new ScheduleGroup(this, 'ScheduleGroup');
    const scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'Starts the analytics export workflow on its schedule',
    });
    // The state machine and the dead-letter queue are encrypted with the application key.
    key.grant(scheduleRole, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.schedule = new Schedule(this, 'Schedule', {
      description: 'Nightly analytics export: DynamoDB table to the lake, curated by Glue',
      schedule: props.schedule ?? DEFAULTS.schedule,
      scheduleGroup: this.scheduleGroup,
      target: new StepFunctionsStartExecution(this.stateMachine, {
        role: scheduleRole,
        input: ScheduleTargetInput.fromObject({ runTime: ContextAttribute.scheduledTime }),
        deadLetterQueue: this.deadLetters,
        retryAttempts: DEFAULTS.scheduleRetries,
        maxEventAge: DEFAULTS.scheduleMaxEventAge,
      }),
    });

    acknowledgeWildcardResources(
      this.stateMachine.role,
      [exportObjects],
      'DynamoDB writes each export as new objects under the exports prefix, with the caller’s permissions.',
    );
    acknowledgeWildcardResourcesOfOtherStacks(
      this.stateMachine.role,
      [`${table.tableArn}/export/*`],
      'DescribeExport names one export of this table, whose id DynamoDB chooses when the export starts.',
    );
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: [
        props.tracing ? 'X-Ray tracing (PutTraceSegments, PutTelemetryRecords, GetSampling*) and ' : '',
        'CloudWatch Logs delivery (CreateLogDelivery and friends) support no resource-level permissions',
        props.warehouse === undefined
          ? '.'
          : '; nor does the Redshift Data API’s DescribeStatement, which is held to statements this role ran by the statement-owner condition.',
      ].join(''),
    });
    if (!props.tracing) {
      Validations.of(this.stateMachine).acknowledge({
        id: 'AwsSolutions-SF2',
        reason: 'The target has no X-Ray, so the workflow is deployed without tracing; see lib/targets.ts.',
      });
    }
  }

  /** Setup statements one by one, then the load, each through the Data API and polled. */
  private warehouseSteps(warehouse: WarehouseLoad, poll: Duration, done: Succeed): IChainable {
    const loadFailed = new Fail(this, RUN_FAILURES.warehouse, {
      error: RUN_FAILURES.warehouse,
      cause: 'A Redshift statement failed or was aborted; see DescribeStatement in the history and SYS_QUERY_HISTORY',
    });
    const target = {
      WorkgroupName: warehouse.workgroupName,
      Database: warehouse.database,
      SecretArn: warehouse.secretArn,
    };
    const dataApi = new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [warehouse.secretArn],
    });
    const statement = (name: string, parameters: Record<string, unknown>, next: IChainable, failed: Fail) => {
      const run = new CallAwsService(this, `Run${name}`, {
        service: 'redshiftdata',
        action: 'executeStatement',
        parameters: { ...target, ...parameters },
        iamResources: [warehouse.workgroupArn],
        iamAction: 'redshift-data:ExecuteStatement',
        additionalIamStatements: [dataApi],
        resultSelector: { 'id.$': '$.Id' },
        resultPath: '$.statement',
      });
      // A custom state rather than CallAwsService, whose grant could not carry the statement-owner
      // condition (grantDescribeStatements adds the grant).
      const describe = new CustomState(this, `Describe${name}`, {
        stateJson: {
          Type: 'Task',
          Resource: `arn:${Aws.PARTITION}:states:::aws-sdk:redshiftdata:describeStatement`,
          Parameters: { 'Id.$': '$.statement.id' },
          ResultSelector: { 'status.$': '$.Status' },
          ResultPath: '$.statementStatus',
        },
      });
      const wait = new Wait(this, `WaitFor${name}`, { time: WaitTime.duration(poll) });
      for (const task of [run, describe]) task.addCatch(failed, { errors: [Errors.ALL], resultPath: '$.error' });
      run
        .next(wait)
        .next(describe)
        .next(
          new Choice(this, `${name}Finished`)
            .when(Condition.stringEquals('$.statementStatus.status', 'FINISHED'), next)
            .when(
              Condition.or(
                Condition.stringEquals('$.statementStatus.status', 'FAILED'),
                Condition.stringEquals('$.statementStatus.status', 'ABORTED'),
              ),
              failed,
            )
            .otherwise(wait),
        );
      return run;
    };

    const load = statement(
      'Load',
      {
        Sql: warehouse.loadStatement,
        Parameters: [{ name: 'export_date', value: JsonPath.stringAt('$.run.exportDate') }],
      },
      done,
      loadFailed,
    );
    const setup = new MapState(this, 'SetUpWarehouse', {
      itemsPath: '$.warehouse.statements',
      itemSelector: { 'sql.$': '$$.Map.Item.Value' },
      // In order: schemas before tables, tables before the procedure and the views.
      maxConcurrency: 1,
      resultPath: JsonPath.DISCARD,
    });
    // A state belongs to one graph: the statements inside the map fail into a Fail state of their own,
    // which fails the map, which the map's catch turns into the run's failure.
    const setupFailed = new Fail(this, 'SetupStatementFailed', {
      error: 'SetupStatementFailed',
      cause: 'A setup statement failed or was aborted',
    });
    setup.itemProcessor(
      statement('Setup', { Sql: JsonPath.stringAt('$.sql') }, new Succeed(this, 'SetUp'), setupFailed),
    );
    setup.addCatch(loadFailed, { errors: [Errors.ALL], resultPath: '$.error' });
    const statements = new Pass(this, 'WarehouseStatements', {
      result: Result.fromObject({ statements: warehouse.setupStatements }),
      resultPath: '$.warehouse',
    });
    statements.next(setup).next(load);
    return statements;
  }

  /** What the warehouse steps need beyond their tasks' own grants; added once the role exists. */
  private grantDescribeStatements(): void {
    this.stateMachine.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'DescribeOwnStatements',
        // DescribeStatement has no resource-level permissions; the condition keeps it to the
        // statements this role ran.
        actions: ['redshift-data:DescribeStatement'],
        resources: ['*'],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, resolved by IAM.
        conditions: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
      }),
    );
  }
}
