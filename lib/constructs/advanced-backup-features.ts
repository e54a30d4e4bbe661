import { Stack, Validations } from 'aws-cdk-lib';
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  type AwsSdkCall,
  PhysicalResourceId,
} from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/**
 * Turns on AWS Backup's advanced features for DynamoDB in the stack's account and region
 * (`backup:UpdateRegionSettings` with `ResourceTypeManagementPreference` `DynamoDB=true`).
 *
 * It is a setting of the account and region, not of this stack: it applies to the new backups of
 * every DynamoDB table there, which become AWS Backup recovery points (`arn:aws:backup:...`),
 * encrypted with their vault's key, billed by AWS Backup, copyable to other regions and accounts,
 * tierable to cold storage, and deletable only through AWS Backup. It is on already in accounts
 * whose first backup vault was created after 21 November 2021. The stack sets it on every deploy
 * and never turns it off: removing the stack leaves it on, since other tables may rely on it by
 * then (docs/operations/backup-and-restore.md).
 */
export class AdvancedBackupFeatures extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    const call: AwsSdkCall = {
      service: '@aws-sdk/client-backup',
      action: 'UpdateRegionSettings',
      parameters: { ResourceTypeManagementPreference: { DynamoDB: true } },
      physicalResourceId: PhysicalResourceId.of(`advanced-dynamodb-backup-${stack.account}-${stack.region}`),
    };
    const resource = new AwsCustomResource(this, 'Resource', {
      onCreate: call,
      onUpdate: call,
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    // The CDK's one provider function per stack, with the managed policy it always attaches.
    const provider = stack.node.tryFindChild(`AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
    if (provider !== undefined) {
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "The CDK's AwsCustomResource provider always attaches it (CloudWatch Logs writes only); the function runs one UpdateRegionSettings call per deploy.",
      });
    }
    Validations.of(resource).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'backup:UpdateRegionSettings acts on the account and region as a whole and supports no resource-level permissions.',
    });
  }
}
