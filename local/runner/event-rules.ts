/**
 * EventBridge rules from the templates, run locally.
 *
 * The functions publish to the bus in moto_server through a pass-through endpoint (`eventBusTap`):
 * every request goes to moto unchanged, and each event moto accepts is then matched against the
 * rules on its bus and delivered to their targets, with the rule's input transformer applied.
 * moto could deliver to an SQS target itself, but it spends about 160 ms per PutEvents doing so,
 * and it cannot start the local state machine anyway.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { referencedId } from '../emulation/cloudformation';
import { type FilterPattern, matchesFilters } from '../emulation/streams/filter-criteria';
import { type AssemblyStack, type ResourceRef, resourcesOf } from './cloud-assembly';
import { guarded, readBody } from './http-api';
import type { LocalResources } from './references';

/** An event as EventBridge delivers it to targets. */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

interface InputTransformer {
  readonly InputPathsMap?: Record<string, string>;
  readonly InputTemplate: string;
}

export interface RuleTarget {
  readonly id: string;
  /** The resource the target's `Arn` references. */
  readonly resource: ResourceRef;
  readonly resourceType: string;
  readonly inputTransformer?: InputTransformer;
}

export interface LocalRule extends ResourceRef {
  readonly busName: string;
  readonly pattern: FilterPattern;
  readonly targets: readonly RuleTarget[];
}

/** The rules of the assembly, with bus names resolved against the local resources. */
export function rulesOf(stacks: readonly AssemblyStack[], resources: LocalResources): LocalRule[] {
  const rules = resourcesOf(stacks, 'AWS::Events::Rule').filter(
    ({ resource }) => resource.Properties?.State !== 'DISABLED' && resource.Properties?.EventPattern !== undefined,
  );
  return rules.map(({ stackName, logicalId, resource }) => {
    const props = resource.Properties ?? {};
    const stack = stacks.find((s) => s.stackName === stackName);
    const targets = ((props.Targets ?? []) as { Id: string; Arn: unknown; InputTransformer?: InputTransformer }[]).map(
      (target) => {
        const id = referencedId(target.Arn) ?? '';
        return {
          id: target.Id,
          resource: { stackName, logicalId: id },
          resourceType: stack?.template.Resources?.[id]?.Type ?? 'unknown',
          ...(target.InputTransformer === undefined ? {} : { inputTransformer: target.InputTransformer }),
        };
      },
    );
    return {
      stackName,
      logicalId,
      busName: props.EventBusName === undefined ? 'default' : resources.resolve(props.EventBusName, stackName),
      pattern: props.EventPattern as FilterPattern,
      targets,
    };
  });
}

/** A simple JSONPath (`$`, `$.a.b`) into an event. */
function atPath(event: unknown, path: string): unknown {
  if (path === '$') return event;
  if (!path.startsWith('$.')) throw new Error(`unsupported input path ${path}`);
  return path
    .slice(2)
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], event);
}

/**
 * The input a target receives: the event itself, or the transformer's template with each
 * `<name>` replaced by the value at its path (as JSON, or as bare text inside a quoted string).
 */
export function targetInput(event: BusEvent, transformer?: InputTransformer): unknown {
  if (transformer === undefined) return event;
  const values = Object.fromEntries(
    Object.entries(transformer.InputPathsMap ?? {}).map(([name, path]) => [name, atPath(event, path)]),
  );
  let inString = false;
  let rendered = '';
  const template = transformer.InputTemplate;
  for (let i = 0; i < template.length; i++) {
    const char = template[i] as string;
    if (char === '"' && template[i - 1] !== '\\') inString = !inString;
    const placeholder = char === '<' ? /^<([\w.-]+)>/.exec(template.slice(i)) : null;
    if (placeholder !== null && (placeholder[1] as string) in values) {
      const value = values[placeholder[1] as string];
      const json = JSON.stringify(value ?? null);
      // Inside a quoted string a value goes in as text, escaped so that the result stays JSON.
      rendered += inString ? (typeof value === 'string' ? json.slice(1, -1) : JSON.stringify(json).slice(1, -1)) : json;
      i += placeholder[0].length - 1;
    } else {
      rendered += char;
    }
  }
  return JSON.parse(rendered);
}

/** Deliver an event to the targets of every rule on its bus whose pattern it matches. */
export function dispatch(
  rules: readonly LocalRule[],
  busName: string,
  event: BusEvent,
  deliver: (rule: LocalRule, target: RuleTarget, input: unknown) => void,
): number {
  let delivered = 0;
  for (const rule of rules) {
    if (rule.busName !== busName || !matchesFilters([rule.pattern], event)) continue;
    for (const target of rule.targets) {
      deliver(rule, target, targetInput(event, target.inputTransformer));
      delivered += 1;
    }
  }
  return delivered;
}

interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly EventBusName?: string;
  readonly Resources?: string[];
  readonly Time?: number | string;
}

/** The events of a PutEvents request that the bus accepted, with the ids it gave them. */
export function acceptedEvents(
  request: { Entries?: PutEventsEntry[] },
  response: { Entries?: { EventId?: string }[] },
  region: string,
  account: string,
): { busName: string; event: BusEvent }[] {
  return (request.Entries ?? []).flatMap((entry, i) => {
    const id = response.Entries?.[i]?.EventId;
    if (id === undefined) return [];
    const busName = (entry.EventBusName ?? 'default').split('event-bus/').pop() ?? 'default';
    const time = entry.Time === undefined ? new Date() : new Date(Number(entry.Time) * 1000 || String(entry.Time));
    return [
      {
        busName,
        event: {
          version: '0',
          id,
          'detail-type': entry.DetailType ?? '',
          source: entry.Source ?? '',
          account,
          time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
          region,
          resources: entry.Resources ?? [],
          detail: JSON.parse(entry.Detail ?? '{}'),
        },
      },
    ];
  });
}

/**
 * An HTTP endpoint that passes every request through to moto_server and hands each event moto
 * accepted to `onEvent`. Point the functions' `AWS_ENDPOINT_URL_EVENTBRIDGE` at it.
 */
export async function eventBusTap(
  motoEndpoint: string,
  region: string,
  account: string,
  onEvent: (busName: string, event: BusEvent) => void,
  onError: (error: unknown) => void,
): Promise<{ endpoint: string; server: Server }> {
  const server = createServer(
    guarded(async (req, res) => {
      const body = await readBody(req);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)),
      ) as Record<string, string>;
      const answer = await fetch(`${motoEndpoint}${req.url ?? '/'}`, {
        method: req.method,
        headers,
        ...(body.length > 0 ? { body } : {}),
      });
      const text = await answer.text();
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(text);
      if (!answer.ok || headers['x-amz-target'] !== 'AWSEvents.PutEvents') return;
      // The caller has its answer; what the rules do with the events is the runner's business.
      try {
        for (const { busName, event } of acceptedEvents(JSON.parse(body.toString()), JSON.parse(text), region, account))
          onEvent(busName, event);
      } catch (error) {
        onError(error);
      }
    }, onError),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
