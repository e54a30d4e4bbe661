/**
 * Secrets Manager's GetSecretValue, for local runs on a machine without moto_server.
 *
 * The API functions read one secret (the cursor-signing key) and nothing else from Secrets
 * Manager, so without moto the runner answers that one call itself; every other call is refused.
 * A local secret has one version and is never rotated, so asking for any stage but AWSCURRENT
 * (the functions ask for AWSPREVIOUS to accept cursors across a rotation) finds nothing, as it
 * would in Secrets Manager.
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
      let request: { SecretId?: unknown; VersionStage?: unknown };
      try {
        request = JSON.parse((await readBody(req)).toString()) as typeof request;
      } catch {
        return answer(400, { __type: 'SerializationException', message: 'the body is not JSON' });
      }
      const { SecretId: secretId, VersionStage: stage = 'AWSCURRENT' } = request;
      const value = typeof secretId === 'string' ? secrets.get(secretId) : undefined;
      if (value === undefined)
        return answer(400, { __type: 'ResourceNotFoundException', message: `Secret ${String(secretId)} not found` });
      if (stage !== 'AWSCURRENT')
        return answer(400, {
          __type: 'ResourceNotFoundException',
          message: `Secrets Manager can't find the specified secret value for staging label: ${String(stage)}`,
        });
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
