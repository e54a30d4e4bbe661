/**
 * The runner's lifecycle: what it logs, what it skipped, and how it stops what it started, in
 * order, whether it stops on Ctrl-C or because a start failed halfway.
 */
import type { Server } from 'node:http';
import { FunctionError } from './function-host';

/** The kinds of line the runner prints; `npm start` colours each. */
export type LogChannel = 'api' | 'stream' | 'events' | 'workflow' | 'ttl' | 'function' | 'runner';

export type Log = (channel: LogChannel, message: string) => void;

/** A part of the app that could not run here, and why. */
export interface Skipped {
  readonly what: string;
  readonly why: string;
}

type Cleanup = () => Promise<void> | void;

/** The phases of stopping, in the order they run. */
export type Phase = 'intake' | 'work' | 'functions' | 'engines';

/**
 * What to undo on stop, in phases: first stop taking work (the API and the bus), then finish or
 * stop the work under way (pumps, workflows), then the functions, then the engines. Within a phase,
 * the last registered runs first.
 */
export class Shutdown {
  private readonly phases: Record<Phase, Cleanup[]> = { intake: [], work: [], functions: [], engines: [] };

  constructor(private readonly log: Log) {}

  on(phase: Phase, cleanup: Cleanup): void {
    this.phases[phase].push(cleanup);
  }

  async run(): Promise<void> {
    for (const phase of ['intake', 'work', 'functions', 'engines'] as const) {
      for (const cleanup of this.phases[phase].splice(0).reverse()) {
        try {
          await cleanup();
        } catch (error) {
          this.log('runner', `while stopping: ${String(error)}`);
        }
      }
    }
  }
}

/** Close a server and every connection it holds. */
export const closed = (server: Server): Promise<void> =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** An error as one line: a function's error by its name, anything else as it prints. */
export const describeFailure = (error: unknown): string =>
  error instanceof FunctionError ? `${error.name}: ${error.message}` : String(error);

/** `1 record`, `3 records`. */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;
