/**
 * A small interpreter for the Amazon States Language subset the application's state machines
 * use, so that workflows run on this machine with the real definition from the synthesized
 * template and the real step handlers: Task (with Retry, Catch and ResultPath), Pass, Succeed and
 * Fail. It follows the semantics of Step Functions for those fields; anything else in a
 * definition is refused by name rather than skipped.
 */
import type { CfnTemplate } from './cloudformation';

interface Retrier {
  readonly ErrorEquals: string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

interface Catcher {
  readonly ErrorEquals: string[];
  readonly Next: string;
  readonly ResultPath?: string | null;
}

interface State {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Resource?: string;
  readonly ResultPath?: string | null;
  readonly Result?: unknown;
  readonly Retry?: Retrier[];
  readonly Catch?: Catcher[];
  readonly Error?: string;
  readonly Cause?: string;
  readonly [other: string]: unknown;
}

export interface StateMachineDefinition {
  readonly StartAt: string;
  readonly States: Record<string, State>;
}

/** Runs a Task's resource with the state's input; throws an Error whose `name` is the ASL error. */
export type TaskInvoker = (resource: string, input: unknown) => Promise<unknown>;

export interface HistoryEvent {
  readonly state: string;
  readonly type: string;
  readonly attempt?: number;
  readonly error?: string;
}

export interface Execution {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly history: HistoryEvent[];
}

export interface RunOptions {
  readonly invoke: TaskInvoker;
  /** Waits between retries; tests pass a faster one. @default real time */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Stop after this many state transitions, as a guard against loops. @default 1000 */
  readonly maxTransitions?: number;
}

const SUPPORTED_FIELDS = new Set([
  'Type',
  'Next',
  'End',
  'Resource',
  'ResultPath',
  'Result',
  'Retry',
  'Catch',
  'Error',
  'Cause',
  'Comment',
]);

/** Prefix given to functions referenced by `Fn::GetAtt [logicalId, Arn]` in a definition. */
export const LOCAL_FUNCTION_PREFIX = 'arn:local:lambda:';

/** Text for an intrinsic function (other than `Fn::Join`) found in a `DefinitionString`. */
export type IntrinsicRenderer = (intrinsic: Readonly<Record<string, unknown>>) => string;

const unsupportedIntrinsic = (intrinsic: unknown) =>
  new Error(`unsupported intrinsic in the state machine definition: ${JSON.stringify(intrinsic)}`);

/** The local interpreter's view: each function reference becomes `arn:local:lambda:<logicalId>`. */
const localFunctionArns: IntrinsicRenderer = (intrinsic) => {
  const getAtt = intrinsic['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn') return `${LOCAL_FUNCTION_PREFIX}${getAtt[0]}`;
  throw unsupportedIntrinsic(intrinsic);
};

/**
 * A state machine's `DefinitionString` as a JSON document: `Fn::Join` resolved, and every other
 * intrinsic (the references to functions and other resources) replaced by what `render` makes of it.
 */
export function renderDefinitionString(definitionString: unknown, render: IntrinsicRenderer): unknown {
  const text = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw unsupportedIntrinsic(value);
    const v = value as Record<string, unknown>;
    if (Array.isArray(v['Fn::Join'])) {
      const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(text).join(separator);
    }
    return render(v);
  };
  return JSON.parse(text(definitionString));
}

/**
 * The definition of a state machine in a template, with each function reference replaced by
 * `arn:local:lambda:<logicalId>`.
 */
