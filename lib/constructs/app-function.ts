import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { GlobalIndexes, LocalIndexes } from '../../lambdas/model/table-design';
import type { DaxCache } from './dax-cache';

/** Repository root, where package-lock.json and the handlers live. */
const PROJECT_ROOT = join(__dirname, '..', '..');

export interface AppFunctionProps {
  /** Handler file, relative to `lambdas/handlers/`, e.g. `api/catalog.ts`. */
  readonly handler: string;
  /** What the function is for, shown in the console. */
  readonly description: string;
  /** Key that encrypts the function's log group. */
  readonly encryptionKey: IKey;
  /** Powertools service name: the `service` key of every log line and metric. */
  readonly serviceName: string;
  /** CloudWatch namespace of the function's metrics. */
  readonly metricsNamespace: string;
  /**
   * Memory in MB; CPU grows with it, so 512 MB starts and runs noticeably faster than 128 MB.
   *
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * How long the function's logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the log group when the function leaves the stack.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * X-Ray tracing of the function. Without active tracing, Powertools' tracer is switched off too
   * (`POWERTOOLS_TRACE_ENABLED=false`), so that it neither patches the SDK clients nor looks for a
   * trace that no one started.
   *
   * @default Tracing.ACTIVE
   */
  readonly tracing?: Tracing;
  /**
   * A DAX cluster for the catalogue's eventually consistent reads (lambdas/data/eventual-reads.ts).
   * The function runs in the cluster's VPC and subnets, in the security group the cluster admits,
   * with DAX_ENDPOINT set, `dax:` read actions on that cluster alone, and the DAX client in its
   * bundle. Fixed at creation: a function's network and bundle are not bound later.
   *
   * @default - no cache: the function reads the table directly, runs outside any VPC, and the DAX
   * client is left out of its bundle
   */
  readonly cache?: DaxCache;
}

/**
 * How every function is bundled, in esbuild's terms; the bundle benchmark builds its esbuild
 * metafiles with the same settings (bench/bundles.ts).
 *
 * - ESM entry points first (`module` before `main`): the SDK's ES modules tree-shake, its CommonJS
 *   builds do not.
 * - The SDK bundled rather than taken from the runtime: pinned versions, and only what is imported.
 * - The SDK's default credential chain replaced by the environment alone: Lambda puts the role's
 *   credentials there, and the full chain (SSO, STS, shared files, metadata endpoints) would add
 *   about a quarter to every bundle and its load time without ever running
 *   (lambdas/shared/lambda-credentials.ts).
 * - The DAX client, which the data layer imports only when DAX_ENDPOINT is set, left out of the
 *   bundle of every function without a cache (about 750 KB minified on its own).
 */
export const BUNDLE_SETTINGS = {
  minify: true,
  target: 'node24',
  mainFields: ['module', 'main'],
  alias: { '@aws-sdk/credential-provider-node': join(PROJECT_ROOT, 'lambdas', 'shared', 'lambda-credentials.ts') },
  daxClient: '@amazon-dax-sdk/lib-dax',
} as const;

/**
 * What Lambda does with the execution role of a function in a VPC: create, describe and delete the
 * function's network interfaces (the same actions as AWSLambdaVPCAccessExecutionRole, without its
 * log permissions on every log group).
 */
const NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
] as const;

/** Every index of the single-table design, by name. */
const INDEX_NAMES: readonly string[] = [...Object.values(GlobalIndexes), ...Object.values(LocalIndexes)].map(
  (index) => index.indexName,
);

/**
 * The table's ARN and each of its indexes' by name: what a read grant covers. The CDK's table
 * grants cover `<table>/index/*`; naming each index keeps the grant exact and free of wildcards.
 */
export const tableAndIndexArns = (table: ITableV2): string[] => [
  table.tableArn,
  ...INDEX_NAMES.map((name) => `${table.tableArn}/index/${name}`),
];

/** Item-level reads, in the order statements list them. */
const TABLE_READ_ACTION_ORDER = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan'];
/** Item-level writes, in the order statements list them. */
const TABLE_WRITE_ACTION_ORDER = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];
const TABLE_READ_ACTIONS: ReadonlySet<string> = new Set(TABLE_READ_ACTION_ORDER);
const TABLE_WRITE_ACTIONS: ReadonlySet<string> = new Set(TABLE_WRITE_ACTION_ORDER);

/** The local indexes: they share the table's partition key. */
const LOCAL_INDEX_NAMES: readonly string[] = Object.values(LocalIndexes).map((index) => index.indexName);

/** What the CDK's `grantEncryptDecrypt` grants; writers keep it (see docs/security.md). */
const KEY_ENCRYPT_DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'] as const;

/** The item operations Powertools idempotency sends to its table (DynamoDBPersistenceLayer). */
export const IDEMPOTENCY_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

