import { Match } from 'aws-cdk-lib/assertions';
import { FULFILMENT_STEPS } from '../../lib/stacks/fulfilment-stack';
import type { CfnTemplate } from '../../local/emulation/cloudformation';
import { definitionFromTemplate } from '../../local/emulation/state-machine';
import { synthTemplates } from '../fixtures/app';

describe('FulfilmentStack', () => {
  const { fulfilment } = synthTemplates();
  const definition = definitionFromTemplate(fulfilment.toJSON() as CfnTemplate);

  test('THEN the state machine is standard, traced, logged and encrypted with the application key', () => {
    fulfilment.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      EncryptionConfiguration: Match.objectLike({ Type: 'CUSTOMER_MANAGED_KMS_KEY' }),
    });
  });

  test('THEN every task retries transient errors with jittered backoff and only the steps compensate', () => {
    for (const name of ['Pay', 'Ship', 'Compensate']) {
      expect(definition.States[name]?.Retry).toEqual([
        expect.objectContaining({
          ErrorEquals: expect.arrayContaining(['ServiceUnavailableError', 'Lambda.TooManyRequestsException']),
          MaxAttempts: 4,
          BackoffRate: 2,
          JitterStrategy: 'FULL',
        }),
      ]);
    }
    expect(definition.States.Pay?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Compensate' },
    ]);
    expect(definition.States.Ship?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Compensate' },
    ]);
    expect(definition.States.Compensate?.Catch).toBeUndefined();
    expect(definition.States.Compensate?.Next).toBe('FulfilmentFailed');
  });

  test.each(Object.values(FULFILMENT_STEPS))(
    'THEN the step "$description" writes only customer and product partitions',
    (step) => {
      fulfilment.hasResourceProperties('AWS::Lambda::Function', {
        Description: step.description,
        Runtime: 'nodejs24.x',
      });
      fulfilment.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'WriteTable',
              Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CUSTOMER#*', 'PRODUCT#*'] } },
            }),
          ]),
        },
      });
    },
  );
});
