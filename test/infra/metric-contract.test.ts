/**
 * The metric contract: every alarm and every dashboard graph of every configuration variant
 * queries metrics on dimension sets AWS publishes them with, and no alarm holds more metrics than
 * CloudWatch accepts. moto stores alarms without evaluating them and nothing here runs CloudWatch,
 * so this is where a wrong dimension is caught: in AWS it would not fail, it would stay silent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IDEMPOTENCY_OPERATIONS, TABLE_OPERATIONS } from '../../lib/stacks/monitoring-stack';
import { CONFIG_VARIANTS, synthTemplates, testConfig } from '../fixtures/app';
import {
  dashboardWidgets,
  type MetricUse,
  metricAlarmsOf,
  metricsOfAlarm,
  metricsOfWidget,
  queryCounts,
} from '../fixtures/cloudwatch';
import { ALARM_LIMITS, CONTRACT_NAMESPACES, contractProblem } from '../fixtures/metric-contract';

const use = (namespace: string, metricName: string, values: Record<string, string>, statistic = 'Sum'): MetricUse => ({
  namespace,
  metricName,
  dimensions: Object.keys(values).sort(),
  values,
  statistic,
});

describe('GIVEN the metric contract', () => {
  test.each<[string, MetricUse]>([
    // Each of these is in aws-samples/amazon-dynamodb-monitoring's alarm template.
    ['SystemErrors by table alone', use('AWS/DynamoDB', 'SystemErrors', { TableName: 't' })],
    ['SystemErrors by index', use('AWS/DynamoDB', 'SystemErrors', { TableName: 't', GlobalSecondaryIndexName: 'g' })],
    ['UserErrors by table', use('AWS/DynamoDB', 'UserErrors', { TableName: 't' })],
    ['latency without an operation', use('AWS/DynamoDB', 'SuccessfulRequestLatency', { TableName: 't' }, 'p99')],
    [
      'TTL deletions by index',
      use('AWS/DynamoDB', 'TimeToLiveDeletedItemCount', { TableName: 't', GlobalSecondaryIndexName: 'g' }),
    ],
    ['an operation DynamoDB does not name', use('AWS/DynamoDB', 'SystemErrors', { TableName: 't', Operation: 'Get' })],
    ['a metric it does not know', use('AWS/DynamoDB', 'ConsumedCapacity', { TableName: 't' })],
    ['a custom-bus rule by rule name alone', use('AWS/Events', 'FailedInvocations', { RuleName: 'r' })],
    [
      'backup jobs by a dimension AWS Backup does not publish',
      use('AWS/Backup', 'NumberOfBackupJobsFailed', { TableName: 't' }),
    ],
    [
      'backup jobs of a misspelt resource type',
      use('AWS/Backup', 'NumberOfCopyJobsFailed', { ResourceType: 'Dynamodb' }),
    ],
    ['a backup metric it does not know', use('AWS/Backup', 'NumberOfBackupsFailed', { BackupVaultName: 'v' })],
    ['a DAX metric by node alone', use('AWS/DAX', 'CPUUtilization', { NodeId: 'n-1' }, 'Maximum')],
    ['a DAX metric by table', use('AWS/DAX', 'ItemCacheMisses', { TableName: 't' })],
    ['a DAX metric it does not know', use('AWS/DAX', 'CacheHitRate', { ClusterId: 'c' })],
    ['executions by state machine name', use('AWS/States', 'ExecutionsFailed', { StateMachineName: 'm' })],
    [
      'scheduler failures by schedule name, which it does not publish',
      use('AWS/Scheduler', 'InvocationsFailedToBeSentToDeadLetterCount', { ScheduleName: 's' }),
    ],
  ])('THEN it rejects %s', (_what, metric) => {
    expect(contractProblem(metric)).toEqual(expect.any(String));
  });

  test.each<[string, MetricUse]>([
    [
      'SystemErrors per operation',
      use('AWS/DynamoDB', 'SystemErrors', { TableName: 't', Operation: 'TransactWriteItems' }),
    ],
    [
      'throttles of an index',
      use('AWS/DynamoDB', 'ReadThrottleEvents', { TableName: 't', GlobalSecondaryIndexName: 'g' }),
    ],
    [
      'replication latency per region',
      use('AWS/DynamoDB', 'ReplicationLatency', { TableName: 't', ReceivingRegion: 'us-west-2' }),
    ],
    ['account-wide user errors', use('AWS/DynamoDB', 'UserErrors', {})],
    ['a custom-bus rule by bus and rule', use('AWS/Events', 'FailedInvocations', { EventBusName: 'b', RuleName: 'r' })],
    ['a namespace it does not cover', use('AWS/Lambda', 'Errors', { FunctionName: 'f' })],
    ['backup jobs of one vault', use('AWS/Backup', 'NumberOfBackupJobsFailed', { BackupVaultName: 'v' })],
    ['restore jobs of DynamoDB', use('AWS/Backup', 'NumberOfRestoreJobsFailed', { ResourceType: 'DynamoDB' })],
    ['a DAX cluster metric', use('AWS/DAX', 'EvictedSize', { ClusterId: 'orderstore-dev-1a2b' })],
    ['a DAX node metric', use('AWS/DAX', 'CPUUtilization', { ClusterId: 'c', NodeId: 'c-a' }, 'Maximum')],
    ['executions by state machine ARN', use('AWS/States', 'ExecutionsAborted', { StateMachineArn: 'arn' })],
    [
      'scheduler dead-letter failures by schedule group',
      use('AWS/Scheduler', 'InvocationsFailedToBeSentToDeadLetterCount', { ScheduleGroup: 'g' }),
    ],
  ])('THEN it accepts %s', (_what, metric) => {
    expect(contractProblem(metric)).toBeUndefined();
  });
});

describe.each(Object.entries(CONFIG_VARIANTS))('GIVEN the %s variant', (_name, raw) => {
  const templates = synthTemplates(raw);
  const alarms = metricAlarmsOf(templates);

  test('THEN there are alarms, and each queries DynamoDB, EventBridge, AWS Backup, DAX, Step Functions and Scheduler metrics by dimensions AWS publishes', () => {
    expect(alarms.length).toBeGreaterThan(20);
    const covered = alarms
      .flatMap((a) => metricsOfAlarm(a.properties))
      .filter((m) => CONTRACT_NAMESPACES.includes(m.namespace));
    expect(covered.length).toBeGreaterThan(10);
    const problems = alarms.flatMap((alarm) =>
      metricsOfAlarm(alarm.properties).flatMap((metric) => {
        const problem = contractProblem(metric);
        return problem === undefined ? [] : [`${alarm.properties.AlarmName}: ${problem}`];
      }),
    );
    expect(problems).toEqual([]);
  });

  test('THEN no alarm holds more than 10 metrics or 10 expressions', () => {
    const over = alarms
      .map((alarm) => ({ name: alarm.properties.AlarmName, ...queryCounts(alarm.properties) }))
      .filter((c) => c.metrics > ALARM_LIMITS.metrics || c.expressions > ALARM_LIMITS.expressions);
    expect(over).toEqual([]);
  });

  test('THEN every graph of the dashboard, if there is one, draws metrics by dimensions AWS publishes', () => {
    const widgets = dashboardWidgets(templates.monitoring);
    if (testConfig(raw).monitoring.dashboard) {
      const drawn = widgets.flatMap(metricsOfWidget).filter((m) => CONTRACT_NAMESPACES.includes(m.namespace));
      expect(drawn.length).toBeGreaterThan(10);
    } else {
      expect(widgets).toEqual([]);
    }
    const problems = widgets.flatMap((widget) =>
      metricsOfWidget(widget).flatMap((metric) => {
        const problem = contractProblem(metric);
        return problem === undefined ? [] : [`${widget.properties.title}: ${problem}`];
      }),
    );
    expect(problems).toEqual([]);
  });
});

describe('GIVEN the operations the functions call', () => {
  /** Commands of the document client and the low-level client, by the DynamoDB operation they send. */
  const OPERATION_OF: Record<string, string> = {
    Get: 'GetItem',
    Put: 'PutItem',
    Update: 'UpdateItem',
    Delete: 'DeleteItem',
    Query: 'Query',
    Scan: 'Scan',
    BatchGet: 'BatchGetItem',
    BatchWrite: 'BatchWriteItem',
    TransactGet: 'TransactGetItems',
    TransactWrite: 'TransactWriteItems',
    ExecuteStatement: 'ExecuteStatement',
    ExecuteTransaction: 'ExecuteTransaction',
    BatchExecuteStatement: 'BatchExecuteStatement',
  };
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? sources(join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [readFileSync(join(dir, entry.name), 'utf8')]
          : [],
    );
  const called = new Set(
    sources(join(__dirname, '..', '..', 'lambdas')).flatMap((source) =>
      [...source.matchAll(/new (\w+?)(?:Item|Items)?Command\(/g)].flatMap((m) => {
        const operation = OPERATION_OF[m[1] ?? ''];
        return operation === undefined ? [] : [operation];
      }),
    ),
  );

  test('THEN the table SystemErrors alarm sums exactly the operations the functions call', () => {
    expect(called.size).toBeGreaterThan(5);
    expect([...TABLE_OPERATIONS].sort()).toEqual([...called].sort());
  });

  test('THEN the idempotency table is watched on the four item operations Powertools idempotency uses', () => {
    const idempotencyTable = readFileSync(
      join(
        __dirname,
        '..',
        '..',
        'node_modules/@aws-lambda-powertools/idempotency/lib/cjs/persistence/DynamoDBPersistenceLayer.js',
      ),
      'utf8',
    );
    const commands = new Set([...idempotencyTable.matchAll(/(\w+Item)Command\(/g)].map((m) => m[1]));
    expect([...IDEMPOTENCY_OPERATIONS].sort()).toEqual([...commands].sort());
  });
});
