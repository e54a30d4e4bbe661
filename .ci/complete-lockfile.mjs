#!/usr/bin/env node
/**
 * Add the lockfile entries npm could not write for other platforms' optional binaries.
 *
 * Why: the npm registry mirror these machines reach serves only some platform variants of
 * packages such as @swc/core, @biomejs/biome and unrs-resolver (jest). npm 11 then leaves the
 * other variants out of package-lock.json, and `npm ci` refuses the lockfile ("Missing: ... from
 * lock file"). Each missing variant gets an entry with its version and the os/cpu/libc read from
 * its name, which is all `npm ci` needs to skip it here and to install it on that platform.
 *
 * Run after any `npm install` that changes the lockfile: `node .ci/complete-lockfile.mjs`.
 * It changes nothing when the lockfile is complete.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const LOCKFILE = new URL('../package-lock.json', import.meta.url);
const OSES = new Set([
  'aix',
  'android',
  'darwin',
  'freebsd',
  'linux',
  'netbsd',
  'openbsd',
  'openharmony',
  'sunos',
  'win32',
]);
const CPUS = new Set(['arm', 'arm64', 'ia32', 'loong64', 'mips64el', 'ppc64', 'riscv64', 's390x', 'x64']);

/** os, cpu and libc from a platform package name such as `@swc/core-linux-arm-gnueabihf`. */
function platformOf(name) {
  const tokens = name.split('/').pop().split('-');
  const os = tokens.find((t) => OSES.has(t));
  const cpu = tokens.find((t) => CPUS.has(t));
  if (os === undefined || cpu === undefined) return undefined;
  const libcToken = tokens.find((t) => t.startsWith('musl') || t.startsWith('gnu'));
  const libc = os !== 'linux' ? undefined : libcToken?.startsWith('musl') ? 'musl' : 'glibc';
  return { os: [os], cpu: [cpu], ...(libc === undefined ? {} : { libc: [libc] }) };
}

const lock = JSON.parse(readFileSync(LOCKFILE, 'utf8'));
const added = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dependency, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const where = `node_modules/${dependency}`;
    const nested = `${path === '' ? '' : `${path}/`}node_modules/${dependency}`;
    if (lock.packages[where] !== undefined || lock.packages[nested] !== undefined) continue;
    const platform = platformOf(dependency);
    if (platform === undefined) {
      console.error(`cannot tell the platform of ${dependency}; add its entry by hand`);
      process.exitCode = 1;
      continue;
    }
    lock.packages[where] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...platform,
    };
    added.push(`${dependency}@${version}`);
  }
}

if (added.length > 0) {
  lock.packages = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
  );
  writeFileSync(LOCKFILE, `${JSON.stringify(lock, null, 2)}\n`);
}
console.log(added.length > 0 ? `added ${added.length} entries:\n  ${added.join('\n  ')}` : 'lockfile complete');
