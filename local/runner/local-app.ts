/**
 * The whole application on this machine, built from a synthesized cloud assembly. Each room of
 * the runner is a module of its own, started here in order and stopped in reverse:
 *
 * - engines: DynamoDB Local holds the tables; moto_server (when installed) the rest (local/engines/);
 * - resources: the tables from the templates, and the secrets, buckets, queues and buses the
 *   functions reference (resources.ts, references.ts);
 * - rules and workflows: a pass-through to moto's EventBridge that runs the templates' rules, and
 *   the state machines they start (workflows.ts, event-rules.ts);
 * - functions: every Lambda function from its built bundle, in a worker of its own (functions.ts);
 * - streams: the stream pump feeding every event source mapping from the table's real stream, and
 *   the local TTL process (streams.ts);
 * - the HTTP API: every route of the template (http-api.ts), each authorized as its type says,
 *   with a local issuer of shoppers' tokens standing in for the user pool (shopper-tokens.ts), and
 *   beside it the local console at `/_console` (local/console/), which watches the rooms through
 *   typed hooks (runner-events.ts) and the functions' DynamoDB requests through a pass-through
 *   (dynamodb-tap.ts);
 * - lifecycle: logging, what was skipped, and stopping in order (lifecycle.ts).
 *
 * `npm start` (local/start.ts) is the command-line face of this module; tests start it too.
 */
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CONSOLE_PATH, mountConsole } from '../console/server/mount';
import { CheckpointFile } from '../emulation/streams/checkpoints';
import { LOCAL_AWS, localDynamoDbClient, startDynamoDbLocal } from '../engines/dynamodb-local';
import type { RunningEngine } from '../engines/engine-process';
import { motoAvailable, startMotoServer } from '../engines/moto-server';
import {
  type AssemblyFunction,
  type AssemblyRoute,
  type AssemblyStack,
  jwtAuthorizersOf,
  readAssembly,
  resourcesOf,
  routesOf,
} from './cloud-assembly';
import { startDynamoDbTap } from './dynamodb-tap';
import { hostedNamed, startFunctions } from './functions';
import { serveHttpApi } from './http-api';
import { closed, describeFailure, type Log, type LogChannel, Shutdown, type Skipped } from './lifecycle';
import { LocalResources, refKey } from './references';
import { createTables, daxClustersLeftOut, NOWHERE, provisionOthers } from './resources';
import type { LocalAuth } from './run-state';
import { RunnerEvents } from './runner-events';
import { secretsStandIn } from './secrets-stand-in';
import { LocalIssuer, routeAuthorizer, serveTokens } from './shopper-tokens';
import { type PumpedStream, startStreams } from './streams';
import { type LocalRules, startRules } from './workflows';

export { displayNameOf } from './functions';
export type { LogChannel, Skipped } from './lifecycle';
export type { LocalAuth } from './run-state';

