/**
 * The analytics job's Python, checked as part of `npm test`: ruff's lint and format, mypy (strict)
 * and pytest, each run in analytics/ with the interpreter local/analytics/python.ts chooses. A
 * failure shows the tool's own output.
 */
import { spawnSync } from 'node:child_process';
import { ANALYTICS_DIR, analyticsPython, missingPythonTools } from '../../local/analytics/python';

const python = analyticsPython();

function runTool(args: readonly string[]): string {
  const result = spawnSync(python, ['-m', ...args], { cwd: ANALYTICS_DIR, encoding: 'utf8', timeout: 300_000 });
  const output = `${result.stdout}${result.stderr}`;
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(
      `python -m ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${output}`,
    );
  }
  return output;
}

beforeAll(() => {
  const missing = missingPythonTools(python);
  if (missing !== undefined) throw new Error(`The analytics tests need pinned Python tools: ${missing}`);
});

test('ruff finds nothing to lint', () => {
  expect(runTool(['ruff', 'check', '--no-cache', '.'])).toContain('All checks passed');
});

test('ruff finds nothing to reformat', () => {
  expect(runTool(['ruff', 'format', '--no-cache', '--check', '.'])).toMatch(/\d+ files? already formatted/);
});

test('mypy (strict) finds no type error', () => {
  expect(runTool(['mypy', '--no-incremental'])).toMatch(/^Success: no issues found in \d+ source files/m);
});

test('pytest passes every test of the transformation and the local path', () => {
  const output = runTool(['pytest', '-q', '-p', 'no:cacheprovider']);
  const passed = Number(/(\d+) passed/.exec(output)?.[1] ?? 0);
  expect(passed).toBeGreaterThan(50);
  expect(output).not.toMatch(/\d+ (failed|skipped|errors?)\b/);
});
