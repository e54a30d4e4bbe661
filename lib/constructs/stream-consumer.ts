import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  type DlqDestinationConfig,
  EventSourceMapping,
  type IEventSourceDlq,
  type IEventSourceMapping,
  type IFunction,
  StartingPosition,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AppFunction } from './app-function';

/** The key, for one service's use on the role's behalf only. */
const viaService = (scope: Construct, service: string) => ({
  StringEquals: { 'kms:ViaService': `${service}.${Stack.of(scope).region}.amazonaws.com` },
});

/**
 * The failure queue of a mapping, as the CDK's SqsDlq binds it but for the key: SqsDlq grants
 * the CDK's encrypt-decrypt set on the queue's key for any use; a sender to an SSE-KMS queue needs
 * kms:GenerateDataKey and kms:Decrypt, and only through SQS.
 */
class FailureQueue implements IEventSourceDlq {
  constructor(
    private readonly queue: IQueue,
    private readonly key: IKey,
  ) {}

  bind(_target: IEventSourceMapping, targetHandler: IFunction): DlqDestinationConfig {
    targetHandler.addToRolePolicy(
      new PolicyStatement({
        sid: 'SendFailures',
        actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        resources: [this.queue.queueArn],
      }),
    );
    targetHandler.addToRolePolicy(
      new PolicyStatement({
        sid: 'FailureQueueKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.key.keyArn],
        conditions: viaService(targetHandler, 'sqs'),
      }),
    );
    return { destination: this.queue.queueArn };
  }
}

/** How Lambda hands the stream to the consumer, and when it gives up on a batch. */
export interface StreamDelivery {
  /** Most records per invocation. */
  readonly batchSize: number;
  /** How long Lambda may wait to fill a batch: latency traded for fewer invocations. */
  readonly maxBatchingWindow: Duration;
  /** Retries of a failing batch (after bisecting) before it is described to the failure queue. */
  readonly retryAttempts: number;
  /** Records older than this go to the failure queue unprocessed, so a stuck shard catches up. */
  readonly maxRecordAge: Duration;
  /**
   * Aggregate over tumbling windows of this length: Lambda passes each invocation the state the
   * last one returned, and the shard id, and calls the function once more when the window ends.
   *
   * @default - no windows: each batch stands alone
   */
  readonly tumblingWindow?: Duration;
}

export interface StreamConsumerProps {
  /** Handler file, relative to `lambdas/handlers/`. */
  readonly handler: string;
  readonly description: string;
  readonly table: ITableV2;
  /** The application's key: the table's (so its stream's) and the failure queue's. */
  readonly key: IKey;
  readonly serviceName: string;
  readonly metricsNamespace: string;
  /**
   * Lambda event filter patterns; a record reaches the function only if it matches one. Filtered
   * records are not billed as invocations.
   */
  readonly filters: readonly Record<string, unknown>[];
  readonly delivery: StreamDelivery;
  readonly logRemovalPolicy: RemovalPolicy;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /**
   * X-Ray tracing of the function.
   *
   * @default Tracing.ACTIVE
   */
  readonly tracing?: Tracing;
}

/**
 * A Lambda function fed by the table's stream: an event source mapping with filter criteria,
 * partial batch responses, bisect on error, bounded retries and record age, and an SQS queue
 * (encrypted with the application's key) that receives a description of every batch Lambda gives
 * up on, from which the records can be found again in the stream for 24 hours.
 *
 * The function's role may read the stream and decrypt it with the table's key, and send to its
 * failure queue; what else it may do is granted on `function`.
 */
export class StreamConsumer extends Construct {
  readonly function: AppFunction;
  readonly failures: Queue;
  readonly mapping: EventSourceMapping;
  /** The delivery settings of the mapping; alarms on the consumer's lag are derived from them. */
  readonly delivery: StreamDelivery;

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    const { table, key, delivery } = props;
    this.delivery = delivery;
    const streamArn = table.tableStreamArn;
    if (streamArn === undefined) throw new Error(`StreamConsumer ${id}: the table has no stream`);

    this.function = new AppFunction(this, 'Function', {
      handler: props.handler,
      description: props.description,
      encryptionKey: key,
      serviceName: props.serviceName,
      metricsNamespace: props.metricsNamespace,
      timeout: props.timeout ?? Duration.seconds(30),
      logRemovalPolicy: props.logRemovalPolicy,
      tracing: props.tracing,
    });
    const { role } = this.function;

    // Lambda's poller reads the stream with the function's role. The stream is encrypted with the
    // table's key, so reading it needs kms:Decrypt on that key, through DynamoDB.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadTableStream',
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [streamArn],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'ListTableStreams', actions: ['dynamodb:ListStreams'], resources: ['*'] }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        (props.tracing ?? Tracing.ACTIVE) === Tracing.ACTIVE
          ? 'dynamodb:ListStreams, which Lambda’s stream poller calls, and X-Ray’s PutTraceSegments and PutTelemetryRecords support no resource-level permissions.'
          : 'dynamodb:ListStreams, which Lambda’s stream poller calls, supports no resource-level permissions.',
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'StreamKey',
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: viaService(this, 'dynamodb'),
      }),
    );

    this.failures = new Queue(this, 'Failures', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      // The failure description points into the stream, which keeps records for 24 hours; the
      // message is kept longer so that the failure itself is never lost.
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the stream consumer; nothing consumes it automatically.',
    });

    this.mapping = new EventSourceMapping(this, 'Mapping', {
      target: this.function.function,
      eventSourceArn: streamArn,
      // A consumer deployed after the table catches up on the last 24 hours of changes.
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: delivery.batchSize,
      maxBatchingWindow: delivery.maxBatchingWindow,
      bisectBatchOnError: true,
      retryAttempts: delivery.retryAttempts,
      maxRecordAge: delivery.maxRecordAge,
      ...(delivery.tumblingWindow === undefined ? {} : { tumblingWindow: delivery.tumblingWindow }),
      reportBatchItemFailures: true,
      // One batch per shard at a time keeps each item's changes in order.
      parallelizationFactor: 1,
      filters: [...props.filters],
      onFailure: new FailureQueue(this.failures, key),
    });
  }
}