export interface LocalAppOptions {
  /** The synthesized cloud assembly, with bundles (`cdk synth` output). */
  readonly assemblyDir: string;
  /** Port of the API on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /**
   * DynamoDB Local's database folder, kept between runs, with the stream checkpoints beside it.
   *
   * @default - in memory, discarded on stop
   */
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

export interface LocalApp {
  readonly apiUrl: string;
  /** The local console: the table, its indexes, the access patterns and the stream at work. */
  readonly consoleUrl: string;
  /** Shoppers' tokens; absent when the template has no JWT authorizer. */
  readonly auth?: LocalAuth;
  /** The issuer behind `auth`, for tests that need tokens no endpoint hands out (expired, say). */
  readonly shopperIssuer?: LocalIssuer;
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
  /** Each stream mapping pumped, with the function it feeds and where it began reading. */
  readonly mappings: readonly PumpedStream[];
  readonly skipped: readonly Skipped[];
  /** Whether the tables were kept from an earlier run (the mappings then resume from their checkpoints). */
  readonly reusedData: boolean;
  /** Invoke a function by display name, as Lambda would. */
  invoke(functionName: string, event: unknown): Promise<unknown>;
  /** Stop everything this app started; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * A local issuer for each JWT authorizer of the templates, with the issuer and audiences the
 * template gives it resolved against the local resources, and the token endpoint of the first.
 */
async function startShopperTokens(
  stacks: readonly AssemblyStack[],
  resources: LocalResources,
  shutdown: Shutdown,
): Promise<{ issuers: Map<string, LocalIssuer>; auth?: LocalAuth; issuer?: LocalIssuer }> {
  const issuers = new Map<string, LocalIssuer>();
  for (const authorizer of jwtAuthorizersOf(stacks)) {
    const config = {
      issuer: resources.resolve(authorizer.issuer, authorizer.stackName),
      audience: authorizer.audience.map((a) => resources.resolve(a, authorizer.stackName)),
    };
    issuers.set(refKey(authorizer), await LocalIssuer.create(config));
  }
  const [first] = issuers.values();
  if (first === undefined) return { issuers };
  const { server, url } = await serveTokens(first);
  shutdown.on('intake', () => closed(server));
  return {
    issuers,
    auth: { tokenUrl: `${url}/token`, issuer: first.config.issuer, audience: first.config.audience },
    issuer: first,
  };
}

/** The file beside the kept data that holds each stream mapping's checkpoint. */
export const CHECKPOINT_FILE = 'stream-checkpoints.json';

/** Start the whole app; a start that fails halfway stops what it had started before failing. */
export async function startLocalApp(options: LocalAppOptions): Promise<LocalApp> {
  const log = options.log ?? (() => undefined);
  const shutdown = new Shutdown(log);
  try {
    return await assemble(options, log, shutdown);
  } catch (error) {
    await shutdown.run();
    throw error;
  }
}

/** DynamoDB Local, and moto_server when it is installed and wanted. */
async function startEngines(options: LocalAppOptions, shutdown: Shutdown) {
  const dynamodb = await startDynamoDbLocal(options.dbPath === undefined ? {} : { dbPath: options.dbPath });
  shutdown.on('engines', () => dynamodb.stop());
  let moto: RunningEngine | undefined;
  if (options.useMoto !== false && motoAvailable()) {
    moto = await startMotoServer();
    shutdown.on('engines', () => moto?.stop());
  }
  return { dynamodb, moto };
}

/**
 * The endpoints the functions reach AWS through: DynamoDB Local, moto (or the secrets stand-in
 * without it), and the pass-through that runs the rules on moto's event bus.
 */
async function connectIntegrations(
  stacks: readonly AssemblyStack[],
  resources: LocalResources,
  engines: {
    readonly dynamodb: RunningEngine;
    readonly moto?: RunningEngine;
    readonly secrets: ReadonlyMap<string, string>;
  },
  runner: {
    readonly log: Log;
    readonly shutdown: Shutdown;
    readonly skipped: Skipped[];
    readonly events: RunnerEvents;
  },
): Promise<{ endpoints: Record<string, string>; rules?: LocalRules }> {
  const { dynamodb, moto, secrets } = engines;
  const endpoints: Record<string, string> = {
    AWS_ENDPOINT_URL: moto?.endpoint ?? NOWHERE,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
  };
  if (moto === undefined) {
    // The one Secrets Manager call the functions make, answered without moto.
    const onError = (error: unknown) => runner.log('runner', `secrets stand-in: ${String(error)}`);
    const standIn = await secretsStandIn(secrets, onError);
    runner.shutdown.on('intake', () => closed(standIn.server));
    endpoints.AWS_ENDPOINT_URL_SECRETS_MANAGER = standIn.endpoint;
    for (const { logicalId } of resourcesOf(stacks, 'AWS::Events::Rule'))
      runner.skipped.push({ what: `rule ${logicalId}`, why: 'the event bus needs moto_server' });
    return { endpoints };
  }
  const rules = await startRules(stacks, resources, moto.endpoint, runner);
  endpoints.AWS_ENDPOINT_URL_EVENTBRIDGE = rules.endpoint;
  return { endpoints, rules };
}

async function assemble(options: LocalAppOptions, log: Log, shutdown: Shutdown): Promise<LocalApp> {
  const events = new RunnerEvents((error) => log('runner', `console: ${describeFailure(error)}`));
  const runner = { log, shutdown, skipped: [] as Skipped[], events };
  const stacks = readAssembly(options.assemblyDir);
  const resources = new LocalResources(stacks, LOCAL_AWS.region);
  const { dynamodb, moto } = await startEngines(options, shutdown);
  const client = localDynamoDbClient(dynamodb.endpoint);
  const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: moto?.endpoint ?? NOWHERE });
  shutdown.on('engines', () => {
    client.destroy();
    sqs.destroy();
  });

