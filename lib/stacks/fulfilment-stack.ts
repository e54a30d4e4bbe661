import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventField, type IEventBus, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import {
  CustomerManagedEncryptionConfiguration,
  DefinitionBody,
  Errors,
  Fail,
  JitterType,
  LogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { ORDER_EVENT_SOURCE, OrderEventType } from '../../lambdas/model/events';
import type { AppConfig } from '../config';
import { AppFunction, type TableGrant } from '../constructs/app-function';
import { acknowledgeWildcardResources } from '../nag';
import { stageNames } from '../names';

/** What the fulfilment steps do to the table (lambdas/data/fulfilment.ts). */
export const FULFILMENT_TABLE_GRANT = {
  actions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
  readsFrom: ['CUSTOMER#*'],
  writesTo: ['CUSTOMER#*', 'PRODUCT#*'],
} as const satisfies TableGrant;

export interface FulfilmentStackProps extends StackProps {
  readonly config: AppConfig;
  readonly table: ITableV2;
  readonly key: IKey;
  /** The bus the order events arrive on; an OrderPlaced event starts the workflow. */
  readonly bus: IEventBus;
}

/** The steps of the workflow: construct id, handler file, what it does. */
export const FULFILMENT_STEPS = {
  PayOrder: { handler: 'workflows/pay-order.ts', description: 'Fulfilment: take payment, mark the order PAID' },
  ShipOrder: { handler: 'workflows/ship-order.ts', description: 'Fulfilment: mark a paid order SHIPPED' },
  CompensateOrder: {
    handler: 'workflows/compensate-order.ts',
    description: 'Fulfilment compensation: cancel the order and restock',
  },
} as const;

/** Errors worth retrying: the store was busy, or Lambda itself failed to run the step. */
const TRANSIENT_ERRORS = [
  'ServiceUnavailableError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/**
 * The fulfilment workflow: a Step Functions state machine that moves an order from PLACED to PAID
 * to SHIPPED, retrying transient failures with jittered backoff, and compensating (cancel and
 * restock) when a step fails for good. Input: `{ "customerId": "...", "orderId": "..." }`.
 */
export class FulfilmentStack extends Stack {
  readonly stateMachine: StateMachine;
  readonly trigger: Rule;
  /** Where OrderPlaced events go when the rule cannot start the workflow after its retries. */
  readonly triggerDeadLetters: Queue;
  readonly functions: Readonly<Record<keyof typeof FULFILMENT_STEPS, AppFunction>>;

  constructor(scope: Construct, id: string, props: FulfilmentStackProps) {
    super(scope, id, props);
    const { config, table, key, bus } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const step = (name: keyof typeof FULFILMENT_STEPS) =>
      new AppFunction(this, name, {
        ...FULFILMENT_STEPS[name],
        encryptionKey: key,
        serviceName: 'order-store-fulfilment',
        metricsNamespace: config.appName,
        timeout: Duration.seconds(20),
        logRemovalPolicy: removalPolicy,
        tracing: config.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      })
        // Each step reads the order with its lines (a Query of the customer's partition) and moves it
        // on with UpdateItem; compensation cancels it in a transaction of updates (the order, each
        // product's stock, the customer's totals). Nothing is put or deleted.
        .bindTable(table, FULFILMENT_TABLE_GRANT)
        .withEnvironment({ STATUS_SHARDS: String(config.statusShards) });
    this.functions = {
      PayOrder: step('PayOrder'),
      ShipOrder: step('ShipOrder'),
      CompensateOrder: step('CompensateOrder'),
    };

    const invoke = (name: keyof typeof FULFILMENT_STEPS, resultPath: string) =>
      new LambdaInvoke(this, name === 'CompensateOrder' ? 'Compensate' : name.replace('Order', ''), {
        lambdaFunction: this.functions[name].function,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath,
      }).addRetry({
        errors: TRANSIENT_ERRORS,
        interval: Duration.seconds(1),
        maxAttempts: 4,
        backoffRate: 2,
        maxDelay: Duration.seconds(10),
        jitterStrategy: JitterType.FULL,
      });

    const failed = new Fail(this, 'FulfilmentFailed', {
      error: 'FulfilmentFailed',
      cause: 'A step failed for good; the order was cancelled and restocked',
    });
    const compensate = invoke('CompensateOrder', '$.compensation').next(failed);
    const pay = invoke('PayOrder', '$.payment').addCatch(compensate, { errors: [Errors.ALL], resultPath: '$.error' });
    const ship = invoke('ShipOrder', '$.shipment').addCatch(compensate, {
      errors: [Errors.ALL],
      resultPath: '$.error',
    });

    const logs = new LogGroup(this, 'StateMachineLogs', {
      retention: RetentionDays.ONE_MONTH,
      encryptionKey: key,
      removalPolicy,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(pay.next(ship).next(new Succeed(this, 'Fulfilled'))),
      timeout: Duration.minutes(15),
      tracingEnabled: config.tracing,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      encryptionConfiguration: new CustomerManagedEncryptionConfiguration(key),
    });

    // Every order placed starts its fulfilment. Delivery is at least once, and the steps are
    // idempotent, so a second execution for the same order finds the work done.
    // The state machine is encrypted with the application key, so starting it needs a data key.
    const starter = new Role(this, 'StartOnOrderPlacedRole', {
      assumedBy: new ServicePrincipal('events.amazonaws.com'),
    });
    key.grant(starter, 'kms:GenerateDataKey');
    // Without a dead-letter queue an event the rule gives up on (after its retries and two hours)
    // is dropped, and that order is never fulfilled. Here it is kept for 14 days to be replayed; the
    // key's policy lets EventBridge encrypt into it (lib/stacks/data-stack.ts).
    this.triggerDeadLetters = new Queue(this, 'StartOnOrderPlacedDeadLetters', {
      // Named so that the key policy can name it (lib/names.ts).
      queueName: stageNames(config).orderPlacedDeadLetters,
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });
    Validations.of(this.triggerDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the OrderPlaced rule target; events in it are replayed by an operator (docs/operations/runbook.md).',
    });
    this.trigger = new Rule(this, 'StartOnOrderPlaced', {
      eventBus: bus,
      description: 'Start fulfilment when an order is placed',
      eventPattern: { source: [ORDER_EVENT_SOURCE], detailType: [OrderEventType.placed] },
      targets: [
        new SfnStateMachine(this.stateMachine, {
          input: RuleTargetInput.fromObject({
            customerId: EventField.fromPath('$.detail.customerId'),
            orderId: EventField.fromPath('$.detail.orderId'),
          }),
          role: starter,
          retryAttempts: 10,
          maxEventAge: Duration.hours(2),
          deadLetterQueue: this.triggerDeadLetters,
        }),
      ],
    });

    acknowledgeWildcardResources(
      this.stateMachine.role,
      Object.values(this.functions).map((fn) => `${fn.function.functionArn}:*`),
      'The state machine may invoke any version or alias of its own three step functions; the CDK task grant adds ":*" for that.',
    );
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: config.tracing
        ? 'X-Ray tracing (PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs delivery (CreateLogDelivery and friends) support no resource-level permissions.'
        : 'CloudWatch Logs delivery (CreateLogDelivery and friends) supports no resource-level permissions.',
    });
    if (!config.tracing) {
      Validations.of(this.stateMachine).acknowledge({
        id: 'AwsSolutions-SF2',
        reason:
          'The target has no X-Ray (LocalStack offers it only in its Ultimate plan), so the workflow is deployed without tracing; see lib/targets.ts.',
      });
    }
  }
}
