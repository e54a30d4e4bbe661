/**
 * A pass-through in front of DynamoDB Local that tells the runner what each function asked of
 * DynamoDB: every function's `AWS_ENDPOINT_URL_DYNAMODB` is this tap with the function's name as
 * the path (`http://127.0.0.1:<port>/Catalog`), which the SDK keeps in front of every request. Each
 * request goes to DynamoDB Local byte for byte, its answer comes back byte for byte, and both are
 * reported as a `dynamodb` runner event, attributed to the invocation of the function that was
 * running at the time (a host runs one invocation at a time, so the attribution is exact).
 *
 * Nothing is changed on the way: DynamoDB Local does not check signatures, so the path the SDK
 * signed does not matter, and the function's code is the deployed bundle, unaware of the tap.
 * Like the event bus pass-through (event-rules.ts), it listens on 127.0.0.1 only.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunnerEvents } from './runner-events';

export interface DynamoDbTap {
  /** The endpoint a function with this display name is given. */
  endpointFor(functionName: string): string;
  readonly server: Server;
}

const collect = (stream: IncomingMessage, into: Buffer[]) => stream.on('data', (chunk: Buffer) => into.push(chunk));

/** Start the tap in front of `dynamodbEndpoint`, reporting to `events`. */
export async function startDynamoDbTap(dynamodbEndpoint: string, events: RunnerEvents): Promise<DynamoDbTap> {
  const upstream = new URL(dynamodbEndpoint);
  const running = new Map<string, string>();
  events.on('invocation', ({ functionName, invocationId, phase }) => {
    if (phase === 'start') running.set(functionName, invocationId);
    else if (running.get(functionName) === invocationId) running.delete(functionName);
  });

  const server = createServer((req, res) => {
    const started = performance.now();
    const functionName = decodeURIComponent((req.url ?? '/').split('/')[1] ?? '');
    const invocationId = running.get(functionName);
    const requestChunks: Buffer[] = [];
    const responseChunks: Buffer[] = [];
    collect(req, requestChunks);
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: '/',
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        collect(answer, responseChunks);
        answer.pipe(res);
        answer.on('end', () => {
          if (!events.heard('dynamodb')) return;
          const target = String(req.headers['x-amz-target'] ?? '');
          events.emit('dynamodb', {
            functionName,
            ...(invocationId === undefined ? {} : { invocationId }),
            operation: target.slice(target.indexOf('.') + 1),
            requestBody: Buffer.concat(requestChunks).toString('utf8'),
            statusCode: answer.statusCode ?? 0,
            responseBody: Buffer.concat(responseChunks).toString('utf8'),
            ms: performance.now() - started,
          });
        });
      },
    );
    forward.on('error', () => {
      // DynamoDB Local went away (the runner is stopping): the SDK sees a dropped connection, as
      // it would see one from DynamoDB, and retries or fails.
      res.destroy();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { endpointFor: (functionName) => `${base}/${encodeURIComponent(functionName)}`, server };
}
