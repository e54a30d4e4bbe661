import { readFileSync } from 'node:fs';
import { CONFIG_VARIANTS } from '../fixtures/app';
import { policyViolations, synthWithNag } from '../fixtures/synth';

interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

describe.each(Object.entries(CONFIG_VARIANTS))('cdk-nag AwsSolutions on the %s variant', (_name, raw) => {
  const assembly = synthWithNag(raw);

  test('THEN synthesis passes with no violation of any severity', () => {
    const violations = policyViolations(assembly).map(
      (v) => `${v.ruleName} (${v.severity}) at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`,
    );
    expect(violations).toEqual([]);
    expect(assembly.error).toBeUndefined();
  });

  test('THEN every acknowledgement in the templates carries a written reason', () => {
    const acknowledgements: Acknowledgement[] = assembly.templatePaths.flatMap((path) => {
      const template = JSON.parse(readFileSync(path, 'utf8')) as {
        Resources: Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress?: Acknowledgement[] } } }>;
      };
      return Object.values(template.Resources).flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    });
    for (const { id, reason } of acknowledgements) {
      expect({ id, reasonWords: reason.trim().split(/\s+/).length >= 5 }).toEqual({ id, reasonWords: true });
    }
  });
});
