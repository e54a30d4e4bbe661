/**
 * The local console, mounted by the runner on the API's own server at `/_console` (so it listens
 * where the API listens: 127.0.0.1 only). It serves the page and a small JSON API that reads the
 * table through DynamoDB Local (pages of items, counts), the runner's hooks (the stream tail, the
 * requests each API call made) and the app's own routes (running a pattern). It never writes to
 * the table itself.
 *
 * It answers only requests addressed to 127.0.0.1 or localhost (a page elsewhere cannot reach it
 * by rebinding a name to this machine), and runs patterns only for a JSON request from its own
 * origin (a page elsewhere cannot make the browser place orders here).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EntityType } from '../../../lambdas/model/entities';
import { DYNAMODB_PRICES } from '../../../lib/dynamodb-prices';
import type { MountedTool } from '../../runner/http-api';
import type { LocalAuth } from '../../runner/run-state';
import type { RunnerEvents } from '../../runner/runner-events';
import { assetAt } from './assets';
import { decodeCursor, encodeCursor, plainItem } from './attribute-values';
import { CapturedRequests } from './captured-requests';
import { ConsoleInputError, intParam, jsonBody, onlyParams, sendError, sendJson, textParam } from './http';
import { patternForms, runInput, runPattern } from './patterns';
import { StreamTail } from './stream-tail';
import { readPage } from './table-pages';
import { itemCounts, tableShape } from './table-shape';

export const CONSOLE_PATH = '/_console';

export interface ConsoleDependencies {
  readonly events: RunnerEvents;
  /** A client of the app's DynamoDB Local. */
  readonly dynamodb: DynamoDBClient;
  /** The local tables by logical id. */
  readonly tables: Readonly<Record<string, string>>;
  /** The API's base URL, known once it listens. */
  readonly apiUrl: () => string;
  /** The runner's issuer of shoppers' tokens, for the shopper routes. @default - none */
  readonly auth?: LocalAuth;
  /** Where the console reports what went wrong on its side. @default - nowhere */
  readonly onError?: (error: unknown) => void;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);

/** The app's single table: the template's `Table...` resource, not the idempotency table. */
function appTableOf(tables: Readonly<Record<string, string>>): string {
  const found = Object.entries(tables).find(([id]) => id.startsWith('Table'));
  if (found === undefined) throw new Error('The templates have no table whose logical id starts with Table');
  return found[1];
}

/** Values from the table to start the patterns' forms with: a customer and an order, products, today. */
async function examples(client: DynamoDBClient, tableName: string) {
  const orders = await client.send(new ScanCommand({ TableName: tableName, IndexName: 'OrdersByStatus', Limit: 1 }));
  const order = orders.Items?.[0] === undefined ? undefined : plainItem(orders.Items[0]);
  const products = await client.send(
    new ScanCommand({
      TableName: tableName,
      IndexName: 'GSI1',
      Limit: 200,
      FilterExpression: 'begins_with(GSI1PK, :category)',
      ExpressionAttributeValues: { ':category': { S: 'CATEGORY#' } },
    }),
  );
  const skus = (products.Items ?? []).slice(0, 3).map((item) => plainItem(item));
  const now = new Date();
  return {
    ...(order === undefined ? {} : { customerId: String(order.customerId), orderId: String(order.orderId) }),
    ...(skus[0] === undefined ? {} : { sku: String(skus[0].sku), category: String(skus[0].category) }),
    skus: skus.map((p) => String(p.sku)),
    day: now.toISOString().slice(0, 10),
    monthAgoDay: new Date(now.getTime() - 30 * 86_400_000).toISOString().slice(0, 10),
    from: `${new Date(now.getTime() - 30 * 86_400_000).toISOString().slice(0, 19)}Z`,
    to: `${new Date(now.getTime() + 60_000).toISOString().slice(0, 19)}Z`,
  };
}

