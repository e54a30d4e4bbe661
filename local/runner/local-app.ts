/**
 * The whole application on this machine, built from a synthesized cloud assembly:
 *
 * - DynamoDB Local holds the tables, created from the templates;
 * - moto_server (when installed) holds the buckets, queues, event bus and secret;
 * - every Lambda function runs from its built bundle in a worker of its own, with its template
 *   environment resolved against the local resources;
 * - the HTTP API serves every route of the template;
 * - the stream pump feeds every event source mapping from the table's real stream, and a local
 *   TTL process expires items, which DynamoDB Local does not do for this table;
 * - EventBridge rules deliver events from the bus to their targets (the fulfilment state machine,
 *   run by the local interpreter with the real step functions).
 *
 * `npm start` (local/start.ts) is the command-line face of this module; tests start it too.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_AWS, localDynamoDbClient, startDynamoDbLocal } from '../engines/dynamodb-local';
import type { RunningEngine } from '../engines/engine-process';
import { motoAvailable, startMotoServer } from '../engines/moto-server';
import {
  definitionFromTemplate,
  LOCAL_FUNCTION_PREFIX,
  runStateMachine,
  type StateMachineDefinition,
} from '../state-machine';
import type { BatchResponse } from '../streams/batch-delivery';
import { type StreamMapping, streamMappingsOf } from '../streams/mappings';
import { type PumpedMapping, StreamPump, sqsFailureDestination } from '../streams/pump';
import { streamsClient } from '../streams/stream-reader';
import { type CfnTemplate, createTablesFromTemplate, tablesInTemplate } from '../tables-from-template';
import { LocalTtlProcess } from '../ttl-process';
import {
  type AssemblyFunction,
  type AssemblyRoute,
  type AssemblyStack,
  functionsOf,
  type ResourceRef,
  readAssembly,
  resourcesOf,
  routesOf,
} from './cloud-assembly';
import { dispatch, eventBusTap, type LocalRule, type RuleTarget, rulesOf } from './event-rules';
import { FunctionError, FunctionHost } from './function-host';
import { httpApiListener, type RequestLog } from './http-api';
import { LOCAL_ACCOUNT, LocalResources, refKey } from './local-resources';
import { secretsStandIn } from './secrets-stand-in';

export type LogChannel = 'api' | 'stream' | 'events' | 'workflow' | 'ttl' | 'function' | 'runner';

export interface LocalAppOptions {
  /** The synthesized cloud assembly, with bundles (`cdk synth` output). */
  readonly assemblyDir: string;
  /** Port of the API on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** DynamoDB Local's database folder, kept between runs; absent means in memory. */
  readonly dbPath?: string;
  /** Use moto_server when it is installed. @default true */
  readonly useMoto?: boolean;
  /** Powertools log level inside the functions. @default 'WARN' */
  readonly functionLogLevel?: string;
  /** How often the stream pump polls. @default 250 */
  readonly pollIntervalMs?: number;
  /** How often the local TTL process runs. @default 10_000 */
  readonly ttlIntervalMs?: number;
  readonly log?: (channel: LogChannel, message: string) => void;
}

/** A part of the app that could not run here, and why. */
export interface Skipped {
  readonly what: string;
  readonly why: string;
}

export interface LocalApp {
  readonly apiUrl: string;
  readonly region: string;
  readonly endpoints: { readonly dynamodb: string; readonly moto?: string };
  /** Process ids of the engines it started (Java, and Python for moto). */
  readonly processes: readonly number[];
  /** Local table name by logical id. */
  readonly tables: Readonly<Record<string, string>>;
  readonly routes: readonly AssemblyRoute[];
  /** Functions by display name, with the environment each runs with. */
  readonly functions: ReadonlyMap<
    string,
    { readonly fn: AssemblyFunction; readonly environment: Record<string, string> }
  >;
  /** Each stream mapping pumped, with the function it feeds. */
  readonly mappings: readonly { readonly mapping: StreamMapping; readonly functionName: string }[];
  readonly skipped: readonly Skipped[];
  /** Whether the tables were kept from an earlier run (the pump then starts at the stream's end). */
  readonly reusedData: boolean;
  /** Invoke a function by display name, as Lambda would. */
  invoke(functionName: string, event: unknown): Promise<unknown>;
  /** Stop everything this app started; safe to call more than once. */
  stop(): Promise<void>;
}

