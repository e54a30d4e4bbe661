/**
 * Secrets Manager's GetSecretValue, for local runs on a machine without moto_server.
 *
 * The API functions read one secret (the cursor-signing key) and nothing else from Secrets
 * Manager, so without moto the runner answers that one call itself; every other call is refused.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guarded, readBody } from './http-api';

export async function secretsStandIn(
  secrets: ReadonlyMap<string, string>,
  onError: (error: unknown) => void,
): Promise<{ endpoint: string; server: Server }> {
  const server = createServer(
    guarded(async (req, res) => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue')
        return answer(400, { __type: 'UnsupportedOperation', message: 'only GetSecretValue is served locally' });
      let secretId: unknown;
      try {
        secretId = (JSON.parse((await readBody(req)).toString()) as { SecretId?: unknown }).SecretId;
      } catch {
        return answer(400, { __type: 'SerializationException', message: 'the body is not JSON' });
      }
      const value = typeof secretId === 'string' ? secrets.get(secretId) : undefined;
      if (value === undefined)
        return answer(400, { __type: 'ResourceNotFoundException', message: `Secret ${String(secretId)} not found` });
      answer(200, {
        ARN: secretId,
        Name: secretId,
        SecretString: value,
        VersionId: 'local',
        VersionStages: ['AWSCURRENT'],
      });
    }, onError),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
