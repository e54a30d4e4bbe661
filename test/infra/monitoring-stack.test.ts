/**
 * The monitoring stack: each alarm family with its metric, dimensions, statistic, threshold,
 * comparison, evaluation and actions; the topic's encryption and TLS policy; the paging alarm; the
 * dashboard; and what each configuration variant adds or leaves out.
 *
 * What these tests cannot show is that the alarms fire: nothing here evaluates CloudWatch alarms
 * (moto stores them and never evaluates them). docs/operations/monitoring.md says how to check
 * delivery after a deploy.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { routeList } from '../../lambdas/model/api-catalogue';
import { FUNCTION_GROUPS } from '../../lambdas/model/api-routes';
import { GlobalIndexes } from '../../lambdas/model/table-design';
import { FULFILMENT_STEPS } from '../../lib/stacks/fulfilment-stack';
import { REQUEST_PATH_OPERATIONS, TABLE_OPERATIONS } from '../../lib/stacks/monitoring-stack';
import { STREAM_CONSUMERS, type StreamConsumerName } from '../../lib/stacks/streams-stack';
import { synthTemplates } from '../fixtures/app';
import { alarmsOf, dashboardWidgets, flatten, metricAlarmsOf, metricsOfWidget } from '../fixtures/cloudwatch';

type Props = Record<string, unknown>;

const INDEXES = Object.values(GlobalIndexes).map((index) => index.indexName);
const TOPIC = 'AWS::SNS::Topic';

/** The properties of the alarm with this name, which must exist once. */
function alarmNamed(template: Template, name: string): Props {
  const found = Object.values(template.toJSON().Resources as Record<string, { Properties: Props }>).filter(
    (r) => r.Properties?.AlarmName === name,
  );
  expect({ name, count: found.length }).toEqual({ name, count: 1 });
  return found[0]?.Properties ?? {};
}

function topicRef(template: Template): { Ref: string } {
  const topics = Object.keys(template.findResources(TOPIC));
  expect(topics).toHaveLength(1);
  return { Ref: topics[0] as string };
}

/** The output of another stack that a value reaches the monitoring stack through (a jest pattern). */
const fromStack = (stack: string) => ({ 'Fn::GetStackOutput': { StackName: `OrderStore-dev-${stack}` } });
/** The same, as a CDK assertions pattern. */
const fromStackMatch = (stack: string) =>
  Match.objectLike({ 'Fn::GetStackOutput': Match.objectLike({ StackName: `OrderStore-dev-${stack}` }) });

const metricStat = (metricName: string, stat: string, dimensions: Props[], period = 60) =>
  Match.objectLike({
    MetricStat: {
      Metric: { MetricName: metricName, Namespace: Match.anyValue(), Dimensions: dimensions },
      Period: period,
      Stat: stat,
    },
    ReturnData: false,
  });

const tableDimension = { Name: 'TableName', Value: fromStack('Data') };
const tableDimensionMatch = { Name: 'TableName', Value: fromStackMatch('Data') };

