/**
 * Secrets read once per process from Secrets Manager and kept in memory.
 *
 * The SDK resolves its endpoint from AWS_ENDPOINT_URL_SECRETS_MANAGER or AWS_ENDPOINT_URL, so local
 * runs and tests read the same secret from moto_server.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { tracer } from './observability';

let client: SecretsManagerClient | undefined;
const cache = new Map<string, Promise<string>>();

/** The secret's string value; a failed read is not cached, so the next call tries again. */
export function secretString(secretId: string): Promise<string> {
  const cached = cache.get(secretId);
  if (cached !== undefined) return cached;
  client ??= tracer.captureAWSv3Client(new SecretsManagerClient({}));
  const read = client.send(new GetSecretValueCommand({ SecretId: secretId })).then((output) => {
    if (output.SecretString === undefined || output.SecretString === '') {
      throw new Error(`Secret ${secretId} has no string value`);
    }
    return output.SecretString;
  });
  cache.set(secretId, read);
  read.catch(() => cache.delete(secretId));
  return read;
}