/** What a function may do with the table: see `AppFunction.bindTable`. */
export interface TableGrant {
  /** Item actions on the table itself, e.g. `dynamodb:GetItem`; transactions need the action of each item kind. */
  readonly actions: readonly string[];
  /**
   * Indexes the function queries, by name.
   *
   * @default - none
   */
  readonly indexes?: readonly string[];
  /**
   * Partition-key patterns the function's reads of the table and its local indexes are held to (an
   * IAM `dynamodb:LeadingKeys` condition), e.g. `PRODUCT#*`.
   *
   * @default - any partition
   */
  readonly readsFrom?: readonly string[];
  /**
   * Partition-key patterns the function's writes are held to.
   *
   * @default - any partition
   */
  readonly writesTo?: readonly string[];
}

/** The team's defaults, in one place. */
const DEFAULTS = {
  // The newest Node.js runtime: the longest support window, and what cdk-nag's AwsSolutions-L1 asks for.
  runtime: Runtime.NODEJS_24_X,
  architecture: Architecture.ARM_64,
  memorySize: 512,
  timeout: Duration.seconds(10),
  logRetention: RetentionDays.ONE_MONTH,
  logRemovalPolicy: RemovalPolicy.DESTROY,
  tracing: Tracing.ACTIVE,
} as const;

/**
 * A Node.js Lambda function with the team's defaults: Node 24 on arm64, the AWS SDK bundled and
 * minified from its ESM entry points (smaller and faster to load than the runtime's copy), no
 * source maps (a map file as large as the bundle, and --enable-source-maps slows every cold start
 * and stack trace; minified traces still name the file and line), active
 * X-Ray tracing (unless `tracing` says otherwise), JSON logs in a KMS-encrypted log group with a
 * retention, and a role that holds nothing until a `bind*` method grants it something.
 *
 * @example
 * const fn = new AppFunction(this, 'Catalog', { handler: 'api/catalog.ts', ... });
 * fn.bindTable(table, { actions: ['dynamodb:GetItem'], readsFrom: ['PRODUCT#*'] });
 */
