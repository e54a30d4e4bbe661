/**
 * The monitoring constructs refuse what CloudWatch or DynamoDB would refuse later, or what could
 * never alarm, and say what was wrong.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, Billing, Capacity, Operation, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { thresholdAlarm } from '../../lib/alarms';
import { Alerting } from '../../lib/constructs/alerting';
import { AppTable } from '../../lib/constructs/app-table';
import { OpsDashboard } from '../../lib/constructs/ops-dashboard';
import { StreamConsumerAlarms } from '../../lib/constructs/stream-consumer-alarms';
import { TableAlarms } from '../../lib/constructs/table-alarms';

function scaffold() {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const key = new Key(stack, 'Key');
  const alerting = new Alerting(stack, 'Alerting', {
    encryptionKey: key,
    alarmPrefix: 'Test-dev',
    topicName: 'Test-dev-alarms',
  });
  const table = new TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
  const fn = new LambdaFunction(stack, 'Fn', {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => {}'),
  });
  return { app, stack, key, alerting, table, fn };
}

describe('GIVEN the monitoring constructs', () => {
  test('THEN TableAlarms refuses more than 10 operations, which one SystemErrors alarm cannot hold', () => {
    const { stack, alerting, table } = scaffold();
    const operations = Object.values(Operation).filter((op) => op !== Operation.GET_RECORDS);
    expect(() => new TableAlarms(stack, 'Alarms', { table, label: 'Table', sink: alerting, operations })).toThrow(
      'TableAlarms Alarms: operations must name 1 to 10 operations (one alarm sums their SystemErrors), got 13',
    );
  });

  test('THEN TableAlarms refuses a capacity percentage above 100', () => {
    const { stack, alerting, table } = scaffold();
    expect(
      () =>
        new TableAlarms(stack, 'Alarms', {
          table,
          label: 'Table',
          sink: alerting,
          operations: [Operation.GET_ITEM],
          capacityAlarmPercent: 120,
        }),
    ).toThrow('TableAlarms Alarms: capacityAlarmPercent must be above 0 and at most 100, got 120');
  });

  test('THEN StreamConsumerAlarms refuses a mapping that gives records up before its consumer could even warn', () => {
    const { stack, alerting, fn } = scaffold();
    expect(
      () =>
        new StreamConsumerAlarms(stack, 'Lag', {
          function: fn,
          failures: new Queue(stack, 'Failures'),
          maxBatchingWindow: Duration.seconds(60),
          maxRecordAge: Duration.minutes(3),
          label: 'Consumer',
          sink: alerting,
        }),
    ).toThrow(
      "StreamConsumerAlarms Lag: the critical lag (90000 ms) must exceed the warning lag (120000 ms); raise the mapping's maxRecordAge",
    );
  });

  test('THEN the alarm topic without any critical alarm to page on fails synthesis, saying so', () => {
    const { app } = scaffold();
    expect(() => app.synth()).toThrow(/no critical alarm was routed here, so the paging alarm has no rule/);
  });

  test('THEN an alarm description longer than CloudWatch allows is refused', () => {
    const { stack, alerting } = scaffold();
    expect(() =>
      thresholdAlarm(stack, 'Long', alerting, {
        subject: 'Long',
        severity: 'warning',
        meaning: 'x'.repeat(1_000),
        runbook: 'anchor',
        metric: new Metric({ namespace: 'Test', metricName: 'Test' }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ).toThrow(/Alarm Long: description is \d+ characters; CloudWatch allows 1024/);
  });

  test('THEN the dashboard refuses more alarms than its status widget shows', () => {
    const { stack, alerting, fn, table } = scaffold();
    const alarms = Array.from({ length: 101 }, (_, i) =>
      thresholdAlarm(stack, `A${i}`, alerting, {
        subject: `A${i}`,
        severity: 'critical',
        meaning: 'Test.',
        runbook: 'anchor',
        metric: new Metric({ namespace: 'Test', metricName: 'Test' }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    expect(
      () =>
        new OpsDashboard(stack, 'Dashboard', {
          dashboardName: 'Test',
          alarms,
          tables: [{ label: 'Table', table, operations: [Operation.GET_ITEM] }],
          metricsNamespace: 'Test',
          streamConsumers: [],
          queues: [],
          // Never reached: the alarms are refused first.
          workflow: { stateMachine: undefined as never, trigger: undefined as never, bus: undefined as never },
          functions: [{ label: 'Fn', function: fn }],
        }),
    ).toThrow('OpsDashboard Dashboard: 101 alarms; the alarm status widget shows at most 100');
  });

  test('THEN AppTable refuses an on-demand ceiling on a provisioned table, and a ceiling that is not a whole number', () => {
    const { stack, key } = scaffold();
    expect(
      () =>
        new AppTable(stack, 'Provisioned', {
          encryptionKey: key,
          billing: Billing.provisioned({
            readCapacity: Capacity.autoscaled({ maxCapacity: 10 }),
            writeCapacity: Capacity.autoscaled({ maxCapacity: 10 }),
          }),
          maxReadRequestUnits: 100,
        }),
    ).toThrow(
      'AppTable Provisioned: maxReadRequestUnits and maxWriteRequestUnits apply to on-demand billing only; provisioned capacity is bounded by its autoscaling maximum',
    );
    expect(() => new AppTable(stack, 'Fraction', { encryptionKey: key, maxWriteRequestUnits: 2.5 })).toThrow(
      'AppTable Fraction: maxWriteRequestUnits must be a whole number from 1 to 40000, got 2.5',
    );
  });

  test('THEN AppTable puts the same on-demand ceiling on the table and each global index', () => {
    const stack = new Stack(new App(), 'Tables', { env: { account: '111111111111', region: 'eu-west-1' } });
    new AppTable(stack, 'Capped', {
      encryptionKey: new Key(stack, 'Key'),
      maxReadRequestUnits: 300,
      maxWriteRequestUnits: 30,
    });
    const [table] = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::GlobalTable'));
    expect(table?.Properties.WriteOnDemandThroughputSettings).toEqual({ MaxWriteRequestUnits: 30 });
    expect(table?.Properties.GlobalSecondaryIndexes.length).toBeGreaterThan(0);
    for (const index of table?.Properties.GlobalSecondaryIndexes ?? []) {
      expect(index.WriteOnDemandThroughputSettings).toEqual({ MaxWriteRequestUnits: 30 });
    }
    for (const replica of table?.Properties.Replicas ?? []) {
      expect(replica.ReadOnDemandThroughputSettings).toEqual({ MaxReadRequestUnits: 300 });
      for (const index of replica.GlobalSecondaryIndexes ?? []) {
        expect(index.ReadOnDemandThroughputSettings).toEqual({ MaxReadRequestUnits: 300 });
      }
    }
  });
});