describe('MonitoringStack', () => {
  describe('GIVEN the default (dev) configuration', () => {
    const templates = synthTemplates();
    const { monitoring } = templates;
    const alarms = metricAlarmsOf({ monitoring });
    const topic = topicRef(monitoring);

    test('THEN the alarm topic is encrypted with the application key and named for the key policy', () => {
      monitoring.hasResourceProperties(TOPIC, {
        TopicName: 'OrderStore-dev-alarms',
        KmsMasterKeyId: Match.objectLike({
          'Fn::GetStackOutput': Match.objectLike({
            StackName: 'OrderStore-dev-Data',
            OutputName: Match.stringLikeRegexp('DataKey.*Arn'),
          }),
        }),
      });
    });

    test('THEN the topic refuses publishing without TLS and accepts only this stage’s alarms from CloudWatch', () => {
      monitoring.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [topic],
        PolicyDocument: {
          Statement: [
            {
              Sid: 'AllowPublishThroughSSLOnly',
              Effect: 'Deny',
              Principal: '*',
              Action: 'sns:Publish',
              Resource: topic,
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
            {
              Sid: 'AllowThisStagesAlarmsToPublish',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: topic,
              Condition: {
                StringEquals: { 'aws:SourceAccount': '111111111111' },
                ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:OrderStore-dev-*' },
              },
            },
          ],
          Version: '2012-10-17',
        },
      });
    });

    test('THEN the application key lets CloudWatch encrypt for exactly that topic, for this stage’s alarms', () => {
      templates.data.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            {
              Sid: 'AllowCloudWatchAlarmsToPublishToTheAlarmTopic',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: '*',
              Condition: {
                StringEquals: {
                  'aws:SourceAccount': '111111111111',
                  'kms:EncryptionContext:aws:sns:topicArn': 'arn:aws:sns:eu-west-1:111111111111:OrderStore-dev-alarms',
                },
                ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:OrderStore-dev-*' },
              },
            },
          ]),
        },
      });
    });

    test('THEN without alarmEmail the topic has no subscriber', () => {
      monitoring.resourceCountIs('AWS::SNS::Subscription', 0);
    });

    test('THEN every alarm notifies the topic when it fires and when it recovers, and says how bad and where its runbook is', () => {
      expect(alarms.length).toBeGreaterThan(60);
      for (const { properties } of alarmsOf({ monitoring })) {
        const name = properties.AlarmName as string;
        const severity = /^OrderStore-dev-(critical|warning)-/.exec(name)?.[1];
        expect({ name, severity }).toEqual({ name, severity: expect.stringMatching(/^(critical|warning)$/) });
        expect({ name, AlarmActions: properties.AlarmActions, OKActions: properties.OKActions }).toEqual({
          name,
          AlarmActions: [topic],
          OKActions: [topic],
        });
        expect(properties.AlarmDescription).toMatch(
          new RegExp(`^\\[${severity}\\] .+ Runbook: docs/operations/runbook\\.md#[a-z0-9-]+$`),
        );
      }
    });

    test('THEN the paging alarm is in ALARM while any critical alarm is, and only then', () => {
      const [composite] = alarmsOf({ monitoring }).filter((a) => a.type === 'AWS::CloudWatch::CompositeAlarm');
      const rule = JSON.stringify(composite?.properties.AlarmRule);
      const ids = (severity: string) =>
        alarms.filter((a) => (a.properties.AlarmName as string).includes(`-${severity}-`)).map((a) => a.logicalId);
      expect(ids('critical').length).toBeGreaterThan(10);
      for (const id of ids('critical')) expect(rule).toContain(`{"Fn::GetAtt":["${id}","Arn"]}`);
      for (const id of ids('warning')) expect(rule).not.toContain(`"${id}"`);
      expect(flatten(composite?.properties.AlarmRule)).toMatch(/^\(ALARM\("«ref»"\)( OR ALARM\("«ref»"\))+\)$/);
      expect(composite?.properties).toMatchObject({ AlarmName: 'OrderStore-dev-critical-Page', AlarmActions: [topic] });
    });

    test.each(['', ...INDEXES])('THEN throttles of the table or index "%s" warn, read and write', (index) => {
      for (const kind of ['Read', 'Write']) {
        const name = `OrderStore-dev-warning-Table${index === '' ? '' : `-${index}`}-${kind}Throttles`;
        expect(alarmNamed(monitoring, name)).toMatchObject({
          Namespace: 'AWS/DynamoDB',
          MetricName: `${kind}ThrottleEvents`,
          Dimensions: [...(index === '' ? [] : [{ Name: 'GlobalSecondaryIndexName', Value: index }]), tableDimension],
          Statistic: 'Sum',
          Period: 60,
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 5,
          DatapointsToAlarm: 3,
          TreatMissingData: 'notBreaching',
        });
      }
    });

    test('THEN SystemErrors is summed over every operation the app calls, transactions included, filling gaps with zero', () => {
      expect(TABLE_OPERATIONS).toEqual(expect.arrayContaining(['TransactWriteItems', 'TransactGetItems']));
      const alarm = alarmNamed(monitoring, 'OrderStore-dev-critical-Table-SystemErrors');
      expect(alarm).toMatchObject({
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 5,
        DatapointsToAlarm: 3,
        TreatMissingData: 'notBreaching',
      });
      expect(alarm.Metrics).toEqual([
        expect.objectContaining({ Expression: 'SUM(FILL(METRICS(), 0))', ReturnData: true }),
        ...TABLE_OPERATIONS.map(() => expect.anything()),
      ]);
      monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'OrderStore-dev-critical-Table-SystemErrors',
        Metrics: Match.arrayWith(
          TABLE_OPERATIONS.map((op) =>
            metricStat('SystemErrors', 'Sum', [{ Name: 'Operation', Value: op }, tableDimensionMatch]),
          ),
        ),
      });
    });

    test.each([...REQUEST_PATH_OPERATIONS])('THEN p99 latency of %s warns above its stage threshold', (operation) => {
      const multiItem = ['BatchGetItem', 'TransactGetItems', 'TransactWriteItems'].includes(operation);
      expect(alarmNamed(monitoring, `OrderStore-dev-warning-Table-${operation}-LatencyP99`)).toMatchObject({
        Namespace: 'AWS/DynamoDB',
        MetricName: 'SuccessfulRequestLatency',
        Dimensions: [{ Name: 'Operation', Value: operation }, tableDimension],
        ExtendedStatistic: 'p99',
        Period: 300,
        Threshold: multiItem ? 200 : 100,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 3,
        EvaluateLowSampleCountPercentile: 'ignore',
      });
    });

    test.each(['', ...INDEXES])('THEN consumption of "%s" warns at 80%% of its on-demand ceiling', (index) => {
      for (const [kind, ceiling] of [
        ['Read', 100],
        ['Write', 50],
      ] as const) {
        const alarm = alarmNamed(
          monitoring,
          `OrderStore-dev-warning-Table${index === '' ? '' : `-${index}`}-${kind}NearCeiling`,
        );
        expect(alarm).toMatchObject({
          Threshold: 80,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          EvaluationPeriods: 5,
          DatapointsToAlarm: 3,
        });
        expect(alarm.Metrics).toEqual([
          expect.objectContaining({ Expression: `100 * consumed / 60 / ${ceiling}` }),
          expect.objectContaining({
            Id: 'consumed',
            MetricStat: expect.objectContaining({
              Metric: expect.objectContaining({ MetricName: `Consumed${kind}CapacityUnits` }),
              Period: 60,
              Stat: 'Sum',
            }),
          }),
        ]);
      }
    });

    test('THEN conditional-check failures and transaction conflicts warn above their anomaly band', () => {
      for (const [subject, metricName] of [
        ['ConditionalCheckFailuresAnomaly', 'ConditionalCheckFailedRequests'],
        ['TransactionConflictsAnomaly', 'TransactionConflict'],
      ]) {
        const alarm = alarmNamed(monitoring, `OrderStore-dev-warning-Table-${subject}`);
        expect(alarm).toMatchObject({
          ComparisonOperator: 'GreaterThanUpperThreshold',
          ThresholdMetricId: 'expr_1',
          EvaluationPeriods: 3,
        });
        expect(alarm.Metrics).toMatchObject([
          { Id: 'expr_1', Expression: 'ANOMALY_DETECTION_BAND(m0, 3)' },
          {
            Id: 'm0',
            MetricStat: { Metric: { MetricName: metricName, Dimensions: [tableDimension] }, Period: 300, Stat: 'Sum' },
          },
        ]);
      }
    });

    test('THEN the dev stage does not expect carts to expire every day', () => {
      expect(alarms.filter((a) => JSON.stringify(a.properties).includes('TimeToLiveDeletedItemCount'))).toEqual([]);
    });

    test('THEN the idempotency table is watched for throttles, system errors on its four operations and its ceiling', () => {
      const names = alarms.map((a) => a.properties.AlarmName).filter((n) => String(n).includes('IdempotencyTable'));
      expect(names.sort()).toEqual(
        [
          'critical-IdempotencyTable-SystemErrors',
          'warning-IdempotencyTable-ReadNearCeiling',
          'warning-IdempotencyTable-ReadThrottles',
          'warning-IdempotencyTable-WriteNearCeiling',
          'warning-IdempotencyTable-WriteThrottles',
        ].map((n) => `OrderStore-dev-${n}`),
      );
    });

    const functions = [
      ...Object.keys(FUNCTION_GROUPS).map((label) => ({ label, timeoutMs: 10_000, severity: 'critical' })),
      ...Object.keys(STREAM_CONSUMERS).map((label) => ({ label, timeoutMs: 30_000, severity: 'warning' })),
      ...Object.keys(FULFILMENT_STEPS).map((label) => ({ label, timeoutMs: 20_000, severity: 'warning' })),
    ];

    test.each(functions)('THEN function $label alarms on error rate ($severity), throttles and p99 duration', (fn) => {
      const functionDimension = [{ Name: 'FunctionName', Value: Match.anyValue() }];
      const errorRate = alarmNamed(monitoring, `OrderStore-dev-${fn.severity}-${fn.label}-ErrorRate`);
      expect(errorRate).toMatchObject({
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 5,
        DatapointsToAlarm: 3,
      });
      expect((errorRate.Metrics as Props[]).map((m) => m.Expression ?? m.Id)).toEqual([
        '100 * FILL(errors, 0) / invocations',
        'errors',
        'invocations',
      ]);
      monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `OrderStore-dev-${fn.severity}-${fn.label}-ErrorRate`,
        Metrics: Match.arrayWith([
          metricStat('Errors', 'Sum', functionDimension),
          metricStat('Invocations', 'Sum', functionDimension),
        ]),
      });
      expect(alarmNamed(monitoring, `OrderStore-dev-warning-${fn.label}-Throttles`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Throttles',
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(alarmNamed(monitoring, `OrderStore-dev-warning-${fn.label}-DurationNearTimeout`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Duration',
        ExtendedStatistic: 'p99',
        Threshold: fn.timeoutMs * 0.8,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluateLowSampleCountPercentile: 'ignore',
      });
    });

    test.each(Object.keys(STREAM_CONSUMERS) as StreamConsumerName[])(
      'THEN stream consumer %s warns a minute behind, is critical an hour behind (or at half its record age), and alarms on its failure queue',
      (name) => {
        const { delivery } = STREAM_CONSUMERS[name];
        const lag = { Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Statistic: 'Maximum', Period: 60 };
        expect(alarmNamed(monitoring, `OrderStore-dev-warning-${name}-IteratorAge`)).toMatchObject({
          ...lag,
          Threshold: 60_000 + delivery.maxBatchingWindow.toMilliseconds(),
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 5,
        });
        expect(alarmNamed(monitoring, `OrderStore-dev-critical-${name}-IteratorAge`)).toMatchObject({
          ...lag,
          Threshold: Math.min(3_600_000, delivery.maxRecordAge.toMilliseconds() / 2),
        });
        expect(alarmNamed(monitoring, `OrderStore-dev-critical-${name}-Failures`)).toMatchObject({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: fromStack('Streams') }],
          Statistic: 'Maximum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          EvaluationPeriods: 1,
        });
      },
    );

    test('THEN the OrderEvents consumer, which gives records up after an hour, is critical at half an hour', () => {
      expect(alarmNamed(monitoring, 'OrderStore-dev-critical-OrderEvents-IteratorAge').Threshold).toBe(1_800_000);
    });

    test('THEN any timed-out fulfilment execution is critical', () => {
      expect(alarmNamed(monitoring, 'OrderStore-dev-critical-Fulfilment-ExecutionsTimedOut')).toMatchObject({
        Namespace: 'AWS/States',
        MetricName: 'ExecutionsTimedOut',
        Dimensions: [{ Name: 'StateMachineArn', Value: fromStack('Fulfilment') }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    });

    test('THEN failed executions are critical when at least 3 in a quarter hour are over 10% of those started', () => {
      const alarm = alarmNamed(monitoring, 'OrderStore-dev-critical-Fulfilment-ExecutionsFailed');
      expect(alarm).toMatchObject({ Threshold: 10, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
      const stateMachine = [{ Name: 'StateMachineArn', Value: fromStack('Fulfilment') }];
      expect(alarm.Metrics).toMatchObject([
        {
          Expression: 'IF(FILL(failed, 0) >= 3 AND FILL(started, 0) > 0, 100 * FILL(failed, 0) / started, 0)',
          ReturnData: true,
        },
        {
          Id: 'failed',
          MetricStat: {
            Metric: { MetricName: 'ExecutionsFailed', Dimensions: stateMachine },
            Period: 900,
            Stat: 'Sum',
          },
        },
        {
          Id: 'started',
          MetricStat: {
            Metric: { MetricName: 'ExecutionsStarted', Dimensions: stateMachine },
            Period: 900,
            Stat: 'Sum',
          },
        },
      ]);
    });

    test('THEN the OrderPlaced rule alarms on failed deliveries and lost dead letters, by bus and rule', () => {
      for (const [subject, metricName] of [
        ['TriggerFailedInvocations', 'FailedInvocations'],
        ['TriggerEventsLost', 'InvocationsFailedToBeSentToDlq'],
      ]) {
        expect(alarmNamed(monitoring, `OrderStore-dev-critical-Fulfilment-${subject}`)).toMatchObject({
          Namespace: 'AWS/Events',
          MetricName: metricName,
          Dimensions: [
            { Name: 'EventBusName', Value: fromStack('Streams') },
            { Name: 'RuleName', Value: fromStack('Fulfilment') },
          ],
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      }
    });

    test('THEN any OrderPlaced event in the dead-letter queue is critical', () => {
      expect(alarmNamed(monitoring, 'OrderStore-dev-critical-Fulfilment-TriggerDeadLetters')).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: fromStack('Fulfilment') }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    });

    test('THEN the API alarms on its 5xx rate (critical) and p99 latency (warning)', () => {
      const apiDimension = [{ Name: 'ApiId', Value: fromStack('Api') }];
      const apiDimensionMatch = [{ Name: 'ApiId', Value: fromStackMatch('Api') }];
      const rate = alarmNamed(monitoring, 'OrderStore-dev-critical-Api-5xxRate');
      expect(rate).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', DatapointsToAlarm: 3 });
      monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'OrderStore-dev-critical-Api-5xxRate',
        Metrics: [
          Match.objectLike({ Expression: '100 * FILL(errors, 0) / requests' }),
          metricStat('5xx', 'Sum', apiDimensionMatch),
          metricStat('Count', 'Sum', apiDimensionMatch),
        ],
      });
      expect(alarmNamed(monitoring, 'OrderStore-dev-warning-Api-LatencyP99')).toMatchObject({
        Namespace: 'AWS/ApiGateway',
        MetricName: 'Latency',
        Dimensions: apiDimension,
        ExtendedStatistic: 'p99',
        Threshold: 3_000,
      });
    });

    describe('THEN the dashboard', () => {
      const widgets = dashboardWidgets(monitoring);

      test('is named for the stage and region, since dashboards are global to an account', () => {
        monitoring.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'OrderStore-dev-eu-west-1' });
      });

      test('opens with the status of every alarm, across the full width', () => {
        expect(widgets[0]).toMatchObject({ type: 'alarm', x: 0, y: 0, width: 24 });
        expect(widgets[0]?.properties.alarms).toHaveLength(alarmsOf({ monitoring }).length);
        expect(widgets[0]?.properties.sortBy).toBe('stateUpdatedTimestamp');
      });

      test('then shows tables, access patterns, stream consumers, queues and the workflow, the API and the functions, in that order', () => {
        expect(widgets.filter((w) => w.type === 'text').map((w) => w.properties.markdown)).toEqual([
          '## Tables and indexes',
          '## Consumed capacity per access pattern',
          '## Stream consumers',
          '## Queues and the fulfilment workflow',
          '## HTTP API',
          '## Functions',
        ]);
        const ys = widgets.map((w) => w.y);
        expect(ys).toEqual([...ys].sort((a, b) => a - b));
      });

      test('draws request rate, p99 latency, throttles and consumed capacity of the table and of each index', () => {
        const graphs = widgets.filter((w) => String(w.properties.title).startsWith('Table: '));
        expect(graphs.map((w) => w.properties.title)).toEqual([
          'Table: requests per minute by operation',
          'Table: p99 latency by operation (ms)',
          'Table: throttle events, table and each index',
          'Table: consumed capacity units per second, table and each index',
        ]);
        const [requests, latency, throttles, capacity] = graphs.map(metricsOfWidget);
        expect(requests?.map((m) => [m.values.Operation, m.statistic])).toEqual(
          TABLE_OPERATIONS.map((op) => [op, 'SampleCount']),
        );
        expect(latency?.map((m) => [m.values.Operation, m.statistic])).toEqual(
          TABLE_OPERATIONS.map((op) => [op, 'p99']),
        );
        for (const graph of [throttles, capacity]) {
          expect(new Set(graph?.map((m) => m.values.GlobalSecondaryIndexName ?? 'table'))).toEqual(
            new Set(['table', ...INDEXES]),
          );
        }
      });

      test('draws the capacity each access pattern consumes, by the dimensions the handlers publish', () => {
        const routes = (Object.keys(FUNCTION_GROUPS) as (keyof typeof FUNCTION_GROUPS)[]).flatMap((group) =>
          routeList()
            .filter((r) => r.group === group)
            .map((r) => ({ service: `order-store-${group.toLowerCase()}`, route: r.route })),
        );
        for (const metricName of ['ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits']) {
          const drawn = widgets
            .flatMap(metricsOfWidget)
            .filter((m) => m.namespace === 'OrderStore' && m.metricName === metricName);
          expect(drawn.map((m) => ({ ...m.values }))).toEqual(routes);
          for (const m of drawn) expect(m.statistic).toBe('Sum');
        }
      });

      test('draws stream lag per consumer, every queue, and the workflow’s outcomes', () => {
        const drawn = widgets.flatMap(metricsOfWidget);
        expect(drawn.filter((m) => m.metricName === 'IteratorAge')).toHaveLength(Object.keys(STREAM_CONSUMERS).length);
        expect(drawn.filter((m) => m.metricName === 'ApproximateNumberOfMessagesVisible')).toHaveLength(
          Object.keys(STREAM_CONSUMERS).length + 1,
        );
        expect(drawn.filter((m) => m.namespace === 'AWS/States').map((m) => m.metricName)).toEqual([
          'ExecutionsStarted',
          'ExecutionsSucceeded',
          'ExecutionsFailed',
          'ExecutionsTimedOut',
          'ExecutionsAborted',
        ]);
      });
    });
  });

  describe('GIVEN the prod stage', () => {
    const { monitoring } = synthTemplates({ stage: 'prod' });

    test('THEN a day without any expired item warns, counting the silence as breaching', () => {
      expect(alarmNamed(monitoring, 'OrderStore-prod-warning-Table-NoExpiredItems')).toMatchObject({
        Namespace: 'AWS/DynamoDB',
        MetricName: 'TimeToLiveDeletedItemCount',
        Dimensions: [{ Name: 'TableName', Value: expect.anything() }],
        Statistic: 'Sum',
        Period: 86_400,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'breaching',
      });
    });

    test('THEN thresholds are the production ones', () => {
      expect(alarmNamed(monitoring, 'OrderStore-prod-critical-Catalog-ErrorRate').Threshold).toBe(1);
      expect(alarmNamed(monitoring, 'OrderStore-prod-warning-Table-GetItem-LatencyP99').Threshold).toBe(50);
      expect(alarmNamed(monitoring, 'OrderStore-prod-warning-Api-LatencyP99').Threshold).toBe(1_000);
    });
  });

  describe('GIVEN provisioned billing with an autoscaling maximum of 20 read units', () => {
    const { monitoring } = synthTemplates({ billing: 'provisioned', maxReadCapacity: 20 });
    const alarms = metricAlarmsOf({ monitoring });

    test('THEN consumption is compared with the autoscaling maximum and with what is provisioned, for the table and each index', () => {
      for (const target of ['Table', ...INDEXES.map((i) => `Table-${i}`)]) {
        const nearMax = alarmNamed(monitoring, `OrderStore-dev-warning-${target}-ReadNearCeiling`);
        expect((nearMax.Metrics as Props[])[0]?.Expression).toBe('100 * consumed / 60 / 20');
        const provisioned = alarmNamed(monitoring, `OrderStore-dev-warning-${target}-WriteAboveProvisioned`);
        expect(provisioned).toMatchObject({ Threshold: 80, EvaluationPeriods: 3 });
        expect((provisioned.Metrics as Props[]).map((m) => m.Expression ?? m.Id)).toEqual([
          '100 * consumed / 300 / provisioned',
          'consumed',
          'provisioned',
        ]);
        expect(JSON.stringify(provisioned.Metrics)).toContain('"MetricName":"ProvisionedWriteCapacityUnits"');
      }
    });

    test('THEN the idempotency table, on demand without a ceiling, has no capacity alarm', () => {
      expect(
        alarms.map((a) => String(a.properties.AlarmName)).filter((n) => /IdempotencyTable-.*Ceiling/.test(n)),
      ).toEqual([]);
    });
  });

  describe('GIVEN a replica in us-west-2', () => {
    const { monitoring } = synthTemplates({
      stage: 'prod',
      replicaKeyArns: 'arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });

    test('THEN replication latency to that region warns', () => {
      expect(alarmNamed(monitoring, 'OrderStore-prod-warning-Table-ReplicationLatency-us-west-2')).toMatchObject({
        Namespace: 'AWS/DynamoDB',
        MetricName: 'ReplicationLatency',
        Dimensions: [
          { Name: 'ReceivingRegion', Value: 'us-west-2' },
          { Name: 'TableName', Value: expect.anything() },
        ],
        Statistic: 'Average',
        Threshold: 30_000,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });
  });

  describe.each([
    ['an email address', 'oncall@example.com', 'email'],
    ['an https URL', 'https://alerts.example.com/hooks/order-store', 'https'],
  ])('GIVEN alarmEmail set to %s', (_what, alarmEmail, protocol) => {
    const { monitoring } = synthTemplates({ alarmEmail });

    test(`THEN it is subscribed to the alarm topic over ${protocol}`, () => {
      monitoring.resourcePropertiesCountIs('AWS::SNS::Subscription', {}, 1);
      monitoring.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: protocol,
        Endpoint: alarmEmail,
        TopicArn: topicRef(monitoring),
      });
    });
  });

  describe('GIVEN the LocalStack target', () => {
    const { monitoring } = synthTemplates({ target: 'localstack' });
    const names = metricAlarmsOf({ monitoring }).map((a) => String(a.properties.AlarmName));

    test('THEN the alarms, the topic and the paging alarm are there, without dashboard, anomaly, ceiling or API alarms', () => {
      expect(names.length).toBeGreaterThan(50);
      monitoring.resourceCountIs('AWS::SNS::Topic', 1);
      monitoring.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
      monitoring.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
      expect(names.filter((n) => /Anomaly|NearCeiling|-Api-/.test(n))).toEqual([]);
    });
  });
});
