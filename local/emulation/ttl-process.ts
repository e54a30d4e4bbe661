/**
 * A stand-in for DynamoDB's TTL process, for tables in DynamoDB Local.
 *
 * DynamoDB Local 3.3.0 runs a TTL sweep about every ten seconds, but it never deletes items from a
 * table that has a secondary index (this application's table has four), and the deletions it does
 * make appear in the stream under the event name `UNKNOWN_TO_SDK_VERSION` with no identity. So
 * locally, expiry is done here: `sweep()` deletes every item whose TTL attribute is in the past,
 * each with a condition that it is still expired (as TTL never deletes an item renewed in the
 * meantime), and remembers what it deleted, so that the stream pump can give those REMOVE records
 * the identity DynamoDB Streams gives TTL deletions (`Service`, `dynamodb.amazonaws.com`).
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { _Record as SdkStreamRecord } from '@aws-sdk/client-dynamodb-streams';

export interface LocalTtlOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The table's TTL attribute (epoch seconds). */
  readonly attribute: string;
  /** The table's key attribute names. */
  readonly keyAttributes: readonly string[];
}

/** A key as a stable string, whichever way its attribute values were decoded. */
function keyId(key: Record<string, { S?: string; N?: string; B?: Uint8Array }>): string {
  return JSON.stringify(
    Object.keys(key)
      .sort()
      .map((name) => {
        const value = key[name];
        return [name, value?.S ?? value?.N ?? Buffer.from(value?.B ?? []).toString('base64')];
      }),
  );
}

export class LocalTtlProcess {
  /** Keys deleted by a sweep whose REMOVE record the pump has not seen yet, with a count. */
  private readonly deleted = new Map<string, number>();

  constructor(private readonly options: LocalTtlOptions) {}

  /**
   * Delete every item that expired before `nowSeconds` (default: now), calling `onDeleted` with
   * the key of each as soon as it is gone.
   *
   * @returns how many items were deleted
   */
  async sweep(
    options: { readonly nowSeconds?: number; readonly onDeleted?: (key: Record<string, AttributeValue>) => void } = {},
  ): Promise<number> {
    const nowSeconds = options.nowSeconds ?? Math.floor(Date.now() / 1000);
    const { client, tableName, attribute, keyAttributes } = this.options;
    const names = Object.fromEntries(keyAttributes.map((name, i) => [`#k${i}`, name]));
    let deleted = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          // Only numbers are TTL values; a comparison with a number skips every other type.
          FilterExpression: '#ttl < :now',
          ProjectionExpression: Object.keys(names).join(', '),
          ExpressionAttributeNames: { '#ttl': attribute, ...names },
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
          ExclusiveStartKey: start,
        }),
      );
      for (const key of page.Items ?? []) {
        // Registered before the delete, so that the pump, reading the stream concurrently, can
        // never see the REMOVE record before it knows the deletion is this process's.
        const id = keyId(key as never);
        this.deleted.set(id, (this.deleted.get(id) ?? 0) + 1);
        try {
          await client.send(
            new DeleteItemCommand({
              TableName: tableName,
              Key: key,
              ConditionExpression: '#ttl < :now',
              ExpressionAttributeNames: { '#ttl': attribute },
              ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
            }),
          );
          deleted += 1;
          options.onDeleted?.(key);
        } catch (error) {
          this.unregister(id);
          // Renewed or deleted since the scan: no longer this sweep's business.
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return deleted;
  }

  private unregister(id: string): boolean {
    const count = this.deleted.get(id) ?? 0;
    if (count === 0) return false;
    if (count === 1) this.deleted.delete(id);
    else this.deleted.set(id, count - 1);
    return true;
  }

  /** Whether a stream record is the REMOVE of an item this process deleted (each is claimed once). */
  claim(record: SdkStreamRecord): boolean {
    if (record.eventName !== 'REMOVE' || record.dynamodb?.Keys === undefined) return false;
    return this.unregister(keyId(record.dynamodb.Keys as never));
  }
}
