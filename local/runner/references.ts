/**
 * The local stand-ins for a template's resources, and the references between them.
 *
 * CloudFormation turns `Ref`, `Fn::GetAtt`, cross-stack outputs, `Fn::Join` and `Fn::Sub` into
 * physical names and ARNs at deploy time. Locally, each resource the runner creates (a table in
 * DynamoDB Local, a bucket or queue in moto) is registered here with its physical values, and
 * functions' environments are resolved against them, exactly as the templates wire them.
 */
import type { AssemblyStack, ResourceRef } from './cloud-assembly';

/** moto's default account; DynamoDB Local accepts any. */
export const LOCAL_ACCOUNT = '123456789012';

/** A reference no local resource answers: the message names it and where it came from. */
export class UnresolvedReferenceError extends Error {
  constructor(what: string, where: string) {
    super(`Cannot resolve ${what} (${where}) locally: nothing local stands for it.`);
    this.name = 'UnresolvedReferenceError';
  }
}

interface Physical {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** A resource's identity across the assembly, as a map key. */
export const refKey = (ref: ResourceRef): string => `${ref.stackName}/${ref.logicalId}`;

export class LocalResources {
  private readonly physical = new Map<string, Physical>();

  constructor(
    private readonly stacks: readonly AssemblyStack[],
    readonly region: string,
  ) {}

  /** Record what a resource is called locally: its `Ref` value and attributes such as `Arn`. */
  register(resource: ResourceRef, ref: string, attributes: Record<string, string> = {}): void {
    this.physical.set(refKey(resource), { ref, attributes });
  }

  has(ref: ResourceRef): boolean {
    return this.physical.has(refKey(ref));
  }

  /** The `Ref` value of a registered resource. */
  refOf(ref: ResourceRef): string {
    const found = this.physical.get(refKey(ref));
    if (found === undefined) throw new UnresolvedReferenceError(`Ref ${ref.logicalId}`, ref.stackName);
    return found.ref;
  }

  /** An ARN in the local account and region. */
  arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.region}:${LOCAL_ACCOUNT}:${resource}`;
  }

  /** Resolve a template value (a literal or an intrinsic function) in a stack to a string. */
  resolve(value: unknown, stackName: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'object' || value === null) throw new UnresolvedReferenceError(String(value), stackName);
    const [fn, args] = Object.entries(value)[0] ?? [];
    switch (fn) {
      case 'Ref':
        return this.ref(String(args), stackName);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = args as [string, string];
        const found = this.physical.get(refKey({ stackName, logicalId }));
        const resolved = found?.attributes[attribute];
        if (resolved === undefined)
          throw new UnresolvedReferenceError(`Fn::GetAtt ${logicalId}.${attribute}`, stackName);
        return resolved;
      }
      case 'Fn::GetStackOutput': {
        const { StackName, OutputName } = args as { StackName: string; OutputName: string };
        return this.output(StackName, OutputName);
      }
      case 'Fn::ImportValue': {
        const exportName = this.resolve(args, stackName);
        for (const stack of this.stacks) {
          for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
            const exported = (output as { Export?: { Name?: unknown } }).Export?.Name;
            if (exported !== undefined && this.resolve(exported, stack.stackName) === exportName)
              return this.output(stack.stackName, name);
          }
        }
        throw new UnresolvedReferenceError(`Fn::ImportValue ${exportName}`, stackName);
      }
      case 'Fn::Join': {
        const [separator, parts] = args as [string, unknown[]];
        return parts.map((part) => this.resolve(part, stackName)).join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables = {}] = (typeof args === 'string' ? [args] : args) as [string, Record<string, unknown>?];
        return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          if (name in variables) return this.resolve(variables[name], stackName);
          const [logicalId = '', attribute] = name.split('.');
          return attribute === undefined
            ? this.ref(logicalId, stackName)
            : this.resolve({ 'Fn::GetAtt': [logicalId, attribute] }, stackName);
        });
      }
      default:
        throw new UnresolvedReferenceError(JSON.stringify(value), stackName);
    }
  }

  /** Resolve every variable of a function's environment. */
  resolveVariables(variables: Readonly<Record<string, unknown>>, stackName: string): Record<string, string> {
    return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, this.resolve(value, stackName)]));
  }

  private ref(name: string, stackName: string): string {
    switch (name) {
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return LOCAL_ACCOUNT;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stackName;
      default:
        return this.refOf({ stackName, logicalId: name });
    }
  }

  private output(stackName: string, outputName: string): string {
    const output = this.stacks.find((s) => s.stackName === stackName)?.template.Outputs?.[outputName];
    if (output === undefined) throw new UnresolvedReferenceError(`output ${outputName}`, stackName);
    return this.resolve(output.Value, stackName);
  }
}
