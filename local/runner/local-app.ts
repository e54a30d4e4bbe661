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
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_AWS, localDynamoDbClient, startDynamoDbLocal } from '../engines/dynamodb-local';
import type { RunningEngine } from '../engines/engine-process';
import { motoAvailable, startMotoServer } from '../engines/moto-server';
import { definitionFromTemplate, LOCAL_FUNCTION_PREFIX, runStateMachine } from '../state-machine';
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
import { type BusEvent, dispatch, eventBusTap, type LocalRule, rulesOf } from './event-rules';
import { FunctionError, FunctionHost } from './function-host';
import { httpApiListener, type RequestLog } from './http-api';
import { LOCAL_ACCOUNT, LocalResources } from './local-resources';
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

const key = (ref: ResourceRef) => `${ref.stackName}/${ref.logicalId}`;

/** A name any AWS service accepts for a local resource: letters, digits and hyphens, at most 63. */
const localName = (ref: ResourceRef, lowerCase = false) => {
  const name = `${ref.stackName}-${ref.logicalId}`.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 63);
  return lowerCase ? name.toLowerCase() : name;
};

/** Nothing a function does may reach AWS: an endpoint where nothing listens refuses at once. */
const NOWHERE = 'http://127.0.0.1:9';

export async function startLocalApp(options: LocalAppOptions): Promise<LocalApp> {
  const log = options.log ?? (() => undefined);
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log('runner', `while stopping: ${String(error)}`);
      }
    }
  };

  try {
    return await assemble(options, log, cleanups, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

async function assemble(
  options: LocalAppOptions,
  log: (channel: LogChannel, message: string) => void,
  cleanups: (() => Promise<void> | void)[],
  stop: () => Promise<void>,
): Promise<LocalApp> {
  const region = LOCAL_AWS.region;
  const stacks = readAssembly(options.assemblyDir);
  const resources = new LocalResources(stacks, region);
  const skipped: Skipped[] = [];

  // Engines.
  const dynamodb = await startDynamoDbLocal(options.dbPath === undefined ? {} : { dbPath: options.dbPath });
  cleanups.push(() => dynamodb.stop());
  let moto: RunningEngine | undefined;
  if (options.useMoto !== false && motoAvailable()) {
    moto = await startMotoServer();
    cleanups.push(() => moto?.stop());
  }
  const client = localDynamoDbClient(dynamodb.endpoint);
  cleanups.push(() => client.destroy());

  // Tables, from each template.
  const tables: Record<string, string> = {};
  let reusedData = false;
  const ttlProcesses = new Map<string, LocalTtlProcess>();
  for (const stack of stacks) {
    const template = stack.template as CfnTemplate;
    const created = await createTablesFromTemplate(client, template, {
      tableName: (logicalId) => localName({ stackName: stack.stackName, logicalId }),
      ifExists: 'keep',
    });
    for (const table of created) {
      reusedData ||= !table.created;
      tables[table.logicalId] = table.tableName;
      const { Table } = await client.send(new DescribeTableCommand({ TableName: table.tableName }));
      resources.register({ stackName: stack.stackName, logicalId: table.logicalId }, table.tableName, {
        Arn: Table?.TableArn ?? resources.arn('dynamodb', `table/${table.tableName}`),
        ...(Table?.LatestStreamArn === undefined ? {} : { StreamArn: Table.LatestStreamArn }),
      });
      const definition = tablesInTemplate(template).find((t) => t.logicalId === table.logicalId);
      if (Table?.LatestStreamArn !== undefined && definition?.timeToLiveAttribute !== undefined) {
        ttlProcesses.set(
          Table.LatestStreamArn,
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

  // Everything else the functions reference: in moto when it runs, otherwise names only.
  const endpointVariables: Record<string, string> = {
    AWS_ENDPOINT_URL: moto?.endpoint ?? NOWHERE,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
  };
  const inMoto = { ...LOCAL_AWS, endpoint: moto?.endpoint ?? NOWHERE };
  const sqs = new SQSClient(inMoto);
  const otherServices = await provisionOthers(stacks, resources, moto !== undefined, inMoto, sqs);
  cleanups.push(() => sqs.destroy());
  if (moto === undefined) {
    const standIn = await secretsStandIn(otherServices.secrets);
    cleanups.push(() => new Promise<void>((resolve) => standIn.server.close(() => resolve())));
    endpointVariables.AWS_ENDPOINT_URL_SECRETS_MANAGER = standIn.endpoint;
  }

  // Rules on the bus, and the tap that applies them to what the functions publish.
  const rules = rulesOf(stacks, resources);
  const hosts = new Map<string, FunctionHost>();
  if (moto !== undefined) {
    const tap = await eventBusTap(moto.endpoint, region, LOCAL_ACCOUNT, (busName, event) => {
      dispatchEvent(rules, busName, event);
    });
    cleanups.push(() => new Promise<void>((resolve) => tap.server.close(() => resolve())));
    endpointVariables.AWS_ENDPOINT_URL_EVENTBRIDGE = tap.endpoint;
  }

  // Functions.
  const functions = new Map<string, { fn: AssemblyFunction; environment: Record<string, string> }>();
  const hostByRef = new Map<string, FunctionHost>();
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
      TZ: 'UTC',
      // Local: every AWS call goes to a local engine; no X-Ray daemon, no metrics backend.
      ...endpointVariables,
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: options.functionLogLevel ?? 'WARN',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const host = new FunctionHost(
      {
        functionName,
        bundleDir: fn.bundleDir,
        handler: fn.handler,
        environment,
        timeoutSeconds: fn.timeoutSeconds,
        memoryMb: fn.memoryMb,
        onLog: (line) => log('function', `${name}: ${line}`),
      },
      { region, account: LOCAL_ACCOUNT },
    );
    cleanups.push(() => host.stop());
    hosts.set(name, host);
    hostByRef.set(key(fn), host);
    functions.set(name, { fn, environment });
  }
  const describeFailure = (error: unknown) =>
    error instanceof FunctionError ? `${error.name}: ${error.message}` : String(error);

  // Rules' targets: only state machines are targets in this application.
  const machines = new Map<string, ReturnType<typeof definitionFromTemplate>>();
  for (const rule of rules) {
    for (const target of rule.targets) {
      if (target.resourceType !== 'AWS::StepFunctions::StateMachine') {
        skipped.push({
          what: `rule ${rule.logicalId} target ${target.id}`,
          why: `${target.resourceType} targets are not run locally`,
        });
        continue;
      }
      const template = stacks.find((s) => s.stackName === target.resource.stackName)?.template as CfnTemplate;
      machines.set(key(target.resource), definitionFromTemplate(template, target.resource.logicalId));
    }
    if (moto === undefined) skipped.push({ what: `rule ${rule.logicalId}`, why: 'the event bus needs moto_server' });
  }
  function dispatchEvent(rulesToApply: readonly LocalRule[], busName: string, event: BusEvent): void {
    dispatch(rulesToApply, busName, event, (rule, target, input) => {
      const definition = machines.get(key(target.resource));
      if (definition === undefined) return;
      const label = `${displayNameOf(rule)} ${JSON.stringify(input)}`;
      runStateMachine(definition, input, {
        invoke: (resource, payload) => {
          const logicalId = resource.slice(LOCAL_FUNCTION_PREFIX.length);
          const host = hostByRef.get(key({ stackName: target.resource.stackName, logicalId }));
          if (host === undefined) throw new Error(`no local function for ${resource}`);
          return host.invoke(payload);
        },
      }).then(
        (execution) => {
          const steps = execution.history.filter((h) => h.type === 'TaskSucceeded' || h.type === 'TaskFailed');
          const error = execution.error === undefined ? '' : ` (${execution.error})`;
          log('workflow', `${label}: ${[...steps.map((h) => h.state), execution.status].join(' → ')}${error}`);
        },
        (error) => log('workflow', `${label}: could not run: ${describeFailure(error)}`),
      );
    });
  }

  // Stream mappings.
  const pumpedMappings: { mapping: StreamMapping; functionName: string }[] = [];
  const byStream = new Map<string, PumpedMapping[]>();
  for (const stack of stacks) {
    for (const mapping of streamMappingsOf(stack.template as CfnTemplate)) {
      const fnRef = { stackName: stack.stackName, logicalId: mapping.functionLogicalId };
      const host = hostByRef.get(key(fnRef));
      const name = displayNameOf(fnRef);
      if (host === undefined) {
        skipped.push({
          what: `stream consumer ${name}`,
          why: functions.has(name) ? 'not runnable' : 'its function cannot run here',
        });
        continue;
      }
      const source = stack.template.Resources?.[mapping.logicalId]?.Properties?.EventSourceArn;
      const streamArn = resources.resolve(source, stack.stackName);
      const failureQueue =
        mapping.onFailureQueueLogicalId === undefined
          ? undefined
          : { stackName: stack.stackName, logicalId: mapping.onFailureQueueLogicalId };
      const onFailure =
        moto !== undefined && failureQueue !== undefined
          ? sqsFailureDestination(
              sqs,
              resources.refOf(failureQueue),
              resources.arn('lambda', `function:${localName(fnRef)}`),
            )
          : async (failure: unknown) => log('stream', `${name}: gave up on a batch: ${JSON.stringify(failure)}`);
      const effective = reusedData ? { ...mapping, startingPosition: 'LATEST' as const } : mapping;
      const list = byStream.get(streamArn) ?? [];
      list.push({
        mapping: effective,
        consumer: async (event) => (await host.invoke(event)) as BatchResponse | undefined,
        onFailure,
      });
      byStream.set(streamArn, list);
      pumpedMappings.push({ mapping: effective, functionName: name });
    }
  }
  const names = new Map(pumpedMappings.map((p) => [p.mapping.logicalId, p.functionName]));
  for (const [streamArn, mappings] of byStream) {
    const ttl = ttlProcesses.get(streamArn);
    const pump = new StreamPump({
      streamArn,
      client: streamsClient({ ...LOCAL_AWS, endpoint: dynamodb.endpoint }),
      region,
      mappings,
      ...(ttl === undefined ? {} : { ttl }),
    });
    pump.start({
      intervalMs: options.pollIntervalMs ?? 250,
      onReport: (report) => {
        if (report.delivered === 0 && report.failedBatches.length === 0) return;
        const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
        const failed = report.failedBatches.length;
        log(
          'stream',
          `${names.get(report.mappingLogicalId)}: ${plural(report.delivered, 'record')} in ${plural(report.invocations, 'invocation')}${failed > 0 ? `, ${failed} batch${failed === 1 ? '' : 'es'} sent to the failure queue` : ''}`,
        );
      },
      onError: (error) => log('stream', `pump: ${describeFailure(error)}`),
    });
    cleanups.push(() => pump.stop());
  }
  if (ttlProcesses.size > 0) {
    const timer = setInterval(() => {
      for (const ttl of ttlProcesses.values()) {
        ttl.sweep().then(
          (deleted) => deleted > 0 && log('ttl', `expired ${deleted} item${deleted === 1 ? '' : 's'}`),
          (error) => log('ttl', `sweep failed: ${String(error)}`),
        );
      }
    }, options.ttlIntervalMs ?? 10_000);
    cleanups.push(() => clearInterval(timer));
  }

  // The HTTP API.
  const routes = routesOf(stacks);
  const server: Server = createServer(
    httpApiListener(
      routes,
      async (route, event) => {
        const host = hostByRef.get(key(route.function));
        if (host === undefined) throw new Error(`the function of ${route.routeKey} cannot run here`);
        return { result: await host.invoke(event), functionName: displayNameOf(route.function) };
      },
      (request: RequestLog) =>
        log(
          'api',
          `${request.method} ${request.url} → ${request.statusCode}${request.functionName === undefined ? '' : ` (${request.functionName}, ${Math.round(request.ms)} ms)`}`,
        ),
      (error, route) => log('api', `${route.routeKey}: the function failed: ${describeFailure(error)}`),
    ),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region,
    endpoints: { dynamodb: dynamodb.endpoint, ...(moto === undefined ? {} : { moto: moto.endpoint }) },
    processes: [dynamodb.pid, ...(moto === undefined ? [] : [moto.pid])],
    tables,
    routes,
    functions,
    mappings: pumpedMappings,
    skipped,
    reusedData,
    invoke: (functionName, event) => {
      const host = hosts.get(functionName);
      if (host === undefined) return Promise.reject(new Error(`no local function ${functionName}`));
      return host.invoke(event);
    },
    stop,
  };
}

/**
 * Create the resources other than tables that functions reference: secrets, buckets, queues and
 * event buses in moto (or only their names without it), and names for keys, state machines and
 * functions, so that every reference in an environment resolves.
 */
async function provisionOthers(
  stacks: readonly AssemblyStack[],
  resources: LocalResources,
  withMoto: boolean,
  inMoto: { readonly region: string; readonly credentials: typeof LOCAL_AWS.credentials; readonly endpoint: string },
  sqs: SQSClient,
): Promise<{ secrets: Map<string, string> }> {
  const secrets = new Map<string, string>();
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