export function definitionFromTemplate(template: CfnTemplate, logicalId?: string): StateMachineDefinition {
  const machines = Object.entries(template.Resources ?? {}).filter(
    ([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && (logicalId === undefined || id === logicalId),
  );
  const [entry, ...others] = machines;
  if (entry === undefined || others.length > 0) {
    throw new Error(
      `expected one state machine${logicalId ? ` ${logicalId}` : ''} in the template, found ${machines.length}`,
    );
  }
  return renderDefinitionString(entry[1].Properties?.DefinitionString, localFunctionArns) as StateMachineDefinition;
}

function setPath(input: unknown, path: string | null | undefined, result: unknown): unknown {
  if (path === null) return input;
  if (path === undefined || path === '$') return result;
  if (!path.startsWith('$.')) throw new Error(`unsupported ResultPath ${path}`);
  const keys = path.slice(2).split('.');
  const root: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  let node = root;
  for (const key of keys.slice(0, -1)) {
    node[key] = { ...((node[key] as Record<string, unknown>) ?? {}) };
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = result;
  return root;
}

const matches = (errorEquals: readonly string[], error: string): boolean =>
  errorEquals.includes(error) ||
  errorEquals.includes('States.ALL') ||
  (errorEquals.includes('States.TaskFailed') && error !== 'States.Timeout');

/** Execute a definition with the given input until it succeeds or fails. */
export async function runStateMachine(
  definition: StateMachineDefinition,
  input: unknown,
  options: RunOptions,
): Promise<Execution> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const history: HistoryEvent[] = [];
  let current: string | undefined = definition.StartAt;
  let data = input;
  for (let transitions = 0; current !== undefined; transitions++) {
    if (transitions >= (options.maxTransitions ?? 1_000)) throw new Error('too many state transitions');
    const name: string = current;
    const state: State | undefined = definition.States[name];
    if (state === undefined) throw new Error(`no state ${name}`);
    const unsupported = Object.keys(state).filter((f) => !SUPPORTED_FIELDS.has(f));
    if (unsupported.length > 0) throw new Error(`state ${name} uses unsupported fields: ${unsupported.join(', ')}`);
    const next: string | undefined = state.End === true ? undefined : state.Next;

    switch (state.Type) {
      case 'Succeed':
        history.push({ state: name, type: 'Succeed' });
        return { status: 'SUCCEEDED', output: data, history };
      case 'Fail':
        history.push({ state: name, type: 'Fail', error: state.Error });
        return { status: 'FAILED', error: state.Error, cause: state.Cause, history };
      case 'Pass':
        history.push({ state: name, type: 'Pass' });
        data = setPath(data, state.ResultPath, state.Result ?? data);
        current = next;
        break;
      case 'Task': {
        const outcome = await runTask(name, state, data, options.invoke, sleep, history);
        if (outcome.ok) {
          data = setPath(data, state.ResultPath, outcome.result);
          current = next;
          break;
        }
        const catcher = (state.Catch ?? []).find((c: Catcher) => matches(c.ErrorEquals, outcome.error));
        if (catcher === undefined) {
          return { status: 'FAILED', error: outcome.error, cause: outcome.cause, history };
        }
        data = setPath(data, catcher.ResultPath, { Error: outcome.error, Cause: outcome.cause });
        current = catcher.Next;
        break;
      }
      default:
        throw new Error(`state ${name} has unsupported type ${state.Type}`);
    }
    if (current === undefined) return { status: 'SUCCEEDED', output: data, history };
  }
  return { status: 'SUCCEEDED', output: data, history };
}

type TaskOutcome = { ok: true; result: unknown } | { ok: false; error: string; cause: string };

async function runTask(
  name: string,
  state: State,
  input: unknown,
  invoke: TaskInvoker,
  sleep: (ms: number) => Promise<void>,
  history: HistoryEvent[],
): Promise<TaskOutcome> {
  const attemptsByRetrier = new Map<Retrier, number>();
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await invoke(state.Resource ?? '', input);
      history.push({ state: name, type: 'TaskSucceeded', attempt });
      return { ok: true, result };
    } catch (caught) {
      const error = caught instanceof Error ? caught.name : 'States.TaskFailed';
      const cause = JSON.stringify({
        errorType: error,
        errorMessage: caught instanceof Error ? caught.message : String(caught),
      });
      history.push({ state: name, type: 'TaskFailed', attempt, error });
      // Step Functions uses the first retrier whose ErrorEquals matches, with its own attempt count.
      const retrier = (state.Retry ?? []).find((r) => matches(r.ErrorEquals, error));
      const used = retrier === undefined ? 0 : (attemptsByRetrier.get(retrier) ?? 0);
      if (retrier === undefined || used >= (retrier.MaxAttempts ?? 3)) return { ok: false, error, cause };
      attemptsByRetrier.set(retrier, used + 1);
      const base = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** used * 1_000;
      const capped = Math.min(base, (retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY) * 1_000);
      await sleep(retrier.JitterStrategy === 'FULL' ? Math.random() * capped : capped);
    }
  }
}
