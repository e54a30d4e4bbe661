import { spawnSync } from 'node:child_process';
import { CONFIG_VARIANTS } from '../fixtures/app';
import { synthWithNag } from '../fixtures/synth';

/** Rules turned off, each with the reason. Keep this in step with the README's cfn-lint section. */
const IGNORED_RULES: Record<string, string> = {
  W3005:
    "The CDK's Lambda Function declares DependsOn on its own role, which the Role GetAtt already implies: redundant, harmless, and not ours to change.",
};

interface CfnLintMatch {
  readonly Rule: { readonly Id: string };
  readonly Level: string;
  readonly Message: string;
  readonly Filename: string;
}

describe.each(Object.entries(CONFIG_VARIANTS))('cfn-lint on the %s variant', (_name, raw) => {
  test('THEN every synthesized template has no error and no unexplained warning', () => {
    const { templatePaths } = synthWithNag(raw);
    const ignore = Object.keys(IGNORED_RULES);
    const result = spawnSync(
      'cfn-lint',
      ['--format', 'json', ...(ignore.length > 0 ? ['--ignore-checks', ...ignore] : []), '--', ...templatePaths],
      { encoding: 'utf8' },
    );
    if (result.error !== undefined) {
      throw new Error(`cfn-lint could not run (${result.error.message}): install it with pip install cfn-lint`);
    }
    const matches = JSON.parse(result.stdout || '[]') as CfnLintMatch[];
    expect(matches.map((m) => `${m.Level} ${m.Rule.Id}: ${m.Message}`)).toEqual([]);
    expect(result.status).toBe(0);
  });
});
