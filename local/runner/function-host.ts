/**
 * Runs one Lambda function's built bundle the way Lambda does, in a worker thread of its own.
 *
 * Each function gets its own worker, so its module state and `process.env` (exactly the function's
 * variables from the template plus what the Lambda runtime sets) are its own, and the bundle is
 * loaded once, on the first invocation (a cold start). Invocations run one at a time, as they do in
 * one Lambda execution environment; a call past the function's timeout fails as Lambda's does, and
 * the next one starts a fresh environment.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** What the function threw, as Lambda reports it. */
export class FunctionError extends Error {
  constructor(
    readonly functionName: string,
    errorType: string,
    errorMessage: string,
    readonly trace: readonly string[] = [],
  ) {
    super(errorMessage);
    // Step Functions matches Retry and Catch on the error type, which is the thrown error's name.
    this.name = errorType;
  }
}

export interface FunctionHostOptions {
  readonly functionName: string;
  /** Folder of the bundle, e.g. `cdk.out/asset.<hash>`. */
  readonly bundleDir: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Each line the function writes to stdout or stderr. */
  readonly onLog?: (line: string) => void;
  /** Hears each invocation start (with its event) and end, in the order they run. */
  readonly onInvocation?: (phase: 'start' | 'end', invocationId: string, event?: unknown) => void;
}

interface Reply {
  readonly id: string;
  readonly result?: unknown;
  readonly error?: { readonly errorType: string; readonly errorMessage: string; readonly trace: string[] };
}

/** The worker's code: load the handler, then run each invocation with a Lambda-shaped context. */
const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { bundleDir, handler, functionName, memoryMb, region, account } = workerData;
const dot = handler.lastIndexOf('.');
const file = join(bundleDir, handler.slice(0, dot));
const exportName = handler.slice(dot + 1);
const loading = existsSync(file + '.mjs')
  ? import(pathToFileURL(file + '.mjs').href)
  : Promise.resolve().then(() => require(file + '.js'));
const describe = (error) => ({
  errorType: (error && error.name) || 'Error',
  errorMessage: (error && error.message) || String(error),
  trace: String((error && error.stack) || '').split('\\n'),
});
parentPort.on('message', async ({ id, event, deadline }) => {
  try {
    const fn = (await loading)[exportName];
    if (typeof fn !== 'function') throw new Error(handler + ' is not a function in ' + bundleDir);
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:' + region + ':' + account + ':function:' + functionName,
      memoryLimitInMB: String(memoryMb),
      awsRequestId: id,
      logGroupName: '/aws/lambda/' + functionName,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    parentPort.postMessage({ id, result: await fn(event, context) });
  } catch (error) {
    parentPort.postMessage({ id, error: describe(error) });
  }
});
`;

/** A running environment: its worker and the invocations waiting for its reply. */
interface Environment {
  readonly worker: Worker;
  readonly waiting: Map<string, (reply: Reply) => void>;
}

export class FunctionHost {
  private environment?: Environment;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly options: FunctionHostOptions,
    private readonly runtime: { readonly region: string; readonly account: string },
  ) {}

  get functionName(): string {
    return this.options.functionName;
  }

  /** Invoke the function with an event; resolves with its result or rejects with a FunctionError. */
  invoke(event: unknown): Promise<unknown> {
    const run = this.queue.then(() => this.invokeNow(event));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private start(): Environment {
    const { options } = this;
    const waiting = new Map<string, (reply: Reply) => void>();
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      env: { ...options.environment },
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(options.memoryMb, 128) },
      workerData: {
        bundleDir: options.bundleDir,
        handler: options.handler,
        functionName: options.functionName,
        memoryMb: options.memoryMb,
        ...this.runtime,
      },
    });
    for (const stream of [worker.stdout, worker.stderr]) {
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') options.onLog?.(line);
      });
    }
    const environment = { worker, waiting };
    worker.on('message', (reply: Reply) => waiting.get(reply.id)?.(reply));
    const failAll = (error: Error) => {
      for (const [id, settle] of waiting) {
        settle({ id, error: { errorType: 'Runtime.ExitError', errorMessage: error.message, trace: [] } });
      }
      if (this.environment === environment) this.environment = undefined;
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`the function's runtime exited with code ${code}`)));
    // A worker waiting for its next invocation must not keep the runner alive on its own.
    worker.unref();
    return environment;
  }

  private async invokeNow(event: unknown): Promise<unknown> {
    if (this.stopped)
      throw new FunctionError(this.options.functionName, 'Runtime.Stopped', 'the local app is stopping');
    this.environment ??= this.start();
    const environment = this.environment;
    const { worker, waiting } = environment;
    const id = randomUUID();
    const timeoutMs = this.options.timeoutSeconds * 1000;
    this.options.onInvocation?.('start', id, event);
    const reply = await new Promise<Reply>((resolve) => {
      const timer = setTimeout(() => {
        // Lambda ends a timed-out environment; the next invocation gets a new one.
        waiting.delete(id);
        if (this.environment === environment) this.environment = undefined;
        void worker.terminate();
        resolve({
          id,
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${this.options.timeoutSeconds.toFixed(2)} seconds`,
            trace: [],
          },
        });
      }, timeoutMs);
      waiting.set(id, (r) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(r);
      });
      worker.postMessage({ id, event, deadline: Date.now() + timeoutMs });
    });
    this.options.onInvocation?.('end', id);
    if (reply.error !== undefined) {
      throw new FunctionError(
        this.options.functionName,
        reply.error.errorType,
        reply.error.errorMessage,
        reply.error.trace,
      );
    }
    return reply.result;
  }

  /** End the function's environment, if it has one; later invocations fail. */
  async stop(): Promise<void> {
    this.stopped = true;
    const environment = this.environment;
    this.environment = undefined;
    await environment?.worker.terminate();
  }
}
