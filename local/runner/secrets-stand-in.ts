/**
 * Secrets Manager's GetSecretValue, for local runs on a machine without moto_server.
 *
 * The API functions read one secret (the cursor-signing key) and nothing else from Secrets
 * Manager, so without moto the runner answers that one call itself; every other call is refused.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function secretsStandIn(
  secrets: ReadonlyMap<string, string>,
): Promise<{ endpoint: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue')
        return answer(400, { __type: 'UnsupportedOperation', message: 'only GetSecretValue is served locally' });
      const { SecretId } = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { SecretId?: string };
      const value = SecretId === undefined ? undefined : secrets.get(SecretId);
      if (value === undefined)
        return answer(400, { __type: 'ResourceNotFoundException', message: `Secret ${SecretId} not found` });
      answer(200, {
        ARN: SecretId,
        Name: SecretId,
        SecretString: value,
        VersionId: 'local',
        VersionStages: ['AWSCURRENT'],
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