export class AppFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  /** How long an invocation may run; alarms compare the function's duration with it. */
  readonly timeout: Duration;
  /** The Powertools service name: the `service` dimension of the function's own metrics. */
  readonly serviceName: string;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    this.timeout = props.timeout ?? DEFAULTS.timeout;
    this.serviceName = props.serviceName;
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? DEFAULTS.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.logRemovalPolicy ?? DEFAULTS.logRemovalPolicy,
    });

    // A role of our own instead of the AWSLambdaBasicExecutionRole managed policy, whose log
    // permissions cover every log group in the account.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(this.role);
    const tracing = props.tracing ?? DEFAULTS.tracing;
    const { cache } = props;
    if (cache !== undefined) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ sid: 'VpcNetworkInterfaces', actions: [...NETWORK_INTERFACE_ACTIONS], resources: ['*'] }),
      );
    }
    const unscopedActions = [
      ...(tracing === Tracing.ACTIVE
        ? [
            'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
          ]
        : []),
      ...(cache !== undefined
        ? [
            'Lambda manages the network interfaces of a function in a VPC with the ec2 actions of AWSLambdaVPCAccessExecutionRole (Describe* support no resource-level permissions, and the interfaces do not exist before Lambda creates them).',
          ]
        : []),
    ];
    if (unscopedActions.length > 0) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: unscopedActions.join(' '),
      });
    }

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, 'lambdas', 'handlers', props.handler),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: DEFAULTS.runtime,
      architecture: DEFAULTS.architecture,
      memorySize: props.memorySize ?? DEFAULTS.memorySize,
      timeout: this.timeout,
      role: this.role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      tracing,
      ...(cache === undefined
        ? {}
        : { vpc: cache.vpc, vpcSubnets: cache.subnets, securityGroups: [cache.clientSecurityGroup] }),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        ...(tracing === Tracing.ACTIVE ? {} : { POWERTOOLS_TRACE_ENABLED: 'false' }),
      },
      bundling: {
        minify: BUNDLE_SETTINGS.minify,
        sourceMap: false,
        target: BUNDLE_SETTINGS.target,
        format: OutputFormat.CJS,
        mainFields: [...BUNDLE_SETTINGS.mainFields],
        externalModules: cache === undefined ? [BUNDLE_SETTINGS.daxClient] : [],
        esbuildArgs: Object.fromEntries(
          Object.entries(BUNDLE_SETTINGS.alias).map(([module, replacement]) => [`--alias:${module}`, replacement]),
        ),
      },
    });

    if (cache !== undefined) {
      this.function.addEnvironment('DAX_ENDPOINT', cache.endpoint);
      cache.grantRead(this.role);
    }
  }

  /**
   * Set TABLE_NAME and grant exactly the given DynamoDB actions on the table, the named indexes,
   * and the table's key:
   * - reads (GetItem, BatchGetItem, Query, Scan) on the table, held to the `readsFrom` partitions
   *   when given; Query on each index named in `indexes`, local indexes held to `readsFrom` as
   *   well (they share the table's partition key), global ones not (their partition keys are other
   *   attributes, and IAM's `dynamodb:LeadingKeys` names the table's);
   * - writes (PutItem, UpdateItem, DeleteItem, ConditionCheckItem) on the table alone, held to the
   *   `writesTo` partitions when given;
   * - the key for DynamoDB's use only (`kms:ViaService`): decrypt for a reader, encrypt and decrypt
   *   for a writer.
   *
   * The CDK's table grants cover `<table>/index/*` and every action of a kind; naming each index
   * and action keeps the grant exact and free of wildcards.
   */
  bindTable(table: ITableV2, grant: TableGrant): this {
    this.function.addEnvironment('TABLE_NAME', table.tableName);
    const unknown = grant.actions.filter((a) => !TABLE_READ_ACTIONS.has(a) && !TABLE_WRITE_ACTIONS.has(a));
    if (unknown.length > 0) {
      throw new Error(
        `bindTable: ${unknown.join(', ')} is not an item action; allowed: ${[...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS].join(', ')}`,
      );
    }
    const reads = TABLE_READ_ACTION_ORDER.filter((a) => grant.actions.includes(a));
    const writes = TABLE_WRITE_ACTION_ORDER.filter((a) => grant.actions.includes(a));
    if (grant.readsFrom !== undefined && reads.includes('dynamodb:Scan')) {
      // A Scan names no partition, and ForAllValues over no keys is true: the condition would not hold it.
      throw new Error('bindTable: readsFrom cannot hold a Scan; grant Scan without readsFrom');
    }
    const held = (patterns: readonly string[] | undefined) =>
      patterns === undefined
        ? {}
        : { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...patterns] } } };
    if (reads.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'ReadTable',
          actions: reads,
          resources: [table.tableArn],
          ...held(grant.readsFrom),
        }),
      );
    }
    const indexes = grant.indexes ?? [];
    const unknownIndexes = indexes.filter((name) => !INDEX_NAMES.includes(name));
    if (unknownIndexes.length > 0) {
      throw new Error(`bindTable: no index ${unknownIndexes.join(', ')}; the table has ${INDEX_NAMES.join(', ')}`);
    }
    const indexArns = (names: readonly string[]) => names.map((name) => `${table.tableArn}/index/${name}`);
    const local = indexes.filter((name) => LOCAL_INDEX_NAMES.includes(name));
    const global = indexes.filter((name) => !LOCAL_INDEX_NAMES.includes(name));
    if (local.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'ReadLocalIndexes',
          actions: ['dynamodb:Query'],
          resources: indexArns(local),
          ...held(grant.readsFrom),
        }),
      );
    }
    if (global.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ sid: 'ReadGlobalIndexes', actions: ['dynamodb:Query'], resources: indexArns(global) }),
      );
    }
    if (writes.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'WriteTable',
          actions: writes,
          resources: [table.tableArn],
          ...held(grant.writesTo),
        }),
      );
    }
    if (table.encryptionKey !== undefined) {
      this.grantKeyVia(table.encryptionKey, 'TableKey', 'dynamodb', writes.length > 0);
    }
    return this;
  }

  /**
   * Grant the key for one service's use on the function's behalf only (`kms:ViaService`): decrypt,
   * and with `encrypt` the CDK's encrypt-decrypt set.
   */
  private grantKeyVia(key: IKey, sid: string, service: string, encrypt: boolean): void {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid,
        actions: encrypt ? [...KEY_ENCRYPT_DECRYPT_ACTIONS] : ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `${service}.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    if (encrypt) {
      Validations.of(this.role).acknowledge(
        ...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => ({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: `${action} is part of the CDK's encrypt-decrypt grant on the one application key, for DynamoDB's use alone (kms:ViaService); the resource is that key alone.`,
        })),
      );
    }
  }

  /**
   * Set IDEMPOTENCY_TABLE_NAME and grant the four item operations Powertools idempotency uses on
   * that table (and its key); the CDK's read-write grant would add Scan and batch operations.
   */
  bindIdempotencyTable(table: ITableV2): this {
    this.function.addEnvironment('IDEMPOTENCY_TABLE_NAME', table.tableName);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'IdempotencyRecords',
        actions: [...IDEMPOTENCY_ACTIONS],
        resources: [table.tableArn],
      }),
    );
    if (table.encryptionKey !== undefined) this.grantKeyVia(table.encryptionKey, 'IdempotencyKey', 'dynamodb', true);
    return this;
  }

  /**
   * Set an environment variable to the secret's ARN and grant reading its value.
   *
   * The grant is written to the function's own policy. `secret.grantRead` would also add the role
   * to the key's resource policy, which ties the key's stack to this one in a dependency cycle
   * when the key lives in the data stack.
   */
  bindSecret(secret: ISecret, variable: string): this {
    this.function.addEnvironment(variable, secret.secretArn);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadSecret',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secret.secretArn],
      }),
    );
    if (secret.encryptionKey !== undefined)
      this.grantKeyVia(secret.encryptionKey, 'SecretKey', 'secretsmanager', false);
    return this;
  }

  /** Set plain configuration values. */
  withEnvironment(variables: Readonly<Record<string, string>>): this {
    for (const [name, value] of Object.entries(variables)) this.function.addEnvironment(name, value);
    return this;
  }
}
