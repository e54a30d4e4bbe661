import { ArnFormat, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
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
 * The stateful stack: the application's KMS key and the single table.
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

    // CloudWatch Logs encrypts the application's log groups with this key; the condition limits it
    // to log groups of this account and region.
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': this.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    // CloudWatch publishes alarm notifications to the alarm topic, which this key encrypts (SNS
    // calls KMS on the publisher's behalf). The conditions hold the grant to this stage's alarms
    // publishing to this stage's alarm topic, both named in lib/names.ts so that this stack does
    // not depend on the monitoring stack.
    const names = stageNames(config);
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

    this.key = key;
    this.table = table;
  }
}
