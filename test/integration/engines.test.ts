import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { motoEndpoint, testDynamoDbClient } from '../fixtures/engines';

describe('test engines', () => {
  test('DynamoDB Local answers on the endpoint the global setup published', async () => {
    const client = testDynamoDbClient();
    const result = await client.send(new ListTablesCommand({}));
    expect(Array.isArray(result.TableNames)).toBe(true);
    client.destroy();
  });

  test('moto_server answers on the endpoint the global setup published', async () => {
    const response = await fetch(`${motoEndpoint()}/moto-api/data.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(expect.any(Object));
  });
});
