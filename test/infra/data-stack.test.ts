import { Match, type Template } from 'aws-cdk-lib/assertions';
import { GlobalIndexes, LocalIndexes } from '../../lambdas/model/table-design';
import { buildStacks, synthTemplates } from '../fixtures/app';

const TABLE = 'AWS::DynamoDB::GlobalTable';
const KEY = 'AWS::KMS::Key';

/** The single table (the other GlobalTable holds idempotency records). */
function singleTable(template: Template): Record<string, unknown> {
  const tables = Object.entries(template.findResources(TABLE));
  expect(tables.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['IdempotencyTable', 'Table']);
  return (tables.find(([id]) => id.startsWith('Table'))?.[1] ?? {}) as Record<string, unknown>;
}

function keyRef(template: Template): string {
  const keys = Object.keys(template.findResources(KEY));
  expect(keys).toHaveLength(1);
  return keys[0] as string;
}

describe('DataStack', () => {
  describe('GIVEN the default (dev) configuration', () => {
    const { data } = synthTemplates();

    test('THEN the KMS key rotates and has an alias', () => {
      data.hasResourceProperties(KEY, { EnableKeyRotation: true });
      data.hasResourceProperties('AWS::KMS::Alias', {
        AliasName: Match.stringLikeRegexp('^alias/OrderStore-dev-Data/'),
        TargetKeyId: { 'Fn::GetAtt': [keyRef(data), 'Arn'] },
      });
    });

    test('THEN the table is encrypted with that customer-managed key', () => {
      data.hasResourceProperties(TABLE, {
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [Match.objectLike({ SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [keyRef(data), 'Arn'] } } })],
      });
    });

    test('THEN the table has PK/SK string keys and bills on demand', () => {
      data.hasResourceProperties(TABLE, {
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'PK', AttributeType: 'S' },
          { AttributeName: 'SK', AttributeType: 'S' },
        ]),
      });
    });

    test('THEN the stream carries new and old images', () => {
      data.hasResourceProperties(TABLE, { StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } });
    });

    test('THEN items expire by the expiresAt TTL attribute', () => {
      data.hasResourceProperties(TABLE, { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
    });

    test('THEN point-in-time recovery is on with a 35-day window', () => {
      data.hasResourceProperties(TABLE, {
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 },
          }),
        ],
      });
    });

    test('THEN Contributor Insights watches throttled keys on the table and on every GSI', () => {
      const spec = { Enabled: true, Mode: 'THROTTLED_KEYS' };
      data.hasResourceProperties(TABLE, {
        Replicas: [
          Match.objectLike({
            ContributorInsightsSpecification: spec,
            GlobalSecondaryIndexes: Object.values(GlobalIndexes).map((index) => ({
              IndexName: index.indexName,
              ContributorInsightsSpecification: spec,
            })),
          }),
        ],
      });
    });

    test('THEN the overloaded GSI projects everything under generic key names', () => {
      data.hasResourceProperties(TABLE, {
        GlobalSecondaryIndexes: Match.arrayWith([
          {
            IndexName: 'GSI1',
            KeySchema: [
              { AttributeName: 'GSI1PK', KeyType: 'HASH' },
              { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
            WriteOnDemandThroughputSettings: { MaxWriteRequestUnits: 50 },
          },
        ]),
      });
    });

    test('THEN the write-sharded status GSI is keyed by shard and time, projecting the order summary', () => {
      data.hasResourceProperties(TABLE, {
        GlobalSecondaryIndexes: Match.arrayWith([
          {
            IndexName: 'OrdersByStatus',
            KeySchema: [
              { AttributeName: 'statusShard', KeyType: 'HASH' },
              { AttributeName: 'statusSince', KeyType: 'RANGE' },
            ],
            Projection: {
              ProjectionType: 'INCLUDE',
              NonKeyAttributes: ['customerId', 'orderId', 'placedAt', 'orderTotalCents'],
            },
            WriteOnDemandThroughputSettings: { MaxWriteRequestUnits: 50 },
          },
        ]),
      });
    });

    test('THEN the sparse shipping GSI is keyed by an attribute only paid orders carry', () => {
      data.hasResourceProperties(TABLE, {
        GlobalSecondaryIndexes: Match.arrayWith([
          {
            IndexName: 'AwaitingShipment',
            KeySchema: [
              { AttributeName: 'shipQueue', KeyType: 'HASH' },
              { AttributeName: 'paidAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['customerId', 'orderId', 'orderTotalCents'] },
            WriteOnDemandThroughputSettings: { MaxWriteRequestUnits: 50 },
          },
        ]),
      });
    });

    test('THEN the LSI sorts a partition by the numeric order total', () => {
      data.hasResourceProperties(TABLE, {
        LocalSecondaryIndexes: [
          {
            IndexName: 'OrdersByTotal',
            KeySchema: [
              { AttributeName: 'PK', KeyType: 'HASH' },
              { AttributeName: 'LSI1SK', KeyType: 'RANGE' },
            ],
            Projection: {
              ProjectionType: 'INCLUDE',
              NonKeyAttributes: ['orderId', 'status', 'placedAt', 'orderTotalCents'],
            },
          },
        ],
        AttributeDefinitions: Match.arrayWith([{ AttributeName: 'LSI1SK', AttributeType: 'N' }]),
      });
    });

    test('THEN every index in the model is in the template, and no other', () => {
      const table = singleTable(data) as { Properties: { GlobalSecondaryIndexes: { IndexName: string }[] } };
      expect(table.Properties.GlobalSecondaryIndexes.map((g) => g.IndexName)).toEqual(
        Object.values(GlobalIndexes).map((g) => g.indexName),
      );
      data.hasResourceProperties(TABLE, {
        LocalSecondaryIndexes: Object.values(LocalIndexes).map((l) => Match.objectLike({ IndexName: l.indexName })),
      });
    });

    test('THEN the idempotency table keys on id, expires records by TTL and uses the same key', () => {
      data.hasResourceProperties(TABLE, {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        Replicas: [Match.objectLike({ SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [keyRef(data), 'Arn'] } } })],
      });
    });

    test("THEN the key's policy has exactly these statements: who, and under which conditions", () => {
      const [key] = Object.values(data.findResources(KEY)) as {
        Properties: {
          KeyPolicy: { Statement: { Sid?: string; Action: unknown; Principal: unknown; Condition?: unknown }[] };
        };
      }[];
      const account = 'arn:aws:iam::111111111111:root';
      const bus = 'arn:aws:events:eu-west-1:111111111111:event-bus/OrderStore-dev-events';
      expect(
        key?.Properties.KeyPolicy.Statement.map(({ Sid, Principal, Condition }) => ({ Sid, Principal, Condition })),
      ).toEqual([
        // The account administers the key through IAM (the CDK's default).
        { Principal: { AWS: account }, Sid: undefined, Condition: undefined },
        // CloudWatch Logs, for this stage's log groups only.
        {
          Sid: 'AllowCloudWatchLogsOfThisStage',
          Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
          Condition: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': ['arn:aws:logs:eu-west-1:111111111111:log-group:OrderStore-dev-*'],
            },
          },
        },
        {
          Sid: 'AllowCloudWatchAlarmsToPublishToTheAlarmTopic',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Condition: {
            StringEquals: {
              'aws:SourceAccount': '111111111111',
              'kms:EncryptionContext:aws:sns:topicArn': 'arn:aws:sns:eu-west-1:111111111111:OrderStore-dev-alarms',
            },
            ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:OrderStore-dev-*' },
          },
        },
        {
          Sid: 'AllowEventBridgeToSendToTheOrderPlacedDeadLetterQueue',
          Principal: { Service: 'events.amazonaws.com' },
          Condition: {
            StringEquals: {
              'kms:EncryptionContext:aws:sqs:arn':
                'arn:aws:sqs:eu-west-1:111111111111:OrderStore-dev-order-placed-dead-letters',
            },
          },
        },
        // The CDK's, for the cursor secret: the account's principals, through Secrets Manager only.
        {
          Sid: undefined,
          Principal: { AWS: account },
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        },
        // The CDK's, for the event bus: EventBridge, for this bus only.
        {
          Sid: undefined,
          Principal: { Service: 'events.amazonaws.com' },
          Condition: {
            StringEquals: {
              'aws:SourceAccount': '111111111111',
              'aws:SourceArn': bus,
              'kms:EncryptionContext:aws:events:event-bus:arn': bus,
            },
          },
        },
        // The CDK's, for the state machine's encrypted execution logs: log delivery may decrypt
        // (Step Functions' documented statement, which has no condition; docs/security.md).
        { Sid: undefined, Principal: { Service: 'delivery.logs.amazonaws.com' }, Condition: undefined },
      ]);
    });

    test('THEN every log group the key encrypts is named by CloudFormation, so within the stage pattern', () => {
      const { api, streams, fulfilment, monitoring } = synthTemplates();
      for (const template of [data, api, streams, fulfilment, monitoring]) {
        for (const group of Object.values(template.findResources('AWS::Logs::LogGroup')) as {
          Properties: { KmsKeyId?: unknown; LogGroupName?: unknown };
        }[]) {
          expect(group.Properties.KmsKeyId).toBeDefined();
          expect(group.Properties.LogGroupName).toBeUndefined();
        }
      }
    });

    test('THEN the shoppers sign in to a user pool on the Plus plan, threat protection enforced, strong passwords, optional TOTP', () => {
      data.resourceCountIs('AWS::Cognito::UserPool', 1);
      data.hasResourceProperties('AWS::Cognito::UserPool', {
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
        UsernameAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
        AutoVerifiedAttributes: ['email'],
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: {
          PasswordPolicy: {
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
            TemporaryPasswordValidityDays: 3,
          },
        },
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
        DeletionProtection: 'INACTIVE',
      });
      data.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Delete' });
    });

    test('THEN the storefront client is public, signs in by SRP only, hides unknown users and revokes tokens', () => {
      data.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
      data.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        AllowedOAuthFlowsUserPoolClient: false,
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
        AccessTokenValidity: 60,
        IdTokenValidity: 60,
        RefreshTokenValidity: 43200,
      });
      for (const output of ['ShopperUserPoolId', 'ShopperClientId', 'ShopperTokenIssuer']) data.hasOutput(output, {});
    });

    test('THEN the table and key are destroyable and the table is not deletion-protected', () => {
      data.hasResource(TABLE, { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      data.hasResourceProperties(TABLE, { Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })] });
      data.hasResource(KEY, { DeletionPolicy: 'Delete', Properties: Match.objectLike({ PendingWindowInDays: 7 }) });
    });
  });

  describe('GIVEN the prod stage', () => {
    const { data } = synthTemplates({ stage: 'prod' });

    test('THEN the table is retained and deletion-protected', () => {
      data.hasResource(TABLE, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      data.hasResourceProperties(TABLE, { Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })] });
    });

    test('THEN the key is retained with the longest pending window', () => {
      data.hasResource(KEY, { DeletionPolicy: 'Retain', Properties: Match.objectLike({ PendingWindowInDays: 30 }) });
    });

    test('THEN Contributor Insights reports accessed and throttled keys', () => {
      data.hasResourceProperties(TABLE, {
        Replicas: [
          Match.objectLike({
            ContributorInsightsSpecification: { Enabled: true, Mode: 'ACCESSED_AND_THROTTLED_KEYS' },
          }),
        ],
      });
    });

    test('THEN the user pool is retained and deletion-protected', () => {
      data.hasResource('AWS::Cognito::UserPool', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }),
      });
    });

    test('THEN the stack has termination protection', () => {
      expect(buildStacks({ stage: 'prod' }).data.terminationProtection).toBe(true);
    });
  });

  describe('GIVEN provisioned billing with bounds', () => {
    const { data } = synthTemplates({
      billing: 'provisioned',
      minReadCapacity: '2',
      maxReadCapacity: '40',
      minWriteCapacity: '3',
      maxWriteCapacity: '30',
      targetUtilization: '60',
    });

    test('THEN write capacity autoscales within the bounds', () => {
      data.hasResourceProperties(TABLE, {
        BillingMode: 'PROVISIONED',
        WriteProvisionedThroughputSettings: {
          WriteCapacityAutoScalingSettings: {
            MinCapacity: 3,
            MaxCapacity: 30,
            TargetTrackingScalingPolicyConfiguration: { TargetValue: 60 },
          },
        },
      });
    });

    test('THEN read capacity autoscales within the bounds', () => {
      data.hasResourceProperties(TABLE, {
        Replicas: [
          Match.objectLike({
            ReadProvisionedThroughputSettings: {
              ReadCapacityAutoScalingSettings: {
                MinCapacity: 2,
                MaxCapacity: 40,
                TargetTrackingScalingPolicyConfiguration: { TargetValue: 60 },
              },
            },
          }),
        ],
      });
    });
  });

  describe('GIVEN a shorter recovery window and contributor insights off', () => {
    const { data } = synthTemplates({ pitrRecoveryDays: '7', contributorInsights: 'off' });

    test('THEN PITR keeps 7 days and Contributor Insights is disabled', () => {
      data.hasResourceProperties(TABLE, {
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 },
            ContributorInsightsSpecification: { Enabled: false },
          }),
        ],
      });
    });
  });

  describe('GIVEN a replica key in another region', () => {
    const replicaKey = 'arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { data } = synthTemplates({ replicaKeyArns: replicaKey });

    test('THEN the table has a replica there, encrypted with that key', () => {
      data.hasResourceProperties(TABLE, {
        Replicas: Match.arrayWith([
          Match.objectLike({ Region: 'us-west-2', SSESpecification: { KMSMasterKeyId: replicaKey } }),
        ]),
      });
    });
  });
});

describe('GIVEN the analytics export', () => {
  const { data } = synthTemplates({ analytics: 'true' });

  test("THEN the key also lets CloudWatch Logs encrypt the groups Glue names for the curation job's logs", () => {
    data.hasResourceProperties(KEY, {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsOfThisStage',
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': [
                  'arn:aws:logs:eu-west-1:111111111111:log-group:OrderStore-dev-*',
                  'arn:aws:logs:eu-west-1:111111111111:log-group:/aws-glue/jobs/*',
                ],
              },
            },
          }),
        ]),
      },
    });
  });
});

describe('GIVEN the LocalStack target, which has no HTTP API', () => {
  test('THEN there is no user pool either', () => {
    synthTemplates({ target: 'localstack' }).data.resourceCountIs('AWS::Cognito::UserPool', 0);
  });
});
