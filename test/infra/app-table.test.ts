import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { AppTable, type AppTableProps } from '../../lib/constructs/app-table';
import { newApp, TEST_ENV } from '../fixtures/app';

function tableTemplate(props: Partial<AppTableProps> = {}): Template {
  const stack = new Stack(newApp(), 'TestStack', { env: TEST_ENV });
  new AppTable(stack, 'Table', { encryptionKey: new Key(stack, 'Key'), ...props });
  return Template.fromStack(stack);
}

describe('AppTable', () => {
  describe('GIVEN only a key', () => {
    const template = tableTemplate();

    test('THEN it is retained, deletion-protected, recoverable for 35 days and on-demand', () => {
      template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        BillingMode: 'PAY_PER_REQUEST',
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 },
            ContributorInsightsSpecification: { Enabled: true, Mode: 'ACCESSED_AND_THROTTLED_KEYS' },
          }),
        ],
      });
    });

    test('THEN it encrypts with the given key, not an AWS-owned one', () => {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
          }),
        ],
      });
    });
  });

  test('GIVEN an explicit removal policy THEN it is applied', () => {
    tableTemplate({ removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false }).hasResource(
      'AWS::DynamoDB::GlobalTable',
      { DeletionPolicy: 'Delete' },
    );
  });

  test.each([0, 36, 1.5])('throws for a recovery window of %p days', (days) => {
    expect(() => tableTemplate({ pointInTimeRecoveryDays: days })).toThrow(
      `AppTable: pointInTimeRecoveryDays must be a whole number from 1 to 35, got ${days}`,
    );
  });
});
