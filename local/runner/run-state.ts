/**
 * What a running `npm start` tells the other local tools (`npm run seed`, `npm run demo`): where
 * the API, its token endpoint and the engines listen and what the tables are called. Written when the app is up,
 * removed when it stops.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Where a running app hands out shoppers' tokens, and what its JWT authorizer accepts. */
export interface LocalAuth {
  /** `POST <tokenUrl>` with `{"sub": "<customerId>"}` answers `{"access_token": ...}`. */
  readonly tokenUrl: string;
  /** The issuer and audiences of the template's JWT authorizer, resolved locally. */
  readonly issuer: string;
  readonly audience: readonly string[];
}

export interface RunState {
  /** Process id of the runner. */
  readonly pid: number;
  /** Base URL of the local API, e.g. `http://127.0.0.1:3000`. */
  readonly apiUrl: string;
  /** Shoppers' tokens (local/runner/request-auth.ts gets them); absent without a JWT authorizer. */
  readonly auth?: LocalAuth;
  /** Region and credentials the local engines accept (they check neither). */
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly endpoints: {
    readonly dynamodb: string;
    /** moto_server, when it is installed. */
    readonly moto?: string;
  };
  readonly tables: {
    /** The single table of the design. */
    readonly app: string;
    readonly idempotency: string;
  };
  /** Write shards of the order-status index, as the functions are configured (`STATUS_SHARDS`). */
  readonly statusShards?: number;
  readonly startedAt: string;
}

/** The file, in a git-ignored folder at the repository root (tests point LOCAL_RUN_STATE_FILE elsewhere). */
export const RUN_STATE_FILE = process.env.LOCAL_RUN_STATE_FILE ?? join(__dirname, '..', '..', '.run', 'local-app.json');

export function writeRunState(state: RunState, file: string = RUN_STATE_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}

/** Remove the file if the runner with this process id wrote it (never another runner's). */
export function removeRunState(pid: number, file: string = RUN_STATE_FILE): void {
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as RunState).pid !== pid) return;
  } catch {
    return;
  }
  rmSync(file, { force: true });
}

/** Thrown when no local app is running; the message says how to start one. */
export class NotRunningError extends Error {
  constructor(why: string) {
    super(`${why}: start the app with "npm start" in another terminal first.`);
    this.name = 'NotRunningError';
  }
}

/** Whether a process with this id is running. */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The state of the running app; throws NotRunningError when there is none. */
export function readRunState(file: string = RUN_STATE_FILE): RunState {
  if (!existsSync(file)) throw new NotRunningError('The local app is not running');
  const state = JSON.parse(readFileSync(file, 'utf8')) as RunState;
  if (!isAlive(state.pid)) throw new NotRunningError(`The local app (process ${state.pid}) is no longer running`);
  return state;
}

/** A DynamoDB client for the running app's DynamoDB Local. */
export function dynamoDbClientOf(state: RunState): DynamoDBClient {
  return new DynamoDBClient({
    region: state.region,
    credentials: state.credentials,
    endpoint: state.endpoints.dynamodb,
  });
}
