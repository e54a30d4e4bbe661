/**
 * moto_server: one HTTP endpoint that emulates S3, SQS, EventBridge, KMS, Glue, Step Functions
 * and more.
 *
 * It comes from Python's `moto[server]`, which this project expects on the machine rather than
 * installing it (see README).
 */
import { spawnSync } from 'node:child_process';
import { EngineUnavailableError, freePort, type RunningEngine, startEngineProcess } from './engine-process';

export interface MotoServerOptions {
  /**
   * TCP port on 127.0.0.1.
   *
   * @default - a free port chosen by the operating system
   */
  readonly port?: number;
}

const COMMAND = 'moto_server';

/** Whether `moto_server` is on the PATH. */
export function motoAvailable(): boolean {
  return spawnSync(COMMAND, ['--help'], { stdio: 'ignore' }).error === undefined;
}

async function answers(endpoint: string): Promise<boolean> {
  const response = await fetch(`${endpoint}/moto-api/`);
  return response.ok;
}

export async function startMotoServer(options: MotoServerOptions = {}): Promise<RunningEngine> {
  if (!motoAvailable()) {
    throw new EngineUnavailableError(
      `"${COMMAND}" is not on the PATH: install it with pip install 'moto[server]' (moto 5.x).`,
    );
  }
  const port = options.port ?? (await freePort());
  return startEngineProcess({
    name: 'moto_server',
    command: COMMAND,
    args: ['-H', '127.0.0.1', '-p', String(port)],
    // When its Step Functions runs a state machine, moto calls its own services through boto3 at
    // localhost:$MOTO_PORT (5000 unless set): without it, every task of an execution fails.
    env: { MOTO_PORT: String(port) },
    port,
    isReady: answers,
  });
}
