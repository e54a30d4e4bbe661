/**
 * The port for eventually consistent reads of the table, and its DynamoDB implementation.
 *
 * The catalogue's reads (catalog.ts) go through this port so that a function with a DAX cluster
 * can answer them from the cache (dax-reads.ts) and every other function reads the table. The
 * port is narrow on purpose: GetItem, Query and BatchGetItem on the one table, and no way to ask
 * for a strongly consistent read, a transaction or a write. Those stay on the document client
 * (client.ts), whatever the function, so the cache can never answer them.
 */
import {
  BatchGetCommand,
  GetCommand,
  type NativeAttributeValue,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { documents, tableName } from './client';
import { rethrowOverload } from './errors';

/** An item, or a key, as the document client gives it. */
export type Item = Record<string, NativeAttributeValue>;

/** Which attributes to return, and the names the expression uses. */
export interface Projection {
  readonly ProjectionExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
}

export interface GetRequest extends Projection {
  readonly Key: Item;
}

/** A Query on the table or one index, without `ConsistentRead`: the port reads eventually consistently. */
export type QueryRequest = Omit<QueryCommandInput, 'TableName' | 'ConsistentRead' | 'ReturnConsumedCapacity'>;

export interface QueryResult {
  readonly items: Item[];
  readonly lastEvaluatedKey?: Item;
}

export interface BatchGetRequest extends Projection {
  /** At most 100 keys, BatchGetItem's limit. */
  readonly keys: readonly Item[];
}

export interface BatchGetResult {
  readonly items: Item[];
  /** Keys left unprocessed, to ask for again. */
  readonly unprocessedKeys: Item[];
}

/** Eventually consistent reads of the table: the port the cached routes read through. */
export interface EventualReads {
  /** Who answers: the table itself, or a DAX cluster in front of it. */
  readonly via: 'DynamoDB' | 'DAX';
  get(request: GetRequest): Promise<Item | undefined>;
  query(request: QueryRequest): Promise<QueryResult>;
  batchGet(request: BatchGetRequest): Promise<BatchGetResult>;
}

/**
 * The table itself, through the traced and metered document client. Requests are passed on as
 * they are, so a read that arrives here marked `ConsistentRead` (from the DAX implementation,
 * which never sends one to the cluster) is still strongly consistent.
 */
export const tableReads: EventualReads = {
  via: 'DynamoDB',

  async get(request) {
    const { Item } = await documents.send(new GetCommand({ TableName: tableName, ...request })).catch(rethrowOverload);
    return Item;
  },

  async query(request) {
    const result = await documents.send(new QueryCommand({ TableName: tableName, ...request })).catch(rethrowOverload);
    return {
      items: result.Items ?? [],
      ...(result.LastEvaluatedKey === undefined ? {} : { lastEvaluatedKey: result.LastEvaluatedKey }),
    };
  },

  async batchGet({ keys, ...projection }) {
    const result = await documents
      .send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [...keys], ...projection } } }))
      .catch(rethrowOverload);
    return {
      items: result.Responses?.[tableName] ?? [],
      unprocessedKeys: result.UnprocessedKeys?.[tableName]?.Keys ?? [],
    };
  },
};
