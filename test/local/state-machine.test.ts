import { runStateMachine, type StateMachineDefinition } from '../../local/emulation/state-machine';

const failing = (name: string, times: number) => {
  let calls = 0;
  return async () => {
    calls += 1;
    if (calls <= times) throw Object.assign(new Error(`failure ${calls}`), { name });
    return { ok: calls };
  };
};
const noWait = async () => undefined;

const definition = (retry: object[], catchers: object[] = []): StateMachineDefinition => ({
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: 'fn',
      ResultPath: '$.work',
      Retry: retry as never,
      Catch: catchers as never,
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
    Recover: { Type: 'Pass', Result: 'recovered', ResultPath: '$.recovery', End: true },
  },
});

test('a retried error succeeds within MaxAttempts, keeping the input beside the result', async () => {
  const execution = await runStateMachine(
    definition([{ ErrorEquals: ['Busy'], MaxAttempts: 2 }]),
    { id: 1 },
    { invoke: failing('Busy', 2), sleep: noWait },
  );
  expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { id: 1, work: { ok: 3 } } });
  expect(execution.history.map((h) => h.type)).toEqual(['TaskFailed', 'TaskFailed', 'TaskSucceeded', 'Succeed']);
});

test('past MaxAttempts the error goes to a matching Catch, with Error and Cause at its ResultPath', async () => {
  const execution = await runStateMachine(
    definition(
      [{ ErrorEquals: ['Busy'], MaxAttempts: 1 }],
      [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Recover' }],
    ),
    { id: 2 },
    { invoke: failing('Busy', 5), sleep: noWait },
  );
  expect(execution).toMatchObject({
    status: 'SUCCEEDED',
    output: { id: 2, error: { Error: 'Busy', Cause: expect.stringContaining('failure 2') }, recovery: 'recovered' },
  });
});

test('an error no Retry matches is not retried, and without a Catch the execution fails with it', async () => {
  const execution = await runStateMachine(
    definition([{ ErrorEquals: ['Busy'] }]),
    {},
    { invoke: failing('Declined', 1), sleep: noWait },
  );
  expect(execution).toMatchObject({ status: 'FAILED', error: 'Declined' });
  expect(execution.history).toHaveLength(1);
});

test('retry delays grow by BackoffRate and stop at MaxDelaySeconds', async () => {
  const delays: number[] = [];
  await runStateMachine(
    definition([
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 4, MaxDelaySeconds: 3 },
    ]),
    {},
    { invoke: failing('Busy', 4), sleep: async (ms) => void delays.push(ms) },
  );
  expect(delays).toEqual([1_000, 2_000, 3_000, 3_000]);
});

test('a definition using fields the interpreter does not implement is refused by name', async () => {
  const unsupported: StateMachineDefinition = {
    StartAt: 'Work',
    States: { Work: { Type: 'Task', Resource: 'fn', InputPath: '$.x', End: true } },
  };
  await expect(runStateMachine(unsupported, {}, { invoke: async () => ({}) })).rejects.toThrow(
    'state Work uses unsupported fields: InputPath',
  );
});
