import { Match } from 'aws-cdk-lib/assertions';
import { FULFILMENT_STEPS } from '../../lib/stacks/fulfilment-stack';
import type { CfnTemplate } from '../../local/emulation/cloudformation';
import { definitionFromTemplate } from '../../local/emulation/state-machine';
import { synthTemplates } from '../fixtures/app';
import { roleOfFunction, statementsOfRole } from '../fixtures/iam';

describe('FulfilmentStack', () => {
  const { fulfilment, data } = synthTemplates();
  const definition = definitionFromTemplate(fulfilment.toJSON() as CfnTemplate);

  test('THEN the state machine is standard, traced, logged and encrypted with the application key', () => {
    fulfilment.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      EncryptionConfiguration: Match.objectLike({ Type: 'CUSTOMER_MANAGED_KMS_KEY' }),
    });
  });

  test('THEN every task retries transient errors with jittered backoff and only the steps compensate', () => {
    for (const name of ['Pay', 'Ship', 'Compensate']) {
      expect(definition.States[name]?.Retry).toEqual([
        expect.objectContaining({
          ErrorEquals: expect.arrayContaining(['ServiceUnavailableError', 'Lambda.TooManyRequestsException']),
          MaxAttempts: 4,
          BackoffRate: 2,
          JitterStrategy: 'FULL',
        }),
      ]);
    }
    expect(definition.States.Pay?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Compensate' },
    ]);
    expect(definition.States.Ship?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Compensate' },
    ]);
    expect(definition.States.Compensate?.Catch).toBeUndefined();
    expect(definition.States.Compensate?.Next).toBe('FulfilmentFailed');
  });

  describe('THEN the OrderPlaced rule target has a dead-letter queue', () => {
    const queues = fulfilment.findResources('AWS::SQS::Queue');
    const [queueId] = Object.keys(queues);

    test('that is named for the key policy, encrypted with the application key and kept 14 days', () => {
      expect(Object.keys(queues)).toHaveLength(1);
      expect(queues[queueId as string]?.Properties).toEqual({
        QueueName: 'OrderStore-dev-order-placed-dead-letters',
        KmsMasterKeyId: {
          'Fn::GetStackOutput': expect.objectContaining({
            StackName: 'OrderStore-dev-Data',
            OutputName: expect.stringMatching(/DataKey.*Arn/),
          }),
        },
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
    });

    test('that the rule sends what it gives up on to, after its retries', () => {
      fulfilment.hasResourceProperties('AWS::Events::Rule', {
        Targets: [
          Match.objectLike({
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
            RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 },
          }),
        ],
      });
    });

    test('that refuses requests without TLS and accepts messages from that rule alone', () => {
      const queueArn = { 'Fn::GetAtt': [queueId, 'Arn'] };
      fulfilment.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Resource: queueArn,
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              Condition: {
                ArnEquals: {
                  'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^StartOnOrderPlaced'), 'Arn'] },
                },
              },
            }),
          ],
        },
      });
    });

    test('that EventBridge may encrypt into, by the application key’s policy, for that queue alone', () => {
      data.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            {
              Sid: 'AllowEventBridgeToSendToTheOrderPlacedDeadLetterQueue',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Resource: '*',
              Condition: {
                StringEquals: {
                  'kms:EncryptionContext:aws:sqs:arn':
                    'arn:aws:sqs:eu-west-1:111111111111:OrderStore-dev-order-placed-dead-letters',
                },
              },
            },
          ]),
        },
      });
    });
  });

  test.each(Object.values(FULFILMENT_STEPS))(
    'THEN the step "$description" reads orders and updates customer and product partitions, nothing more',
    (step) => {
      const role = roleOfFunction(fulfilment, step.description);
      const table = statementsOfRole(fulfilment, role).filter((s) => s.Sid !== undefined);
      expect(
        Object.fromEntries(table.map((s) => [s.Sid, { actions: [s.Action].flat().sort(), condition: s.Condition }])),
      ).toEqual({
        ReadTable: {
          actions: ['dynamodb:Query'],
          condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CUSTOMER#*'] } },
        },
        WriteTable: {
          actions: ['dynamodb:UpdateItem'],
          condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CUSTOMER#*', 'PRODUCT#*'] } },
        },
        TableKey: {
          actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
        },
      });
      const unnamed = statementsOfRole(fulfilment, role)
        .filter((s) => s.Sid === undefined)
        .flatMap((s) => [s.Action].flat())
        .sort();
      expect(unnamed).toEqual([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    },
  );
});
