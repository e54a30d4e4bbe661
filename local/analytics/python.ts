/**
 * The Python that runs the analytics transformation on this machine: the tests' and
 * `npm run analytics:local`'s. The tools it needs are pinned in analytics/requirements.txt.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The repository's `analytics/` folder. */
export const ANALYTICS_DIR = join(__dirname, '..', '..', 'analytics');

const VENV_PYTHON = join(__dirname, '..', '..', '.venv', 'bin', 'python');

/** How to install what is missing, for messages. */
export const INSTALL_HINT =
  'python3 -m venv .venv && .venv/bin/pip install -r analytics/requirements.txt (or set ANALYTICS_PYTHON to a Python that has them)';

/**
 * `ANALYTICS_PYTHON` if set, else the repository's `.venv` if there is one (`.ci/run` makes it),
 * else `python3` on the PATH.
 */
export function analyticsPython(): string {
  const chosen = process.env.ANALYTICS_PYTHON;
  if (chosen !== undefined && chosen !== '') return chosen;
  return existsSync(VENV_PYTHON) ? VENV_PYTHON : 'python3';
}

/** The modules the transformation and its tests import, beyond the standard library. */
const REQUIRED_MODULES = ['pyarrow', 'duckdb', 'pytest', 'ruff', 'mypy'] as const;

/** Why the Python cannot run the analytics code, or undefined when it can. */
export function missingPythonTools(python: string = analyticsPython()): string | undefined {
  const probe = spawnSync(
    python,
    [
      '-c',
      `import importlib.util, sys; print(",".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))`,
      ...REQUIRED_MODULES,
    ],
    { encoding: 'utf8' },
  );
  if (probe.error !== undefined) return `"${python}" cannot run (${probe.error.message}): ${INSTALL_HINT}`;
  const missing = probe.stdout.trim();
  if (probe.status !== 0) return `"${python}" failed: ${probe.stderr.trim()}`;
  return missing === '' ? undefined : `"${python}" lacks ${missing.split(',').join(', ')}: ${INSTALL_HINT}`;
}