  const tables = await createTables(stacks, client, resources);
  const { secrets } = await provisionOthers(stacks, resources, moto?.endpoint, sqs);
  runner.skipped.push(...daxClustersLeftOut(stacks));
  const { endpoints, rules } = await connectIntegrations(stacks, resources, { dynamodb, moto, secrets }, runner);
  const tap = await startDynamoDbTap(dynamodb.endpoint, events);
  shutdown.on('engines', () => closed(tap.server));
  const settings = {
    assemblyDir: options.assemblyDir,
    endpoints,
    logLevel: options.functionLogLevel ?? 'WARN',
    dynamodbEndpointFor: tap.endpointFor,
    events,
  };
  const functions = startFunctions(stacks, resources, settings, runner);
  rules?.bind(functions, runner.skipped);
  const mappings = startStreams(
    stacks,
    resources,
    functions,
    {
      dynamodbEndpoint: dynamodb.endpoint,
      ...(moto === undefined ? {} : { sqs }),
      tables,
      ...(options.dbPath === undefined
        ? {}
        : { checkpoints: new CheckpointFile(join(options.dbPath, CHECKPOINT_FILE)) }),
      pollIntervalMs: options.pollIntervalMs ?? 250,
      ttlIntervalMs: options.ttlIntervalMs ?? 10_000,
    },
    runner,
  );
  const routes = routesOf(stacks);
  const tokens = await startShopperTokens(stacks, resources, shutdown);
  let apiUrl = '';
  const localConsole = mountConsole({
    events,
    dynamodb: client,
    tables: tables.names,
    apiUrl: () => apiUrl,
    ...(tokens.auth === undefined ? {} : { auth: tokens.auth }),
    onError: (error) => log('runner', `console: ${describeFailure(error)}`),
  });
  shutdown.on('intake', () => localConsole.stop());
  apiUrl = await serveHttpApi(routes, functions, routeAuthorizer(tokens.issuers), options.port, runner, localConsole);

  let stopping: Promise<void> | undefined;
  return {
    apiUrl,
    consoleUrl: `${apiUrl}${CONSOLE_PATH}`,
    ...(tokens.auth === undefined ? {} : { auth: tokens.auth, shopperIssuer: tokens.issuer }),
    region: resources.region,
    endpoints: { dynamodb: dynamodb.endpoint, ...(moto === undefined ? {} : { moto: moto.endpoint }) },
    processes: [dynamodb.pid, ...(moto === undefined ? [] : [moto.pid])],
    tables: tables.names,
    routes,
    functions: new Map([...functions.values()].map((f) => [f.name, { fn: f.fn, environment: f.environment }])),
    mappings,
    skipped: runner.skipped,
    reusedData: tables.reusedData,
    invoke: (name, event) =>
      hostedNamed(functions, name)?.host.invoke(event) ?? Promise.reject(new Error(`no local function ${name}`)),
    stop: () => {
      stopping ??= shutdown.run();
      return stopping;
    },
  };
}
