/**
 * The CDK CLI as a user runs it: `npx cdk synth` must work offline with no AWS credentials, and a
 * bad context value must stop it with one readable message, not a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const CLI_TIMEOUT_MS = 120_000;

function cdkSynth(...args: string[]) {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-cli-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION']) {
    delete env[name];
  }
  const result = spawnSync(
    join(ROOT, 'node_modules/.bin/cdk'),
    ['synth', '--quiet', '--no-notices', '-o', outdir, ...args],
    {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: CLI_TIMEOUT_MS,
    },
  );
  return { ...result, outdir, output: `${result.stdout}${result.stderr}` };
}

describe('cdk synth', () => {
  test(
    'succeeds with no credentials and writes the data stack template',
    () => {
      const result = cdkSynth();
      expect(result.output).not.toMatch(/error/i);
      expect(result.status).toBe(0);
      expect(existsSync(join(result.outdir, 'OrderStore-dev-Data.template.json'))).toBe(true);
    },
    CLI_TIMEOUT_MS,
  );

  test(
    'with -c billing=foo fails with a message naming the key, the value and the allowed values',
    () => {
      const result = cdkSynth('-c', 'billing=foo');
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('"billing": got "foo"; allowed values are "on-demand", "provisioned"');
      expect(result.output).not.toMatch(/^\s+at /m);
    },
    CLI_TIMEOUT_MS,
  );
});
