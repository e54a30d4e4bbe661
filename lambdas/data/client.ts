/**
 * The DynamoDB document client: one per process, traced, and metered (see capacity.ts).
 *
 * The SDK resolves its endpoint from AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL when set, which
 * is how local runs and tests point it at DynamoDB Local with no code path of their own.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_STATUS_SHARDS, STATUS_SHARDS_RANGE } from '../model/table-design';
import { recordCapacity, reportsCapacity } from '../shared/capacity';
import { intEnv, requireEnv } from '../shared/env';
import { tracer } from '../shared/observability';

export const tableName = requireEnv('TABLE_NAME');

/** Write shards of the status index; must match the stage configuration that created the items. */
export const statusShards = intEnv('STATUS_SHARDS', DEFAULT_STATUS_SHARDS, STATUS_SHARDS_RANGE);

const base = tracer.captureAWSv3Client(new DynamoDBClient({}));

base.middlewareStack.add(
  (next, context) => async (args) => {
    const commandName = context.commandName ?? '';
    const input = args.input as {
      ReturnConsumedCapacity?: string;
      IndexName?: string;
      ConsistentRead?: boolean;
      TransactItems?: Record<string, unknown>[];
    };
    if (reportsCapacity(commandName)) input.ReturnConsumedCapacity ??= 'TOTAL';
    const result = await next(args);
    recordCapacity(commandName, (result.output as { ConsumedCapacity?: never }).ConsumedCapacity, input);
    return result;
  },
  { step: 'initialize', name: 'meterConsumedCapacity' },
);

export const documents = DynamoDBDocumentClient.from(base, {
  marshallOptions: { removeUndefinedValues: true },
});