export function mountConsole(deps: ConsoleDependencies): MountedTool & { stop(): void } {
  const tableName = appTableOf(deps.tables);
  const shape = tableShape(tableName);
  const captured = new CapturedRequests(deps.events);
  const tail = new StreamTail(deps.events);
  const forms = patternForms();

  const api = async (req: IncomingMessage, path: string, query: URLSearchParams): Promise<unknown> => {
    const method = req.method ?? 'GET';
    const run = /^\/patterns\/([^/]+)\/run$/.exec(path);
    if (run !== null) {
      if (method !== 'POST') throw new ConsoleInputError('method', 'must be POST to run a pattern', 405);
      const form = forms.find((f) => String(f.number) === run[1]);
      if (form === undefined)
        throw new ConsoleInputError(
          'number',
          `must be the number of a pattern of the catalogue (1 to ${forms.length})`,
          404,
        );
      const input = runInput(form, await jsonBody(req));
      return runPattern(form, input, {
        apiUrl: deps.apiUrl(),
        ...(deps.auth === undefined ? {} : { auth: deps.auth }),
        tableName,
        requestsOf: (id) => captured.requestsOf(id),
      });
    }
    if (method !== 'GET') throw new ConsoleInputError('method', 'must be GET', 405);
    switch (path) {
      case '/table': {
        onlyParams(query, []);
        const counts = await itemCounts(deps.dynamodb, tableName);
        return {
          tableName,
          keys: shape.keysOf(),
          itemCount: counts.table,
          entityTypes: Object.values(EntityType),
          indexes: shape.indexes.map((index) => ({ ...index, itemCount: counts.indexes[index.name] ?? 0 })),
        };
      }
      case '/items': {
        onlyParams(query, ['index', 'prefix', 'cursor', 'limit']);
        const index = textParam(query, 'index');
        if (index !== undefined && !shape.indexes.some((i) => i.name === index))
          throw new ConsoleInputError('index', `must be one of ${shape.indexes.map((i) => i.name).join(', ')}`);
        const prefix = textParam(query, 'prefix');
        const startKey = decodeCursor(textParam(query, 'cursor', 4_000));
        const page = await readPage(deps.dynamodb, shape, {
          limit: intParam(query, 'limit', { min: 1, max: 500 }, 100),
          ...(index === undefined ? {} : { index }),
          ...(prefix === undefined ? {} : { prefix }),
          ...(startKey === undefined ? {} : { startKey }),
        });
        const { lastKey, ...rest } = page;
        return {
          ...rest,
          keys: shape.keysOf(index),
          ...(lastKey === undefined ? {} : { cursor: encodeCursor(lastKey) }),
        };
      }
      case '/examples':
        onlyParams(query, []);
        return examples(deps.dynamodb, tableName);
      case '/patterns':
        onlyParams(query, []);
        return { prices: DYNAMODB_PRICES, patterns: forms };
      case '/stream': {
        onlyParams(query, ['since', 'limit']);
        const since = intParam(query, 'since', { min: 0, max: Number.MAX_SAFE_INTEGER }, 0);
        return tail.changedSince(since, intParam(query, 'limit', { min: 1, max: 1_000 }, 200));
      }
      default:
        throw new ConsoleInputError('path', `is not an endpoint of the console API: ${path}`, 404);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      if (!LOCAL_HOSTS.has(host))
        throw new ConsoleInputError(
          'host',
          'must be 127.0.0.1 or localhost: the console is for this machine only',
          403,
        );
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host}`)
        throw new ConsoleInputError('origin', 'must be the console itself', 403);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname.slice(CONSOLE_PATH.length);
      if (path === '') {
        res.writeHead(308, { location: `${CONSOLE_PATH}/` });
        return void res.end();
      }
      if (path.startsWith('/api/')) return sendJson(res, 200, await api(req, path.slice(4), url.searchParams));
      const asset = req.method === 'GET' ? await assetAt(path) : undefined;
      if (asset === undefined) throw new ConsoleInputError('path', `is not a page of the console: ${path}`, 404);
      res.writeHead(200, {
        'content-type': asset.type,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:",
      });
      res.end(asset.body);
    } catch (error) {
      if (error instanceof ConsoleInputError) return sendError(res, error);
      deps.onError?.(error);
      sendJson(res, 500, {
        error: 'InternalError',
        message: "The console could not answer; the runner's output says why.",
      });
    }
  };

  return {
    prefix: CONSOLE_PATH,
    handle,
    stop: () => {
      captured.stop();
      tail.stop();
    },
  };
}