/** `CatalogFunction6DE1C47C` → `Catalog`: the name a function goes by in the runner's output. */
export const displayNameOf = (fn: ResourceRef): string =>
  fn.logicalId.replace(/Function[0-9A-F]{8}$/, '').replace(/[0-9A-F]{8}$/, '');

/** A name any AWS service accepts for a local resource: letters, digits and hyphens, at most 63. */
const localName = (ref: ResourceRef, lowerCase = false) => {
  const name = `${ref.stackName}-${ref.logicalId}`.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 63);
  return lowerCase ? name.toLowerCase() : name;
};

/** Nothing a function does may reach AWS: an endpoint where nothing listens refuses at once. */
const NOWHERE = 'http://127.0.0.1:9';

type Log = (channel: LogChannel, message: string) => void;
type Cleanup = () => Promise<void> | void;

/**
 * What to undo on stop, in phases: first stop taking work (the API and the bus), then finish or
 * stop the work under way (pumps, workflows), then the functions, then the engines.
 */
class Shutdown {
  private readonly phases = {
    intake: [] as Cleanup[],
    work: [] as Cleanup[],
    functions: [] as Cleanup[],
    engines: [] as Cleanup[],
  };

  constructor(private readonly log: Log) {}

  on(phase: keyof Shutdown['phases'], cleanup: Cleanup): void {
    this.phases[phase].push(cleanup);
  }

  async run(): Promise<void> {
    for (const phase of ['intake', 'work', 'functions', 'engines'] as const) {
      for (const cleanup of this.phases[phase].splice(0).reverse()) {
        try {
          await cleanup();
        } catch (error) {
          this.log('runner', `while stopping: ${String(error)}`);
        }
      }
    }
  }
}

const closed = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

const describeFailure = (error: unknown) =>
  error instanceof FunctionError ? `${error.name}: ${error.message}` : String(error);

const plural = (n: number, word: string, plural = `${word}s`) => `${n} ${n === 1 ? word : plural}`;

export async function startLocalApp(options: LocalAppOptions): Promise<LocalApp> {
  const log = options.log ?? (() => undefined);
  const shutdown = new Shutdown(log);
  try {
    return await assemble(options, log, shutdown);
  } catch (error) {
    // A start that fails halfway leaves nothing running.
    await shutdown.run();
    throw error;
  }
}

