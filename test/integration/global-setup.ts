/**
 * Starts DynamoDB Local (in memory) and moto_server once for the integration project, each on a
 * free port, and hands their endpoints to the test workers through the environment.
 */

import { startDynamoDbLocal } from '../../local/engines/dynamodb-local';
import type { RunningEngine } from '../../local/engines/engine-process';
import { startMotoServer } from '../../local/engines/moto-server';
import { ENGINE_ENV } from '../fixtures/engines';

declare global {
  var __TEST_ENGINES__: RunningEngine[] | undefined;
}

export default async function globalSetup(): Promise<void> {
  // Same reason as test/setup-env.ts: this runs in jest's main process, before any worker.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const started = await Promise.allSettled([startDynamoDbLocal(), startMotoServer()]);
  const engines = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failures = started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason?.message ?? s.reason)] : []));
  if (failures.length > 0) {
    // Do not leave the engine that did start running behind a failed setup.
    await Promise.all(engines.map((e) => e.stop()));
    throw new Error(`Test engines failed to start:\n${failures.join('\n')}`);
  }
  const [dynamodb, moto] = engines as [RunningEngine, RunningEngine];
  globalThis.__TEST_ENGINES__ = engines;
  process.env[ENGINE_ENV.dynamodb] = dynamodb.endpoint;
  process.env[ENGINE_ENV.moto] = moto.endpoint;
}
