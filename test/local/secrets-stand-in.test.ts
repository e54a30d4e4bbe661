/**
 * The runner's stand-in for Secrets Manager, read through the functions' own reader: the current
 * value is served, and a local secret, never rotated, has no previous version.
 */
import type { Server } from 'node:http';
import { LOCAL_AWS } from '../../local/engines/dynamodb-local';
import { secretsStandIn } from '../../local/runner/secrets-stand-in';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:cursor-key';
let server: Server;
let read: typeof import('../../lambdas/shared/secrets').readFromSecretsManager;

beforeAll(async () => {
  const standIn = await secretsStandIn(new Map([[ARN, 'local-signing-key']]), (error) => {
    throw error;
  });
  server = standIn.server;
  Object.assign(process.env, {
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: standIn.endpoint,
  });
  ({ readFromSecretsManager: read } = await import('../../lambdas/shared/secrets'));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('AWSCURRENT is the local value; AWSPREVIOUS does not exist', async () => {
  await expect(read(ARN, 'AWSCURRENT')).resolves.toMatchObject({ value: 'local-signing-key' });
  await expect(read(ARN, 'AWSPREVIOUS')).resolves.toBeUndefined();
});

test('an unknown secret is refused, whatever the stage', async () => {
  await expect(read(`${ARN}-other`, 'AWSCURRENT')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
});