async function assemble(options: LocalAppOptions, log: Log, shutdown: Shutdown): Promise<LocalApp> {
  const region = LOCAL_AWS.region;
  const stacks = readAssembly(options.assemblyDir);
  const resources = new LocalResources(stacks, region);
  const skipped: Skipped[] = [];

  // Engines.
  const dynamodb = await startDynamoDbLocal(options.dbPath === undefined ? {} : { dbPath: options.dbPath });
  shutdown.on('engines', () => dynamodb.stop());
  let moto: RunningEngine | undefined;
  if (options.useMoto !== false && motoAvailable()) {
    moto = await startMotoServer();
    shutdown.on('engines', () => moto?.stop());
  }
  const client = localDynamoDbClient(dynamodb.endpoint);
  const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: moto?.endpoint ?? NOWHERE });
  shutdown.on('engines', () => {
    client.destroy();
    sqs.destroy();
  });

  // Resources: the tables in DynamoDB Local, the rest in moto (or only their names without it).
  const { tables, reusedData, ttlProcesses } = await createTables(stacks, client, resources);
  const { secrets } = await provisionOthers(stacks, resources, moto?.endpoint, sqs);

  const endpoints: Record<string, string> = {
    AWS_ENDPOINT_URL: moto?.endpoint ?? NOWHERE,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
  };
  if (moto === undefined) {
    const standIn = await secretsStandIn(secrets, (error) => log('runner', `secrets stand-in: ${String(error)}`));
    shutdown.on('intake', () => closed(standIn.server));
    endpoints.AWS_ENDPOINT_URL_SECRETS_MANAGER = standIn.endpoint;
  }

  // Rules on the bus, applied by a pass-through to moto's EventBridge.
  const rules = moto === undefined ? undefined : await startRules(stacks, resources, moto.endpoint, log, shutdown);
  if (rules === undefined) {
    for (const { logicalId } of resourcesOf(stacks, 'AWS::Events::Rule'))
      skipped.push({ what: `rule ${logicalId}`, why: 'the event bus needs moto_server' });
  } else {
    endpoints.AWS_ENDPOINT_URL_EVENTBRIDGE = rules.endpoint;
  }

  // Functions, each from a copy of its bundle (so that it cannot resolve modules from this
  // repository's node_modules, which Lambda would not have either).
  const functions = startFunctions(stacks, options, resources, endpoints, log, shutdown, skipped);
  rules?.bind(functions, skipped);

  // Stream mappings.
  const mappings = startStreams(stacks, resources, functions, {
    dynamodbEndpoint: dynamodb.endpoint,
    sqs: moto === undefined ? undefined : sqs,
    startAtEnd: reusedData,
    ttlProcesses,
    pollIntervalMs: options.pollIntervalMs ?? 250,
    log,
    shutdown,
    skipped,
  });
  if (ttlProcesses.size > 0) {
    const timer = setInterval(() => {
      for (const ttl of ttlProcesses.values()) {
        ttl.sweep().then(
          (deleted) => deleted > 0 && log('ttl', `expired ${plural(deleted, 'item')}`),
          (error) => log('ttl', `sweep failed: ${String(error)}`),
        );
      }
    }, options.ttlIntervalMs ?? 10_000);
    shutdown.on('work', () => clearInterval(timer));
  }

  // The HTTP API.
  const routes = routesOf(stacks);
  const server = createServer(
    httpApiListener(
      routes,
      async (route, event) => {
        const fn = functions.byRef.get(refKey(route.function));
        if (fn === undefined) throw new Error(`the function of ${route.routeKey} cannot run here`);
        return { result: await fn.host.invoke(event), functionName: fn.name };
      },
      (request: RequestLog) =>
        log(
          'api',
          `${request.method} ${request.url} → ${request.statusCode}${request.functionName === undefined ? '' : ` (${request.functionName}, ${Math.round(request.ms)} ms)`}`,
        ),
      (error, route) => log('api', `${route?.routeKey ?? 'request'}: failed: ${describeFailure(error)}`),
    ),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  shutdown.on('intake', () => closed(server));

  let stopping: Promise<void> | undefined;
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region,
    endpoints: { dynamodb: dynamodb.endpoint, ...(moto === undefined ? {} : { moto: moto.endpoint }) },
    processes: [dynamodb.pid, ...(moto === undefined ? [] : [moto.pid])],
    tables,
    routes,
    functions: new Map([...functions.byRef.values()].map((f) => [f.name, { fn: f.fn, environment: f.environment }])),
    mappings,
    skipped,
    reusedData,
    invoke: (functionName, event) => {
      const fn = [...functions.byRef.values()].find((f) => f.name === functionName);
      if (fn === undefined) return Promise.reject(new Error(`no local function ${functionName}`));
      return fn.host.invoke(event);
    },
    stop: () => {
      stopping ??= shutdown.run();
      return stopping;
    },
  };
}

/** Every table of every template, created (or kept from an earlier run) in DynamoDB Local. */
async function createTables(stacks: readonly AssemblyStack[], client: DynamoDBClient, resources: LocalResources) {
  const tables: Record<string, string> = {};
  let reusedData = false;
  const ttlProcesses = new Map<string, LocalTtlProcess>();
  for (const stack of stacks) {
    const template: CfnTemplate = stack.template;
    const created = await createTablesFromTemplate(client, template, {
      tableName: (logicalId) => localName({ stackName: stack.stackName, logicalId }),
      ifExists: 'keep',
    });
    for (const table of created) {
      reusedData ||= !table.created;
      tables[table.logicalId] = table.tableName;
      const { Table } = await client.send(new DescribeTableCommand({ TableName: table.tableName }));
      const streamArn = Table?.LatestStreamArn;
      resources.register({ stackName: stack.stackName, logicalId: table.logicalId }, table.tableName, {
        Arn: Table?.TableArn ?? resources.arn('dynamodb', `table/${table.tableName}`),
        ...(streamArn === undefined ? {} : { StreamArn: streamArn }),
      });
      const definition = tablesInTemplate(template).find((t) => t.logicalId === table.logicalId);
      if (streamArn !== undefined && definition?.timeToLiveAttribute !== undefined) {
        ttlProcesses.set(
          streamArn,
          new LocalTtlProcess({
            client,
            tableName: table.tableName,
            attribute: definition.timeToLiveAttribute,
            keyAttributes: (definition.definition.KeySchema ?? []).map((k) => k.AttributeName ?? ''),
          }),
        );
      }
    }
  }
  return { tables, reusedData, ttlProcesses };
}

