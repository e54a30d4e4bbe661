import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type Bucket, StorageClass } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { EntityType } from '../../lambdas/model/entities';
import { ARCHIVE_PREFIX, TTL_DELETION } from '../../lambdas/model/streams';
import type { AppConfig } from '../config';
import type { TableGrant } from '../constructs/app-function';
import { loggedBucket } from '../constructs/logged-bucket';
import { StreamConsumer, type StreamDelivery } from '../constructs/stream-consumer';
import { acknowledgeWildcardResources } from '../nag';

/** What the sales aggregator does to the table (lambdas/streams/sales-aggregator.ts, lambdas/data/sales.ts). */
export const SALES_AGGREGATOR_TABLE_GRANT = {
  actions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
  readsFrom: ['CUSTOMER#*'],
  writesTo: ['SALES#*'],
} as const satisfies TableGrant;

export interface StreamsStackProps extends StackProps {
  readonly config: AppConfig;
  readonly table: ITableV2;
  readonly key: IKey;
}

/** A record whose new image is an order header. */
const orderHeader = { NewImage: { entityType: { S: FilterRule.isEqual(EntityType.order) } } };

/**
 * The stream consumers: handler, filters and delivery settings, in one place. Each filter lets
 * through only the records its consumer acts on; Lambda drops the rest before invoking (and
 * billing) the function.
 */
export const STREAM_CONSUMERS = {
  SalesAggregator: {
    handler: 'streams/sales-aggregator.ts',
    description:
      'Sales aggregator: daily sales per product and per day, added up over tumbling windows, each applied once',
    filters: [
      // An order placed, with its lines (written in the same transaction, to the same partition,
      // so their records come in the same shard, usually in the same batch)...
      FilterCriteria.filter({
        eventName: FilterRule.isEqual('INSERT'),
        dynamodb: { NewImage: { entityType: { S: FilterRule.or(EntityType.order, EntityType.orderLine) } } },
      }),
      // ...or cancelled (its status became CANCELLED in this change).
      FilterCriteria.filter({
        eventName: FilterRule.isEqual('MODIFY'),
        dynamodb: {
          NewImage: {
            entityType: { S: FilterRule.isEqual(EntityType.order) },
            status: { S: FilterRule.isEqual('CANCELLED') },
          },
          OldImage: { status: { S: FilterRule.notEquals('CANCELLED') } },
        },
      }),
    ],
    // Figures half a minute late are fine: add each shard's orders up over 30-second tumbling
    // windows and write each figure once a window (one write to a day's total per shard per window,
    // not one per order), wait to fill larger batches, retry generously (a window's figures are
    // written once however often it is delivered), and give up only after six hours.
    delivery: {
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(5),
      retryAttempts: 10,
      maxRecordAge: Duration.hours(6),
      tumblingWindow: Duration.seconds(30),
    },
  },
  OrderEvents: {
    handler: 'streams/order-events.ts',
    description: 'Order-events publisher: order placed, cancelled and status changed, on the EventBridge bus',
    filters: [FilterCriteria.filter({ eventName: FilterRule.or('INSERT', 'MODIFY'), dynamodb: orderHeader })],
    // Fulfilment starts from these events: no batching window, small batches, and an hour of
    // retries before the event is left to the failure queue.
    delivery: {
      batchSize: 25,
      maxBatchingWindow: Duration.seconds(0),
      retryAttempts: 5,
      maxRecordAge: Duration.hours(1),
    },
  },
  ExpiredCartArchiver: {
    handler: 'streams/cart-archive.ts',
    description: 'Expired-cart archiver: cart lines deleted by TTL, copied to S3',
    filters: [
      FilterCriteria.filter({
        eventName: FilterRule.isEqual('REMOVE'),
        userIdentity: {
          type: FilterRule.isEqual(TTL_DELETION.type),
          principalId: FilterRule.isEqual(TTL_DELETION.principalId),
        },
        dynamodb: { OldImage: { entityType: { S: FilterRule.isEqual(EntityType.cartLine) } } },
      }),
    ],
    // Nothing waits for the archive: batch for up to a minute.
    delivery: {
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(60),
      retryAttempts: 5,
      maxRecordAge: Duration.hours(6),
    },
  },
} as const satisfies Record<
  string,
  { handler: string; description: string; filters: Record<string, unknown>[]; delivery: StreamDelivery }
>;

export type StreamConsumerName = keyof typeof STREAM_CONSUMERS;

/**
 * Change data capture: the consumers of the table's stream, the EventBridge bus the order events
 * go to, and the bucket that archives expired carts.
 */
export class StreamsStack extends Stack {
  readonly bus: EventBus;
  readonly archive: Bucket;
  readonly consumers: Readonly<Record<StreamConsumerName, StreamConsumer>>;

  constructor(scope: Construct, id: string, props: StreamsStackProps) {
    super(scope, id, props);
    const { config, table, key } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.bus = new EventBus(this, 'Events', {
      // A fixed name keeps the key policy's condition free of a reference back to this stack.
      eventBusName: `${config.appName}-${config.stage}-events`,
      description: `${config.appName} (${config.stage}) domain events`,
      kmsKey: key,
    });

    this.archive = loggedBucket(this, {
      ids: { bucket: 'ExpiredCartArchive', accessLogs: 'ArchiveAccessLogs' },
      description: 'the archive bucket',
      key,
      logPrefix: 'expired-cart-archive/',
      versioned: config.retainData,
      lifecycleRules: [
        {
          id: 'ExpiredCarts',
          prefix: `${ARCHIVE_PREFIX}/`,
          transitions: [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
          expiration: Duration.days(config.retainData ? 365 : 60),
          noncurrentVersionExpiration: Duration.days(7),
        },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy,
    });

    const consumer = (name: StreamConsumerName) =>
      new StreamConsumer(this, name, {
        ...STREAM_CONSUMERS[name],
        table,
        key,
        serviceName: 'order-store-streams',
        metricsNamespace: config.appName,
        logRemovalPolicy: removalPolicy,
        tracing: config.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      });

    const sales = consumer('SalesAggregator');
    // Reads an order's lines (a Query of the customer's partition); adds to the sales partitions
    // with UpdateItem, and nothing else.
    sales.function
      .bindTable(table, SALES_AGGREGATOR_TABLE_GRANT)
      .withEnvironment({ STATUS_SHARDS: String(config.statusShards) });

    const orderEvents = consumer('OrderEvents');
    orderEvents.function.withEnvironment({ EVENT_BUS_NAME: this.bus.eventBusName });
    this.bus.grantPutEventsTo(orderEvents.function.role);

    const archiver = consumer('ExpiredCartArchiver');
    archiver.function.withEnvironment({ ARCHIVE_BUCKET_NAME: this.archive.bucketName });
    // Only PutObject under the archive prefix: the archiver never lists, reads or deletes. With
    // SSE-KMS, a put needs a data key from the bucket's key.
    const archivedObjects = this.archive.arnForObjects(`${ARCHIVE_PREFIX}/*`);
    archiver.function.role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'ArchiveExpiredCarts', actions: ['s3:PutObject'], resources: [archivedObjects] }),
    );
    archiver.function.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ArchiveKey',
        actions: ['kms:GenerateDataKey'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
      }),
    );
    acknowledgeWildcardResources(
      archiver.function.role,
      [archivedObjects],
      'Each expired cart line is a new object under the archive prefix, named by its stream event id; the grant is PutObject alone.',
    );

    this.consumers = { SalesAggregator: sales, OrderEvents: orderEvents, ExpiredCartArchiver: archiver };
  }
}
