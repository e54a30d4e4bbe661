/**
 * GIVEN every configuration variant of the app
 * WHEN it is synthesized
 * THEN every state machine's definition is valid Amazon States Language, as asl-validator checks
 * it: the schema of each state, transitions only to states that exist, a terminal state, JSONPath
 * syntax and well-formed Task resource ARNs. Synthesis checks little of this; CloudFormation would
 * find it at deploy time, and the local interpreter only in the states a test happens to reach.
 *
 * A DefinitionString is a Fn::Join of JSON text around references to other resources. Each
 * reference is rendered as a placeholder of the shape Step Functions expects (an ARN in the test
 * account and region for `Fn::GetAtt [id, Arn]`, the logical id for a `Ref`, the output's name for
 * another stack's value), which is all the validator looks at. Any other intrinsic fails the test, naming it, so that a new kind of
 * reference gets a placeholder rather than passing unchecked.
 */
import validator from 'asl-validator';
import type { CfnTemplate } from '../../local/emulation/cloudformation';
import { type IntrinsicRenderer, renderDefinitionString } from '../../local/emulation/state-machine';
import { CONFIG_VARIANTS, synthTemplates, TEST_ENV } from '../fixtures/app';

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': TEST_ENV.region,
  'AWS::AccountId': TEST_ENV.account,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** A placeholder ARN for a resource of a CloudFormation type, in the shape of the real one. */
function placeholderArn(type: string, logicalId: string): string {
  const where = `${TEST_ENV.region}:${TEST_ENV.account}`;
  if (type === 'AWS::Lambda::Function') return `arn:aws:lambda:${where}:function:${logicalId}`;
  if (type === 'AWS::StepFunctions::StateMachine') return `arn:aws:states:${where}:stateMachine:${logicalId}`;
  const [, service = 'unknown', resource = 'resource'] = type.split('::');
  return `arn:aws:${service.toLowerCase()}:${where}:${resource.toLowerCase()}/${logicalId}`;
}

const placeholders =
  (template: CfnTemplate): IntrinsicRenderer =>
  (intrinsic) => {
    const ref = intrinsic.Ref;
    if (typeof ref === 'string') return PSEUDO_PARAMETERS[ref] ?? ref;
    const getAtt = intrinsic['Fn::GetAtt'];
    if (Array.isArray(getAtt)) {
      const [logicalId, attribute] = getAtt as [string, string];
      const type = template.Resources?.[logicalId]?.Type ?? 'unknown';
      return attribute === 'Arn' ? placeholderArn(type, logicalId) : `${logicalId}-${attribute}`;
    }
    // Another stack's resource, through its output: the output's name stands in for the value.
    const output = intrinsic['Fn::GetStackOutput'] as { StackName?: string; OutputName?: string } | undefined;
    if (output?.OutputName !== undefined) return `${output.StackName}-${output.OutputName}`;
    throw new Error(`no placeholder for ${JSON.stringify(intrinsic)}: add one to this test`);
  };

interface SynthesizedMachine {
  readonly name: string;
  readonly definition: Record<string, unknown>;
}

const machines: SynthesizedMachine[] = Object.entries(CONFIG_VARIANTS).flatMap(([variant, raw]) =>
  Object.entries(synthTemplates(raw)).flatMap(([stack, synthesized]) => {
    const template = synthesized.toJSON() as CfnTemplate;
    return Object.entries(template.Resources ?? {})
      .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
      .map(([logicalId, resource]) => {
        const name = `${variant}: ${stack}/${logicalId}`;
        const definitionString = resource.Properties?.DefinitionString;
        if (definitionString === undefined) throw new Error(`${name} has no DefinitionString`);
        return {
          name,
          definition: renderDefinitionString(definitionString, placeholders(template)) as Record<string, unknown>,
        };
      });
  }),
);

describe('State machine definitions', () => {
  test('THEN the app has state machines to validate', () => {
    expect(machines.length).toBeGreaterThan(0);
  });

  test.each(machines)('THEN $name is valid ASL', ({ definition }) => {
    expect(validator(structuredClone(definition)).errors).toEqual([]);
  });

  test('THEN the validator refuses a definition that transitions to a missing state', () => {
    // Guards the check itself: the same definition, one transition broken.
    const [first] = machines;
    const broken = structuredClone(first?.definition) as { StartAt: string; States: Record<string, { Next?: string }> };
    const start = broken.States[broken.StartAt];
    if (start === undefined) throw new Error('the definition has no StartAt state');
    start.Next = 'NoSuchState';
    expect(validator(broken).errors.map((e) => e['Error code'])).toContain('MISSING_TRANSITION_TARGET');
  });
});
