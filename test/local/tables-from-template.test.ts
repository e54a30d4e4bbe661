import type { CfnTemplate } from '../../local/emulation/cloudformation';
import { tablesInTemplate } from '../../local/emulation/tables-from-template';
import { synthTemplates } from '../fixtures/app';

describe('tablesInTemplate', () => {
  test('GIVEN the data stack THEN it reads keys, indexes, projections, stream and TTL from the template', () => {
    const tables = tablesInTemplate(synthTemplates().data.toJSON() as CfnTemplate);
    expect(tables.map((t) => t.logicalId.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['IdempotencyTable', 'Table']);
    const table = tables.find((t) => t.logicalId.startsWith('Table'));
    expect(table?.resourceType).toBe('AWS::DynamoDB::GlobalTable');
    expect(table?.timeToLiveAttribute).toBe('expiresAt');
    expect(table?.definition).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      LocalSecondaryIndexes: [
        {
          IndexName: 'OrdersByTotal',
          KeySchema: [
            { AttributeName: 'PK', KeyType: 'HASH' },
            { AttributeName: 'LSI1SK', KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: ['orderId', 'status', 'placedAt', 'orderTotalCents'],
          },
        },
      ],
    });
    expect(table?.definition.GlobalSecondaryIndexes?.map((g) => [g.IndexName, g.Projection?.ProjectionType])).toEqual([
      ['GSI1', 'ALL'],
      ['OrdersByStatus', 'INCLUDE'],
      ['AwaitingShipment', 'INCLUDE'],
    ]);
    expect(table?.definition).not.toHaveProperty('ProvisionedThroughput');
  });

  test('GIVEN provisioned billing THEN capacity comes from the autoscaling minimums', () => {
    const table = tablesInTemplate(
      synthTemplates({ billing: 'provisioned', minReadCapacity: 2, minWriteCapacity: 3 }).data.toJSON() as CfnTemplate,
    ).find((t) => t.logicalId.startsWith('Table'));
    expect(table?.definition).toMatchObject({
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
    });
    expect(table?.definition.GlobalSecondaryIndexes).toHaveLength(3);
    for (const gsi of table?.definition.GlobalSecondaryIndexes ?? []) {
      expect(gsi.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 2, WriteCapacityUnits: 3 });
    }
  });

  test('GIVEN a classic AWS::DynamoDB::Table THEN explicit throughput and TTL are read', () => {
    const template: CfnTemplate = {
      Resources: {
        Legacy: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
            ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 1 },
            TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
          },
        },
        NotATable: { Type: 'AWS::SQS::Queue' },
      },
    };
    expect(tablesInTemplate(template)).toEqual([
      {
        logicalId: 'Legacy',
        resourceType: 'AWS::DynamoDB::Table',
        timeToLiveAttribute: 'ttl',
        definition: {
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PROVISIONED',
          ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 1 },
        },
      },
    ]);
  });

  test('GIVEN an intrinsic where a literal is needed THEN it names the table and the path', () => {
    const template: CfnTemplate = {
      Resources: {
        T: {
          Type: 'AWS::DynamoDB::GlobalTable',
          Properties: {
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: { Ref: 'KeyName' }, KeyType: 'HASH' }],
          },
        },
      },
    };
    expect(() => tablesInTemplate(template)).toThrow(
      'Table T in the template: KeySchema[0].AttributeName is the intrinsic Ref; local tables need literal values',
    );
  });
});
