/**
 * Start a local engine as a child process, wait until it answers, and stop it reliably.
 *
 * Shared by DynamoDB Local and moto_server. Output is drained continuously (a full pipe would
 * block the child) and its tail is kept for error messages. Children still running when this
 * process exits are killed, so a crashed test run leaves no Java or Python behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** An engine this harness started. */
export interface RunningEngine {
  /** Base URL, e.g. `http://127.0.0.1:8123`. */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Stop the engine; resolves when the process has exited. Safe to call more than once. */
  stop(): Promise<void>;
}

/** The engine cannot run on this machine (missing runtime or binary); the message says what to install. */
export class EngineUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineUnavailableError';
  }
}

export interface EngineProcessOptions {
  /** Human name used in messages, e.g. `DynamoDB Local`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /**
   * Variables added to this process's environment for the engine.
   *
   * @default - this process's environment as it is
   */
  readonly env?: Readonly<Record<string, string>>;
  readonly port: number;
  /** Resolves true once the engine answers requests. */
  readonly isReady: (endpoint: string) => Promise<boolean>;
  /** @default 60_000 */
  readonly startTimeoutMs?: number;
}

const OUTPUT_TAIL_LINES = 40;
const STOP_GRACE_MS = 5_000;
const live = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A TCP port that was free a moment ago, chosen by the operating system. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    // An unref'd timer: waiting for a child must never keep this process alive on its own.
    const killed = await Promise.race([exited(child).then(() => true), sleep(STOP_GRACE_MS, false, { ref: false })]);
    if (!killed) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }
  live.delete(child);
}

export async function startEngineProcess(options: EngineProcessOptions): Promise<RunningEngine> {
  const { name, port } = options;
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env === undefined ? process.env : { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);

  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString().split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - OUTPUT_TAIL_LINES));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  const failure = (why: string) =>
    new Error(`${name} did not start: ${why}${tail.length > 0 ? `\n--- last output ---\n${tail.join('\n')}` : ''}`);

  for (;;) {
    if (spawnError !== undefined) {
      live.delete(child);
      throw failure(spawnError.message);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      live.delete(child);
      throw failure(`process exited with ${child.exitCode ?? child.signalCode}`);
    }
    if (await options.isReady(endpoint).catch(() => false)) break;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw failure(`no answer on ${endpoint} within ${options.startTimeoutMs ?? 60_000} ms`);
    }
    await sleep(100);
  }

  return {
    endpoint,
    port,
    pid: child.pid ?? -1,
    stop: () => stopChild(child),
  };
}
