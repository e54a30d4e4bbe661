/**
 * The Lambda functions of the templates, each running from a copy of its bundle in a worker of its
 * own (local/runner/function-host.ts), with the environment its template gives it resolved against
 * the local resources, plus what the Lambda runtime sets and the local endpoints.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referencedId } from '../emulation/cloudformation';
import { LOCAL_AWS } from '../engines/dynamodb-local';
import { type AssemblyFunction, type AssemblyStack, functionsOf, type ResourceRef } from './cloud-assembly';
import { FunctionHost } from './function-host';
import type { Log, Shutdown, Skipped } from './lifecycle';
import { LOCAL_ACCOUNT, type LocalResources, refKey } from './references';
import { localName } from './resources';
import type { RunnerEvents } from './runner-events';

/** `CatalogFunction6DE1C47C` → `Catalog`: the name a function goes by in the runner's output. */
export const displayNameOf = (fn: ResourceRef): string =>
  fn.logicalId.replace(/Function[0-9A-F]{8}$/, '').replace(/[0-9A-F]{8}$/, '');

/** A function the runner hosts. */
export interface HostedFunction {
  readonly name: string;
  readonly fn: AssemblyFunction;
  readonly environment: Record<string, string>;
  readonly host: FunctionHost;
}

/** The hosted functions, by `refKey` of their resource. */
export type HostedFunctions = ReadonlyMap<string, HostedFunction>;

export interface FunctionSettings {
  readonly assemblyDir: string;
  /** Variables that point every AWS call at a local engine (`AWS_ENDPOINT_URL` and friends). */
  readonly endpoints: Readonly<Record<string, string>>;
  /** Powertools log level inside the functions. */
  readonly logLevel: string;
  /**
   * Each function's own DynamoDB endpoint (the tap in front of DynamoDB Local, dynamodb-tap.ts),
   * by display name.
   *
   * @default - `endpoints.AWS_ENDPOINT_URL_DYNAMODB` for every function
   */
  readonly dynamodbEndpointFor?: (functionName: string) => string;
  /** Where each invocation's start and end are reported. @default - nowhere */
  readonly events?: RunnerEvents;
}

/** What a function's process would see in Lambda, with every AWS call pointed at a local engine. */
function lambdaEnvironment(
  fn: AssemblyFunction,
  variables: Record<string, string>,
  region: string,
  settings: FunctionSettings,
): Record<string, string> {
  const functionName = localName(fn);
  return {
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
    ...settings.endpoints,
    ...(settings.dynamodbEndpointFor === undefined
      ? {}
      : { AWS_ENDPOINT_URL_DYNAMODB: settings.dynamodbEndpointFor(displayNameOf(fn)) }),
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: settings.logLevel,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/**
 * The functions that back a custom resource (the CDK's, such as the one that strips a VPC's
 * default security group): CloudFormation calls them while it deploys, and nothing calls them here.
 */
function customResourceProviders(stacks: readonly AssemblyStack[]): Set<string> {
  return new Set(
    stacks.flatMap(({ stackName, template }) =>
      Object.values(template.Resources ?? {})
        .filter(
          (resource) => resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource',
        )
        .flatMap((resource) => {
          const id = referencedId(resource.Properties?.ServiceToken);
          return id === undefined ? [] : [refKey({ stackName, logicalId: id })];
        }),
    ),
  );
}

/**
 * Start every function of the assembly that can run here. Each runs from a copy of its bundle,
 * so that it cannot resolve modules from this repository's node_modules, which Lambda would not
 * have either; a function without a bundle, or with a reference nothing local answers, is skipped.
 */
export function startFunctions(
  stacks: readonly AssemblyStack[],
  resources: LocalResources,
  settings: FunctionSettings,
  runner: { readonly log: Log; readonly shutdown: Shutdown; readonly skipped: Skipped[] },
): HostedFunctions {
  const copies = mkdtempSync(join(tmpdir(), 'orderstore-functions-'));
  runner.shutdown.on('functions', () => rmSync(copies, { recursive: true, force: true }));
  const hosted = new Map<string, HostedFunction>();
  const providers = customResourceProviders(stacks);
  for (const fn of functionsOf(stacks, settings.assemblyDir)) {
    const name = displayNameOf(fn);
    if (providers.has(refKey(fn))) {
      runner.skipped.push({
        what: `function ${name}`,
        why: 'it backs a custom resource, which only a deployment calls',
      });
      continue;
    }
    if (fn.bundleDir === undefined) {
      runner.skipped.push({
        what: `function ${name}`,
        why: 'the assembly has no bundle for it (synthesize with bundling)',
      });
      continue;
    }
    let variables: Record<string, string>;
    try {
      variables = resources.resolveVariables(fn.variables, fn.stackName);
    } catch (error) {
      runner.skipped.push({ what: `function ${name}`, why: (error as Error).message });
      continue;
    }
    const environment = lambdaEnvironment(fn, variables, resources.region, settings);
    const bundleDir = join(copies, localName(fn));
    cpSync(fn.bundleDir, bundleDir, { recursive: true });
    const host = new FunctionHost(
      {
        functionName: localName(fn),
        bundleDir,
        handler: fn.handler,
        environment,
        timeoutSeconds: fn.timeoutSeconds,
        memoryMb: fn.memoryMb,
        onLog: (line) => runner.log('function', `${name}: ${line}`),
        onInvocation: (phase, invocationId, event) =>
          settings.events?.emit('invocation', { functionName: name, invocationId, phase, event }),
      },
      { region: resources.region, account: LOCAL_ACCOUNT },
    );
    runner.shutdown.on('functions', () => host.stop());
    hosted.set(refKey(fn), { name, fn, environment, host });
  }
  return hosted;
}

/** A hosted function by display name. */
export function hostedNamed(functions: HostedFunctions, name: string): HostedFunction | undefined {
  return [...functions.values()].find((f) => f.name === name);
}
