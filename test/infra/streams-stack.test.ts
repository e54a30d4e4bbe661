import { Match } from 'aws-cdk-lib/assertions';
import { STREAM_CONSUMERS, type StreamConsumerName } from '../../lib/stacks/streams-stack';
import type { CfnTemplate } from '../../local/emulation/cloudformation';
import { streamMappingsOf } from '../../local/emulation/streams/mappings';
import { synthTemplates } from '../fixtures/app';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

describe('StreamsStack', () => {
  const { streams, fulfilment, data } = synthTemplates();
  const resources = streams.toJSON().Resources as Resources;
  const idOf = (type: string, predicate: (props: Record<string, unknown>) => boolean) => {
    const found = Object.entries(resources).filter(([, r]) => r.Type === type && predicate(r.Properties));
    expect(found).toHaveLength(1);
    return found[0]?.[0] as string;
  };
  const functionOf = (name: StreamConsumerName) =>
    idOf('AWS::Lambda::Function', (p) => p.Description === STREAM_CONSUMERS[name].description);
  const mappingOf = (name: StreamConsumerName) =>
    resources[idOf('AWS::Lambda::EventSourceMapping', (p) => JSON.stringify(p.FunctionName).includes(functionOf(name)))]
      ?.Properties as Record<string, unknown>;
  const statementsOf = (name: StreamConsumerName) => {
    const role = resources[functionOf(name)]?.Properties.Role as { 'Fn::GetAtt': [string, string] } | undefined;
    const roleRef = role?.['Fn::GetAtt'][0] ?? 'missing';
    return Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(roleRef))
      .flatMap(
        (r) =>
          (r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
      );
  };
  test.each(Object.keys(STREAM_CONSUMERS) as StreamConsumerName[])(
    'THEN the %s mapping has its filters, batching, bisect, bounded retries and age, and a failure queue',
    (name) => {
      const { delivery, filters } = STREAM_CONSUMERS[name];
      expect(mappingOf(name)).toEqual({
        FunctionName: { Ref: functionOf(name) },
        EventSourceArn: expect.anything(),
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: delivery.batchSize,
        MaximumBatchingWindowInSeconds: delivery.maxBatchingWindow.toSeconds(),
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: delivery.retryAttempts,
        MaximumRecordAgeInSeconds: delivery.maxRecordAge.toSeconds(),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ParallelizationFactor: 1,
        FilterCriteria: { Filters: filters.map((f) => ({ Pattern: f.pattern })) },
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(`^${name}Failures`), 'Arn'] } },
        },
        ...('tumblingWindow' in delivery ? { TumblingWindowInSeconds: delivery.tumblingWindow.toSeconds() } : {}),
      });
      expect(delivery.retryAttempts).toBeGreaterThan(0);
      expect(delivery.maxRecordAge.toSeconds()).toBeLessThanOrEqual(24 * 3600);
    },
  );

  test('THEN the filters say exactly which records each consumer gets', () => {
    const patterns = (name: StreamConsumerName) =>
      (mappingOf(name).FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map((f) => JSON.parse(f.Pattern));
    expect(patterns('SalesAggregator')).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { entityType: { S: ['Order', 'OrderLine'] } } } },
      {
        eventName: ['MODIFY'],
        dynamodb: {
          NewImage: { entityType: { S: ['Order'] }, status: { S: ['CANCELLED'] } },
          OldImage: { status: { S: [{ 'anything-but': ['CANCELLED'] }] } },
        },
      },
    ]);
    expect(patterns('OrderEvents')).toEqual([
      { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entityType: { S: ['Order'] } } } },
    ]);
    expect(patterns('ExpiredCartArchiver')).toEqual([
      {
        eventName: ['REMOVE'],
        userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
        dynamodb: { OldImage: { entityType: { S: ['CartLine'] } } },
      },
    ]);
  });

  test('THEN the local pump reads the same settings from the template', () => {
    const mappings = streamMappingsOf(streams.toJSON() as CfnTemplate);
    expect(mappings).toHaveLength(3);
    for (const name of Object.keys(STREAM_CONSUMERS) as StreamConsumerName[]) {
      const mapping = mappings.find((m) => m.functionLogicalId === functionOf(name));
      expect(mapping).toMatchObject({
        startingPosition: 'TRIM_HORIZON',
        maximumBatchingWindowInSeconds: STREAM_CONSUMERS[name].delivery.maxBatchingWindow.toSeconds(),
        delivery: {
          batchSize: STREAM_CONSUMERS[name].delivery.batchSize,
          bisectBatchOnFunctionError: true,
          maximumRetryAttempts: STREAM_CONSUMERS[name].delivery.retryAttempts,
          reportBatchItemFailures: true,
        },
        onFailureQueueLogicalId: expect.stringMatching(`^${name}Failures`),
      });
      expect(mapping?.delivery.filters).toHaveLength(STREAM_CONSUMERS[name].filters.length);
    }
  });

  test('THEN every failure queue is encrypted with the application key, TLS-only, and keeps messages 14 days', () => {
    streams.resourceCountIs('AWS::SQS::Queue', 3);
    streams.allResourcesProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetStackOutput': Match.objectLike({ StackName: Match.stringLikeRegexp('-Data$') }) },
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    streams.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        }),
      },
      3,
    );
  });

  test("THEN each consumer's role holds exactly what it uses, and the key only through the service that uses it", () => {
    const via = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.eu-west-1.amazonaws.com` } });
    const common = {
      Logs: { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'] },
      XRay: { actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'] },
      ReadTableStream: { actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'] },
      ListTableStreams: { actions: ['dynamodb:ListStreams'] },
      StreamKey: { actions: ['kms:Decrypt'], condition: via('dynamodb') },
      SendFailures: { actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'] },
      FailureQueueKey: { actions: ['kms:Decrypt', 'kms:GenerateDataKey'], condition: via('sqs') },
    };
    const held = (name: StreamConsumerName) =>
      Object.fromEntries(
        statementsOf(name).map((statement) => {
          const { Sid, Condition } = statement as { Sid?: string; Condition?: unknown };
          const actions = (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).sort();
          const key =
            Sid ?? (actions[0]?.startsWith('logs:') ? 'Logs' : actions[0]?.startsWith('xray:') ? 'XRay' : '?');
          return [key, { actions, ...(Condition === undefined ? {} : { condition: Condition }) }];
        }),
      );
    expect(held('SalesAggregator')).toEqual({
      ...common,
      // The order's lines, read from the customer's partition; the day's figures, added to.
      ReadTable: {
        actions: ['dynamodb:Query'],
        condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CUSTOMER#*'] } },
      },
      WriteTable: {
        actions: ['dynamodb:UpdateItem'],
        condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SALES#*'] } },
      },
      TableKey: {
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        condition: via('dynamodb'),
      },
    });
    expect(held('OrderEvents')).toEqual({ ...common, '?': { actions: ['events:PutEvents'] } });
    expect(held('ExpiredCartArchiver')).toEqual({
      ...common,
      ArchiveExpiredCarts: { actions: ['s3:PutObject'] },
      ArchiveKey: { actions: ['kms:GenerateDataKey'], condition: via('s3') },
    });
  });

  test('THEN the aggregator adds up over 30-second tumbling windows and writes only the sales partitions', () => {
    expect(mappingOf('SalesAggregator').TumblingWindowInSeconds).toBe(30);
    expect(mappingOf('OrderEvents').TumblingWindowInSeconds).toBeUndefined();
    const write = statementsOf('SalesAggregator').find((s) => JSON.stringify(s.Action).includes('dynamodb:UpdateItem'));
    expect(write).toMatchObject({
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SALES#*'] } },
    });
  });

  test('THEN the archiver may only put objects under the archive prefix', () => {
    const put = statementsOf('ExpiredCartArchiver').find((s) => s.Action === 's3:PutObject');
    expect(JSON.stringify(put?.Resource)).toContain('/expired-carts/*');
  });

  test('THEN the bus is encrypted with the application key, which lets EventBridge use it for this bus only', () => {
    streams.hasResourceProperties('AWS::Events::EventBus', {
      Name: 'OrderStore-dev-events',
      KmsKeyIdentifier: Match.anyValue(),
    });
    data.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              StringEquals: Match.objectLike({
                'aws:SourceArn': 'arn:aws:events:eu-west-1:111111111111:event-bus/OrderStore-dev-events',
              }),
            },
          }),
        ]),
      },
    });
  });

  test('THEN the archive bucket is KMS-encrypted, TLS-only, private, logged and expires what it keeps', () => {
    streams.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { BucketKeyEnabled: true, ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'expired-cart-archive/' }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'expired-carts/',
            ExpirationInDays: 60,
            Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
          }),
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      },
    });
    streams.resourcePropertiesCountIs(
      'AWS::S3::BucketPolicy',
      {
        PolicyDocument: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        }),
      },
      2,
    );
  });

  test('THEN an OrderPlaced event on the bus starts fulfilment with the order’s keys', () => {
    fulfilment.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['order-store.orders'], 'detail-type': ['OrderPlaced'] },
      Targets: [
        Match.objectLike({
          InputTransformer: {
            InputPathsMap: { 'detail-customerId': '$.detail.customerId', 'detail-orderId': '$.detail.orderId' },
            InputTemplate: '{"customerId":<detail-customerId>,"orderId":<detail-orderId>}',
          },
          RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 10 },
        }),
      ],
    });
  });
});
