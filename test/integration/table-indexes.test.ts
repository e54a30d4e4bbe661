/**
 * The indexes behave as the design says, on a real engine: the ship queue is sparse, the LSI holds
 * only orders, largest first, and the status index spreads one status over its shards.
 */
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Order } from '../../lambdas/model/entities';
import { cartLineItem, customerItem, customerPartition, orderItem, statusShardKeys } from '../../lambdas/model/keys';
import { Attr, GlobalIndexes, LocalIndexes } from '../../lambdas/model/table-design';
import { createLocalTable, type LocalTable } from '../fixtures/local-table';

const SHARDS = 4;
const base: Order = {
  orderId: 'o-0',
  customerId: 'c-1',
  status: 'PLACED',
  placedAt: '2026-11-01T10:00:00.000Z',
  statusSince: '2026-11-01T10:00:00.000Z',
  orderTotalCents: 100,
  lineCount: 1,
  version: 1,
};

describe('secondary indexes on DynamoDB Local', () => {
  let table: LocalTable;
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    table = await createLocalTable();
    documents = DynamoDBDocumentClient.from(table.client);
    const orders: Order[] = [
      { ...base, orderId: 'o-1', orderTotalCents: 500 },
      { ...base, orderId: 'o-2', orderTotalCents: 9_000, status: 'PAID', paidAt: '2026-11-01T11:00:00.000Z' },
      { ...base, orderId: 'o-3', orderTotalCents: 2_500, status: 'PAID', paidAt: '2026-11-01T10:30:00.000Z' },
      { ...base, orderId: 'o-4', orderTotalCents: 700, status: 'SHIPPED', paidAt: '2026-11-01T10:10:00.000Z' },
      ...Array.from({ length: 40 }, (_, i) => ({ ...base, customerId: 'c-2', orderId: `bulk-${i}` })),
    ];
    const items = [
      ...orders.map((order) => orderItem(order, SHARDS)),
      customerItem({
        customerId: 'c-1',
        email: 'ann@example.com',
        name: 'Ann',
        marketingOptIn: false,
        orderCount: 4,
        lifetimeValueCents: 12_700,
        createdAt: base.placedAt,
        version: 1,
      }),
      cartLineItem({
        customerId: 'c-1',
        sku: 'SKU-1',
        quantity: 1,
        unitPriceCents: 100,
        addedAt: base.placedAt,
        expiresAt: 2_000_000_000,
      }),
    ];
    for (const item of items) await documents.send(new PutCommand({ TableName: table.tableName, Item: item }));
  });

  afterAll(() => table.client.destroy());

  test('the sparse ship queue holds only paid orders, oldest payment first', async () => {
    const { indexName, partitionKey } = GlobalIndexes.awaitingShipment;
    const result = await documents.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: indexName,
        KeyConditionExpression: '#pk = :queue',
        ExpressionAttributeNames: { '#pk': partitionKey.name },
        ExpressionAttributeValues: { ':queue': 'AWAITING_SHIPMENT' },
      }),
    );
    expect(result.Items?.map((i) => i.orderId)).toEqual(['o-3', 'o-2']);
  });

  test('the LSI lists only a customer’s orders, largest first, skipping profile and cart', async () => {
    const result = await documents.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: LocalIndexes.ordersByTotal.indexName,
        KeyConditionExpression: '#pk = :customer',
        ExpressionAttributeNames: { '#pk': Attr.pk },
        ExpressionAttributeValues: { ':customer': customerPartition('c-1') },
        ScanIndexForward: false,
      }),
    );
    expect(result.Items?.map((i) => [i.orderId, i.orderTotalCents])).toEqual([
      ['o-2', 9_000],
      ['o-3', 2_500],
      ['o-4', 700],
      ['o-1', 500],
    ]);
  });

  test('one status is spread over every shard, and the shards together hold each order once', async () => {
    const { indexName, partitionKey } = GlobalIndexes.ordersByStatus;
    const perShard = await Promise.all(
      statusShardKeys('PLACED', SHARDS).map(async (shard) => {
        const result = await documents.send(
          new QueryCommand({
            TableName: table.tableName,
            IndexName: indexName,
            KeyConditionExpression: '#pk = :shard',
            ExpressionAttributeNames: { '#pk': partitionKey.name },
            ExpressionAttributeValues: { ':shard': shard },
          }),
        );
        return (result.Items ?? []).map((i) => i.orderId as string);
      }),
    );
    for (const orders of perShard) expect(orders.length).toBeGreaterThan(0);
    const all = perShard.flat().sort();
    expect(all).toEqual(['o-1', ...Array.from({ length: 40 }, (_, i) => `bulk-${i}`)].sort());
  });
});
