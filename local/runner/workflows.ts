/**
 * Rules and workflows: the EventBridge rules of the templates, applied to what the functions
 * publish. A pass-through to moto's EventBridge (local/runner/event-rules.ts) hands each event moto
 * accepts to the targets of the matching rules; state machine targets run in the local interpreter
 * with the real step functions, and runs in flight finish before the functions stop.
 */
import {
  definitionFromTemplate,
  LOCAL_FUNCTION_PREFIX,
  runStateMachine,
  type StateMachineDefinition,
} from '../emulation/state-machine';
import type { AssemblyStack } from './cloud-assembly';
import { type BusEvent, dispatch, eventBusTap, type LocalRule, type RuleTarget, rulesOf } from './event-rules';
import { displayNameOf, type HostedFunctions } from './functions';
import { closed, describeFailure, type Log, type Shutdown, type Skipped } from './lifecycle';
import { LOCAL_ACCOUNT, type LocalResources, refKey } from './references';
import type { RunnerEvents } from './runner-events';

export interface LocalRules {
  /** The pass-through's endpoint: the functions' `AWS_ENDPOINT_URL_EVENTBRIDGE`. */
  readonly endpoint: string;
  /** Start delivering to the targets, once the functions they invoke are running. */
  bind(functions: HostedFunctions, skipped: Skipped[]): void;
}

/** One line per run: `OrderStore-dev-Fulfilment ... {"orderId":"o-1"}: Pay → Ship → SUCCEEDED`. */
function summary(execution: Awaited<ReturnType<typeof runStateMachine>>): string {
  const steps = execution.history.filter((h) => h.type === 'TaskSucceeded' || h.type === 'TaskFailed');
  const error = execution.error === undefined ? '' : ` (${execution.error})`;
  return `${[...steps.map((h) => h.state), execution.status].join(' → ')}${error}`;
}

/** The state machines the rules target, read from their templates; other targets are skipped. */
function targetedMachines(stacks: readonly AssemblyStack[], rules: readonly LocalRule[], skipped: Skipped[]) {
  const machines = new Map<string, StateMachineDefinition>();
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
  return machines;
}

/** Start the pass-through to moto's EventBridge and the rules behind it. */
export async function startRules(
  stacks: readonly AssemblyStack[],
  resources: LocalResources,
  motoEndpoint: string,
  runner: { readonly log: Log; readonly shutdown: Shutdown; readonly events?: RunnerEvents },
): Promise<LocalRules> {
  const rules = rulesOf(stacks, resources);
  const running = new Set<Promise<void>>();
  let machines = new Map<string, StateMachineDefinition>();
  let functions: HostedFunctions | undefined;
  let accepting = true;
  let runs = 0;

  const start = (rule: LocalRule, target: RuleTarget, input: unknown, busEvent: BusEvent) => {
    const definition = machines.get(refKey(target.resource));
    if (definition === undefined || functions === undefined || !accepting) return;
    const hosted = functions;
    const label = `${displayNameOf(rule)} ${JSON.stringify(input)}`;
    const invoke = (resource: string, payload: unknown) => {
      const logicalId = resource.slice(LOCAL_FUNCTION_PREFIX.length);
      const fn = hosted.get(refKey({ stackName: target.resource.stackName, logicalId }));
      if (fn === undefined) throw new Error(`no local function for ${resource}`);
      return fn.host.invoke(payload);
    };
    const runId = ++runs;
    const reported = {
      runId,
      rule: displayNameOf(rule),
      input,
      busEvent: { id: busEvent.id, detailType: busEvent['detail-type'], detail: busEvent.detail },
    };
    runner.events?.emit('workflow', { ...reported, phase: 'started' });
    const run = runStateMachine(definition, input, { invoke }).then(
      (execution) => {
        runner.log('workflow', `${label}: ${summary(execution)}`);
        runner.events?.emit('workflow', {
          ...reported,
          phase: 'finished',
          steps: execution.history
            .filter((h) => h.type === 'TaskSucceeded' || h.type === 'TaskFailed')
            .map((h) => h.state),
          status: execution.status,
          ...(execution.error === undefined ? {} : { error: String(execution.error) }),
        });
      },
      (error) => {
        runner.log('workflow', `${label}: could not run: ${describeFailure(error)}`);
        runner.events?.emit('workflow', {
          ...reported,
          phase: 'finished',
          status: 'ERROR',
          error: describeFailure(error),
        });
      },
    );
    running.add(run);
    void run.finally(() => running.delete(run));
  };

  const tap = await eventBusTap(
    motoEndpoint,
    resources.region,
    LOCAL_ACCOUNT,
    (busName, event) => dispatch(rules, busName, event, (rule, target, input) => start(rule, target, input, event)),
    (error) => runner.log('events', `pass-through: ${describeFailure(error)}`),
  );
  runner.shutdown.on('intake', () => closed(tap.server));
  runner.shutdown.on('work', async () => {
    accepting = false;
    await Promise.all(running);
  });

  return {
    endpoint: tap.endpoint,
    bind(hosted, skipped) {
      functions = hosted;
      machines = targetedMachines(stacks, rules, skipped);
    },
  };
}