/** A function the runner hosts. */
interface HostedFunction {
  readonly name: string;
  readonly fn: AssemblyFunction;
  readonly environment: Record<string, string>;
  readonly host: FunctionHost;
}

interface HostedFunctions {
  readonly byRef: ReadonlyMap<string, HostedFunction>;
}

function startFunctions(
  stacks: readonly AssemblyStack[],
  options: LocalAppOptions,
  resources: LocalResources,
  endpoints: Record<string, string>,
  log: Log,
  shutdown: Shutdown,
  skipped: Skipped[],
): HostedFunctions {
  const region = resources.region;
  const copies = mkdtempSync(join(tmpdir(), 'orderstore-functions-'));
  shutdown.on('functions', () => rmSync(copies, { recursive: true, force: true }));
  const byRef = new Map<string, HostedFunction>();
  for (const fn of functionsOf(stacks, options.assemblyDir)) {
    const name = displayNameOf(fn);
    if (fn.bundleDir === undefined) {
      skipped.push({ what: `function ${name}`, why: 'the assembly has no bundle for it (synthesize with bundling)' });
      continue;
    }
    let variables: Record<string, string>;
    try {
      variables = resources.resolveVariables(fn.variables, fn.stackName);
    } catch (error) {
      skipped.push({ what: `function ${name}`, why: (error as Error).message });
      continue;
    }
    const functionName = localName(fn);
    const environment: Record<string, string> = {
      ...variables,
      // What the Lambda runtime sets.
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      // Lambda runs in UTC; the variable is informative here, as the zone is the runner's process's.
      TZ: 'UTC',
      // Local: every AWS call goes to a local engine; no X-Ray daemon, no metrics backend.
      ...endpoints,
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: options.functionLogLevel ?? 'WARN',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const bundleDir = join(copies, functionName);
    cpSync(fn.bundleDir, bundleDir, { recursive: true });
    const host = new FunctionHost(
      {
        functionName,
        bundleDir,
        handler: fn.handler,
        environment,
        timeoutSeconds: fn.timeoutSeconds,
        memoryMb: fn.memoryMb,
        onLog: (line) => log('function', `${name}: ${line}`),
      },
      { region, account: LOCAL_ACCOUNT },
    );
    shutdown.on('functions', () => host.stop());
    byRef.set(refKey(fn), { name, fn, environment, host });
  }
  return { byRef };
}

/**
 * The rules of the templates, applied to what the functions publish: a pass-through to moto's
 * EventBridge hands each accepted event to the targets of the matching rules. State machine targets
 * run in the local interpreter with the real step functions; in-flight runs finish before the
 * functions stop.
 */
async function startRules(
  stacks: readonly AssemblyStack[],
  resources: LocalResources,
  motoEndpoint: string,
  log: Log,
  shutdown: Shutdown,
) {
  const rules = rulesOf(stacks, resources);
  const machines = new Map<string, StateMachineDefinition>();
  const running = new Set<Promise<void>>();
  let functions: HostedFunctions | undefined;
  let accepting = true;

  const start = (rule: LocalRule, target: RuleTarget, input: unknown) => {
    const definition = machines.get(refKey(target.resource));
    if (definition === undefined || functions === undefined || !accepting) return;
    const label = `${displayNameOf(rule)} ${JSON.stringify(input)}`;
    const run = runStateMachine(definition, input, {
      invoke: (resource, payload) => {
        const logicalId = resource.slice(LOCAL_FUNCTION_PREFIX.length);
        const fn = functions?.byRef.get(refKey({ stackName: target.resource.stackName, logicalId }));
        if (fn === undefined) throw new Error(`no local function for ${resource}`);
        return fn.host.invoke(payload);
      },
    }).then(
      (execution) => {
        const steps = execution.history.filter((h) => h.type === 'TaskSucceeded' || h.type === 'TaskFailed');
        const error = execution.error === undefined ? '' : ` (${execution.error})`;
        log('workflow', `${label}: ${[...steps.map((h) => h.state), execution.status].join(' → ')}${error}`);
      },
      (error) => log('workflow', `${label}: could not run: ${describeFailure(error)}`),
    );
    running.add(run);
    void run.finally(() => running.delete(run));
  };

  const tap = await eventBusTap(
    motoEndpoint,
    resources.region,
    LOCAL_ACCOUNT,
    (busName, event) => dispatch(rules, busName, event, start),
    (error) => log('events', `pass-through: ${describeFailure(error)}`),
  );
  shutdown.on('intake', () => closed(tap.server));
  shutdown.on('work', async () => {
    accepting = false;
    await Promise.all(running);
  });

  return {
    endpoint: tap.endpoint,
    /** Start delivering to the targets, once the functions they invoke are running. */
    bind(hosted: HostedFunctions, skipped: Skipped[]) {
      functions = hosted;
      for (const rule of rules) {
        for (const target of rule.targets) {
          if (target.resourceType !== 'AWS::StepFunctions::StateMachine') {
            skipped.push({
              what: `rule ${rule.logicalId} target ${target.id}`,
              why: `${target.resourceType} targets are not run locally`,
            });
            continue;
          }
          const template = stacks.find((s) => s.stackName === target.resource.stackName)?.template ?? {};
          machines.set(refKey(target.resource), definitionFromTemplate(template, target.resource.logicalId));
        }
      }
    },
  };
}

/** Every stream mapping of the templates, pumped from its table's stream into its function. */
function startStreams(
  stacks: readonly AssemblyStack[],
  resources: LocalResources,
  functions: HostedFunctions,
  settings: {
    readonly dynamodbEndpoint: string;
    /** Where failure descriptions go; without it they are printed. */
    readonly sqs?: SQSClient;
    /** Start each mapping at the end of the stream, as a deployed mapping resumes where it stopped. */
    readonly startAtEnd: boolean;
    readonly ttlProcesses: ReadonlyMap<string, LocalTtlProcess>;
    readonly pollIntervalMs: number;
    readonly log: Log;
    readonly shutdown: Shutdown;
    readonly skipped: Skipped[];
  },
): { mapping: StreamMapping; functionName: string }[] {
  const { log, sqs } = settings;
  const pumped: { mapping: StreamMapping; functionName: string }[] = [];
  const byStream = new Map<string, PumpedMapping[]>();
  for (const stack of stacks) {
    for (const mapping of streamMappingsOf(stack.template)) {
      const fnRef = { stackName: stack.stackName, logicalId: mapping.functionLogicalId };
      const fn = functions.byRef.get(refKey(fnRef));
      if (fn === undefined) {
        settings.skipped.push({ what: `stream consumer ${displayNameOf(fnRef)}`, why: 'its function cannot run here' });
        continue;
      }
      const source = stack.template.Resources?.[mapping.logicalId]?.Properties?.EventSourceArn;
      const streamArn = resources.resolve(source, stack.stackName);
      const queue = mapping.onFailureQueueLogicalId;
      const onFailure =
        sqs !== undefined && queue !== undefined
          ? sqsFailureDestination(
              sqs,
              resources.refOf({ stackName: stack.stackName, logicalId: queue }),
              resources.arn('lambda', `function:${localName(fnRef)}`),
            )
          : async (failure: unknown) => log('stream', `${fn.name}: gave up on a batch: ${JSON.stringify(failure)}`);
      const effective = settings.startAtEnd ? { ...mapping, startingPosition: 'LATEST' as const } : mapping;
      byStream.set(streamArn, [
        ...(byStream.get(streamArn) ?? []),
        {
          mapping: effective,
          consumer: async (event) => (await fn.host.invoke(event)) as BatchResponse | undefined,
          onFailure,
        },
      ]);
      pumped.push({ mapping: effective, functionName: fn.name });
    }
  }
  const names = new Map(pumped.map((p) => [p.mapping.logicalId, p.functionName]));
  for (const [streamArn, mappings] of byStream) {
    const ttl = settings.ttlProcesses.get(streamArn);
    const pump = new StreamPump({
      streamArn,
      client: streamsClient({ ...LOCAL_AWS, endpoint: settings.dynamodbEndpoint }),
      region: resources.region,
      mappings,
      ...(ttl === undefined ? {} : { ttl }),
    });
    pump.start({
      intervalMs: settings.pollIntervalMs,
      onReport: (report) => {
        if (report.delivered === 0 && report.failedBatches.length === 0) return;
        const failed = report.failedBatches.length;
        log(
          'stream',
          `${names.get(report.mappingLogicalId)}: ${plural(report.delivered, 'record')} in ${plural(report.invocations, 'invocation')}${failed > 0 ? `, ${plural(failed, 'batch', 'batches')} sent to the failure queue` : ''}`,
        );
      },
      onError: (error) => log('stream', `pump: ${describeFailure(error)}`),
    });
    settings.shutdown.on('work', () => pump.stop());
  }
  return pumped;
}

/**
 * Create the resources other than tables that functions reference: secrets, buckets, queues and
 * event buses in moto (or only their names without it), and names for keys, state machines and
 * functions, so that every reference in an environment resolves.
 */
async function provisionOthers(
  stacks: readonly AssemblyStack[],
  resources: LocalResources,
  motoEndpoint: string | undefined,
  sqs: SQSClient,
): Promise<{ secrets: Map<string, string> }> {
  const secrets = new Map<string, string>();
  const withMoto = motoEndpoint !== undefined;
  const inMoto = { ...LOCAL_AWS, endpoint: motoEndpoint ?? NOWHERE };
  const secretsManager = new SecretsManagerClient(inMoto);
  const s3 = new S3Client({ ...inMoto, forcePathStyle: true });
  const events = new EventBridgeClient(inMoto);
  try {
    for (const { stackName, logicalId } of resourcesOf(stacks, 'AWS::SecretsManager::Secret')) {
      const name = localName({ stackName, logicalId });
      const value = randomBytes(48).toString('base64url');
      let arn = resources.arn('secretsmanager', `secret:${name}`);
      if (withMoto)
        arn = (await secretsManager.send(new CreateSecretCommand({ Name: name, SecretString: value }))).ARN ?? arn;
      secrets.set(arn, value);
      resources.register({ stackName, logicalId }, arn, { Id: arn });
    }
    for (const { stackName, logicalId } of resourcesOf(stacks, 'AWS::KMS::Key')) {
      const id = `local-${logicalId}`;
      resources.register({ stackName, logicalId }, id, { Arn: resources.arn('kms', `key/${id}`), KeyId: id });
    }
    for (const { stackName, logicalId } of resourcesOf(stacks, 'AWS::StepFunctions::StateMachine')) {
      const name = localName({ stackName, logicalId });
      const arn = resources.arn('states', `stateMachine:${name}`);
      resources.register({ stackName, logicalId }, arn, { Arn: arn, Name: name });
    }
    for (const { stackName, logicalId } of resourcesOf(stacks, 'AWS::Lambda::Function')) {
      const name = localName({ stackName, logicalId });
      resources.register({ stackName, logicalId }, name, { Arn: resources.arn('lambda', `function:${name}`) });
    }
    if (!withMoto) return { secrets };
    for (const { stackName, logicalId } of resourcesOf(stacks, 'AWS::S3::Bucket')) {
      const name = localName({ stackName, logicalId }, true);
      await s3.send(new CreateBucketCommand({ Bucket: name })).catch((error: Error) => {
        if (error.name !== 'BucketAlreadyOwnedByYou') throw error;
      });
      resources.register({ stackName, logicalId }, name, {
        Arn: `arn:aws:s3:::${name}`,
        DomainName: `${name}.s3.amazonaws.com`,
      });
    }
    for (const { stackName, logicalId } of resourcesOf(stacks, 'AWS::SQS::Queue')) {
      const name = localName({ stackName, logicalId });
      const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      resources.register({ stackName, logicalId }, QueueUrl, { Arn: Attributes?.QueueArn ?? '', QueueName: name });
    }
    for (const { stackName, logicalId, resource } of resourcesOf(stacks, 'AWS::Events::EventBus')) {
      const declared = resource.Properties?.Name;
      const name = typeof declared === 'string' ? declared : localName({ stackName, logicalId });
      const { EventBusArn = resources.arn('events', `event-bus/${name}`) } = await events.send(
        new CreateEventBusCommand({ Name: name }),
      );
      resources.register({ stackName, logicalId }, name, { Arn: EventBusArn, Name: name });
    }
    return { secrets };
  } finally {
    for (const c of [secretsManager, s3, events]) c.destroy();
  }
}
