/**
 * A secret that rotates, read from Secrets Manager and kept in memory for a bounded time.
 *
 * A rotation (`put-secret-value`, or `rotate-secret` with a rotation function) makes a new version
 * AWSCURRENT and moves AWSPREVIOUS to the version it replaced. Warm containers keep the value they
 * read until it reaches its maximum age; containers started since have only the new one. So a
 * value made with one key (a signature) must be checked against every key that may have made it:
 * - the current value, as this container holds it;
 * - the previous value, during a grace window after the current version was created (another
 *   container may still hold it, or a client holds something made with it just before);
 * - the current value read afresh, in case this container's copy predates the rotation. Invalid
 *   input would otherwise make every such request call Secrets Manager, so this re-read happens at
 *   most once per recheck interval.
 *
 * Why not Powertools Parameters' `getSecret(name, { maxAge })`: it returns only the value, and the
 * grace window needs the current version's creation time and id; its cache is keyed by name, not
 * by version stage, so AWSCURRENT and AWSPREVIOUS of one secret would share one entry; and its
 * clock cannot be passed in. What is needed is the few lines below, with no new dependency.
 *
 * The SDK resolves its endpoint from AWS_ENDPOINT_URL_SECRETS_MANAGER or AWS_ENDPOINT_URL, so local
 * runs and tests read the same secret from moto_server.
 */
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { tracer } from './observability';

export type VersionStage = 'AWSCURRENT' | 'AWSPREVIOUS';

export interface SecretVersion {
  readonly value: string;
  readonly versionId: string;
  /** When this version was created, in epoch milliseconds: for AWSCURRENT, when it was rotated in. */
  readonly createdAt: number;
}

/** Reads the version of a secret that has a stage; `undefined` when no version has it. */
export type SecretReader = (secretId: string, stage: VersionStage) => Promise<SecretVersion | undefined>;

export interface RotatingSecretOptions {
  /** How long a value read is used before it is read again, in milliseconds. */
  readonly maxAgeMs: number;
  /**
   * How long after a rotation the previous value is still accepted, in milliseconds. Longer than
   * `maxAgeMs`, since containers that have not re-read the secret keep using the previous value.
   */
  readonly graceMs: number;
  /** The shortest time between two re-reads prompted by a value that no key accepted, in milliseconds. */
  readonly recheckMs: number;
  /**
   * Where versions are read from.
   *
   * @default - GetSecretValue through a module-scope SDK client, traced
   */
  readonly read?: SecretReader;
}

interface Held<T> {
  readonly version: Promise<T>;
  readonly readAt: number;
}

let client: SecretsManagerClient | undefined;

/** GetSecretValue for one version stage. */
export const readFromSecretsManager: SecretReader = async (secretId, stage) => {
  client ??= tracer.captureAWSv3Client(new SecretsManagerClient({}));
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
    if (output.SecretString === undefined || output.SecretString === '') {
      throw new Error(`Secret ${secretId} has no string value in ${stage}`);
    }
    return {
      value: output.SecretString,
      versionId: output.VersionId ?? stage,
      createdAt: output.CreatedDate?.getTime() ?? 0,
    };
  } catch (error) {
    // A secret that was never rotated has no AWSPREVIOUS version.
    if (stage === 'AWSPREVIOUS' && error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
};

export class RotatingSecret {
  private readonly read: SecretReader;
  private current?: Held<SecretVersion>;
  /** The previous version, as read alongside the current version `forVersion`. */
  private previous?: Held<SecretVersion | undefined> & { readonly forVersion: string };

  constructor(
    private readonly secretId: string,
    private readonly options: RotatingSecretOptions,
  ) {
    if (options.graceMs <= options.maxAgeMs) {
      throw new Error(
        `RotatingSecret ${secretId}: graceMs (${options.graceMs}) must be longer than maxAgeMs (${options.maxAgeMs}), or cursors from containers that have not yet re-read the secret are refused`,
      );
    }
    this.read = options.read ?? readFromSecretsManager;
  }

  /** The current value, read again once the copy held is `maxAgeMs` old. */
  async currentValue(now = Date.now()): Promise<string> {
    return (await this.currentVersion(now)).value;
  }

  /**
   * Whether `accepts` holds for a value that is still valid: the current value, the previous value
   * within the grace window after the rotation, or the current value read again.
   */
  async someValue(accepts: (value: string) => boolean, now = Date.now()): Promise<boolean> {
    const current = await this.currentVersion(now);
    if (accepts(current.value)) return true;
    if (now < current.createdAt + this.options.graceMs) {
      const previous = await this.previousVersion(current, now);
      if (previous !== undefined && accepts(previous.value)) return true;
    }
    const readAt = this.current?.readAt ?? now;
    if (now - readAt < this.options.recheckMs) return false;
    const fresh = await this.currentVersion(now, true);
    return fresh.versionId !== current.versionId && accepts(fresh.value);
  }

  private currentVersion(now: number, force = false): Promise<SecretVersion> {
    const held = this.current;
    if (held !== undefined && !force && now - held.readAt < this.options.maxAgeMs) return held.version;
    const version = this.read(this.secretId, 'AWSCURRENT').then((v) => {
      if (v === undefined) throw new Error(`Secret ${this.secretId} has no AWSCURRENT version`);
      return v;
    });
    const entry = { version, readAt: now };
    this.current = entry;
    // A failed read is not kept, so the next call tries again.
    version.catch(() => {
      if (this.current === entry) this.current = undefined;
    });
    return version;
  }

  private previousVersion(current: SecretVersion, now: number): Promise<SecretVersion | undefined> {
    const held = this.previous;
    if (held !== undefined && held.forVersion === current.versionId && now - held.readAt < this.options.maxAgeMs) {
      return held.version;
    }
    const version = this.read(this.secretId, 'AWSPREVIOUS');
    const entry = { version, readAt: now, forVersion: current.versionId };
    this.previous = entry;
    version.catch(() => {
      if (this.previous === entry) this.previous = undefined;
    });
    return version;
  }
}
