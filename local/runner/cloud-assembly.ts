/**
 * What the local runner needs from a synthesized cloud assembly (`cdk.out`): each stack's
 * template, each Lambda function with its bundle and environment, and each HTTP API route with
 * the function behind it. Everything is read from the templates, so the local app cannot drift
 * from what `cdk deploy` would create.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { type CfnResource, type CfnTemplate, referencedId, resourcesOfType } from '../emulation/cloudformation';

/** A stack's name and template. */
export interface AssemblyStack {
  readonly stackName: string;
  readonly template: CfnTemplate;
}

/** A resource, named by its stack and logical id. */
export interface ResourceRef {
  readonly stackName: string;
  readonly logicalId: string;
}

export interface AssemblyFunction extends ResourceRef {
  readonly description: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  /** Folder of the built bundle in the assembly, when the template was synthesized with bundling. */
  readonly bundleDir?: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** The function's variables as the template gives them: literals or references. */
  readonly variables: Readonly<Record<string, unknown>>;
}

/** How API Gateway authorizes a route (`AuthorizationType`). */
export type RouteAuthorization = 'NONE' | 'AWS_IAM' | 'JWT' | 'CUSTOM';

export interface AssemblyRoute {
  readonly method: string;
  /** Path template, e.g. `/products/{sku}`. */
  readonly path: string;
  /** `GET /products/{sku}`, as API Gateway puts it in the event. */
  readonly routeKey: string;
  readonly function: ResourceRef;
  readonly authorization: RouteAuthorization;
  /** The route's authorizer resource, for `JWT` (and `CUSTOM`). */
  readonly authorizer?: ResourceRef;
}

/** A JWT authorizer of the template, its configuration as written there (references unresolved). */
export interface AssemblyJwtAuthorizer extends ResourceRef {
  readonly issuer: unknown;
  readonly audience: readonly unknown[];
  readonly identitySource: readonly string[];
}

/**
 * The stacks of an assembly folder (nested assemblies included), in the order the manifest lists
 * them, less the backup stack: AWS Backup, its restore drill and the events that start the drill's
 * validation exist only in AWS, and the local app has nothing of them to run.
 */
export function readAssembly(dir: string): AssemblyStack[] {
  if (!existsSync(join(dir, 'manifest.json')))
    throw new Error(`No cloud assembly in ${dir}: synthesize first (npx cdk synth).`);
  return new CloudAssembly(dir).stacksRecursively
    .filter((stack) => !stack.stackName.endsWith('-Backup'))
    .map((stack) => ({
      stackName: stack.stackName,
      template: stack.template as CfnTemplate,
    }));
}

/** The resources of one type across the assembly. */
export function resourcesOf(
  stacks: readonly AssemblyStack[],
  type: string,
): { readonly stackName: string; readonly logicalId: string; readonly resource: CfnResource }[] {
  return stacks.flatMap((stack) =>
    resourcesOfType(stack.template, type).map(([logicalId, resource]) => ({
      stackName: stack.stackName,
      logicalId,
      resource,
    })),
  );
}

/** Every Lambda function in the assembly; `assemblyDir` locates the bundles. */
export function functionsOf(stacks: readonly AssemblyStack[], assemblyDir?: string): AssemblyFunction[] {
  return resourcesOf(stacks, 'AWS::Lambda::Function').map(({ stackName, logicalId, resource }) => {
    const props = resource.Properties ?? {};
    const assetPath = resource.Metadata?.['aws:asset:path'];
    const environment = props.Environment as { Variables?: Record<string, unknown> } | undefined;
    return {
      stackName,
      logicalId,
      description: typeof props.Description === 'string' ? props.Description : logicalId,
      handler: typeof props.Handler === 'string' ? props.Handler : 'index.handler',
      ...(assemblyDir !== undefined && typeof assetPath === 'string'
        ? { bundleDir: join(assemblyDir, assetPath) }
        : {}),
      timeoutSeconds: typeof props.Timeout === 'number' ? props.Timeout : 3,
      memoryMb: typeof props.MemorySize === 'number' ? props.MemorySize : 128,
      variables: environment?.Variables ?? {},
    };
  });
}

/** Every HTTP API route with a Lambda proxy integration, with the function it invokes. */
export function routesOf(stacks: readonly AssemblyStack[]): AssemblyRoute[] {
  return resourcesOf(stacks, 'AWS::ApiGatewayV2::Route').map(({ stackName, logicalId, resource }) => {
    const props = resource.Properties ?? {};
    const routeKey = String(props.RouteKey);
    const [method = '', path = ''] = routeKey.split(' ');
    // Target is `integrations/<integration id>`: a Join of that text and a Ref to the integration.
    const join = (props.Target as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
    const integrationId = (join?.[1] ?? []).map(referencedId).find((id) => id !== undefined);
    const resources = stacks.find((s) => s.stackName === stackName)?.template.Resources ?? {};
    const functionId = referencedId(resources[integrationId ?? '']?.Properties?.IntegrationUri);
    if (functionId === undefined) throw new Error(`Route ${logicalId} (${routeKey}) has no Lambda integration`);
    const authorization = (props.AuthorizationType ?? 'NONE') as RouteAuthorization;
    const authorizerId = referencedId(props.AuthorizerId);
    return {
      method,
      path,
      routeKey,
      function: { stackName, logicalId: functionId },
      authorization,
      ...(authorizerId === undefined ? {} : { authorizer: { stackName, logicalId: authorizerId } }),
    };
  });
}

/** Every JWT authorizer of the assembly's HTTP APIs. */
export function jwtAuthorizersOf(stacks: readonly AssemblyStack[]): AssemblyJwtAuthorizer[] {
  return resourcesOf(stacks, 'AWS::ApiGatewayV2::Authorizer')
    .filter(({ resource }) => resource.Properties?.AuthorizerType === 'JWT')
    .map(({ stackName, logicalId, resource }) => {
      const props = resource.Properties ?? {};
      const jwt = (props.JwtConfiguration ?? {}) as { Issuer?: unknown; Audience?: unknown[] };
      return {
        stackName,
        logicalId,
        issuer: jwt.Issuer,
        audience: jwt.Audience ?? [],
        identitySource: (props.IdentitySource as string[] | undefined) ?? ['$request.header.Authorization'],
      };
    });
}
