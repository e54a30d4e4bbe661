import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  Capacity,
  ContributorInsightsMode,
  type ITableV2,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { AppConfig, BillingConfig, ContributorInsightsMode as InsightsSetting } from '../config';
import { AppTable } from '../constructs/app-table';
import { ShopperIdentity } from '../constructs/shopper-identity';
import { stageNames } from '../names';

export interface DataStackProps extends StackProps {
  readonly config: AppConfig;
}

function billing(config: BillingConfig): Billing {
  if (config.mode === 'on-demand') return Billing.onDemand();
  const capacity = (bounds: { min: number; max: number }) =>
    Capacity.autoscaled({
      minCapacity: bounds.min,
      maxCapacity: bounds.max,
      targetUtilizationPercent: config.targetUtilization,
    });
  return Billing.provisioned({ readCapacity: capacity(config.read), writeCapacity: capacity(config.write) });
}

function contributorInsights(setting: InsightsSetting): ContributorInsightsMode | 'off' {
  switch (setting) {
    case 'accessed-and-throttled':
      return ContributorInsightsMode.ACCESSED_AND_THROTTLED_KEYS;
    case 'throttled':
      return ContributorInsightsMode.THROTTLED_KEYS;
    case 'off':
      return 'off';
  }
}

/**
 * The stateful stack: the application's KMS key, the single table, and the shoppers' user pool.
 *
 * Everything here outlives deployments of the service stacks, so it changes rarely and is
 * retained and deletion-protected in production.
 */
export class DataStack extends Stack {
  /** The customer-managed key for the table and every other store of the application's data. */
  readonly key: IKey;
  readonly table: ITableV2;
  /** Idempotency records of the mutating routes (Powertools' layout: `id`, TTL on `expiration`). */
  readonly idempotencyTable: ITableV2;
  /**
   * The shoppers' user pool and the storefront's app client, whose tokens the API's shopper routes
   * accept. Here rather than with the API because it holds every shopper's account: it is retained
   * and deletion-protected with the data. Absent on a target without an HTTP API (lib/targets.ts).
   */
  readonly shoppers?: ShopperIdentity;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const key = new Key(this, 'DataKey', {
      description: `Encrypts the ${config.appName} ${config.stage} table, its stream and backups`,
      enableKeyRotation: true,
      alias: `alias/${this.stackName}/data`,
      removalPolicy,
      // A key scheduled for deletion can be recovered within this window.
      pendingWindow: Duration.days(config.retainData ? 30 : 7),
    });

    // CloudWatch Logs encrypts the application's log groups with this key. The condition holds it to
    // the log groups of this stage: CloudFormation names each one `<stack name>-<logical id>-<suffix>`
    // and every stack of the stage is named `<app>-<stage>-...` (a test pins that no log group is
    // named otherwise); with analytics, also the groups Glue writes the curation job's logs to
    // (`/aws-glue/jobs/...`, named by Glue).
    const names = stageNames(config);
    const logGroup = (name: string) =>
      this.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisStage',
        principals: [new ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': [
              logGroup(`${names.prefix}-*`),
              ...(config.analytics ? [logGroup('/aws-glue/jobs/*')] : []),
            ],
          },
        },
      }),
    );

    // CloudWatch publishes alarm notifications to the alarm topic, which this key encrypts (SNS
    // calls KMS on the publisher's behalf). The conditions hold the grant to this stage's alarms
    // publishing to this stage's alarm topic, both named in lib/names.ts so that this stack does
    // not depend on the monitoring stack.
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToTheAlarmTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'aws:SourceAccount': this.account,
            'kms:EncryptionContext:aws:sns:topicArn': this.formatArn({
              service: 'sns',
              resource: names.alarmTopic,
              arnFormat: ArnFormat.NO_RESOURCE_NAME,
            }),
          },
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `${names.alarmPrefix}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    // EventBridge moves the OrderPlaced events it could not deliver to the rule target's
    // dead-letter queue, which this key encrypts (SQS calls KMS on the sender's behalf).
    // EventBridge's requests to KMS carry no source account or ARN to check, so the grant is held
    // to that one queue by the encryption context SQS adds: the queue's ARN.
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowEventBridgeToSendToTheOrderPlacedDeadLetterQueue',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:EncryptionContext:aws:sqs:arn': this.formatArn({
              service: 'sqs',
              resource: names.orderPlacedDeadLetters,
              arnFormat: ArnFormat.NO_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    const ceiling: { readonly maxReadRequestUnits?: number; readonly maxWriteRequestUnits?: number } =
      config.billing.mode === 'on-demand' ? config.billing : {};
    const { table } = new AppTable(this, 'Table', {
      encryptionKey: key,
      billing: billing(config.billing),
      maxReadRequestUnits: ceiling.maxReadRequestUnits,
      maxWriteRequestUnits: ceiling.maxWriteRequestUnits,
      pointInTimeRecoveryDays: config.pitrRecoveryDays,
      contributorInsights: contributorInsights(config.contributorInsights),
      replicas: config.replicas,
      removalPolicy,
      deletionProtection: config.retainData,
    });

    // Records live a day and are recreated by the next request, so the table needs no PITR or
    // Contributor Insights; it is encrypted with the same key and deletion-protected like the rest.
    this.idempotencyTable = new TableV2(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      // The same ceiling as the single table: every record comes from a request that writes there too.
      billing: Billing.onDemand({
        maxReadRequestUnits: ceiling.maxReadRequestUnits,
        maxWriteRequestUnits: ceiling.maxWriteRequestUnits,
      }),
      encryption: TableEncryptionV2.customerManagedKey(key),
      deletionProtection: config.retainData,
      removalPolicy,
    });

    if (config.httpApi) {
      this.shoppers = new ShopperIdentity(this, 'Shoppers', {
        removalPolicy,
        deletionProtection: config.retainData,
      });
      new CfnOutput(this, 'ShopperUserPoolId', {
        value: this.shoppers.userPool.userPoolId,
        description: 'Cognito user pool the shoppers sign up and sign in to',
      });
      new CfnOutput(this, 'ShopperClientId', {
        value: this.shoppers.client.userPoolClientId,
        description: "The storefront's app client: the audience the API's shopper routes accept",
      });
      new CfnOutput(this, 'ShopperTokenIssuer', {
        value: this.shoppers.issuer,
        description: "Issuer of the tokens the API's shopper routes accept",
      });
    }

    this.key = key;
    this.table = table;
  }
}
