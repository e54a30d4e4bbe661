/**
 * The console's pure parts: the entity type read back from a table key (against every key builder
 * of the model), the monthly cost of a pattern from the one price table, the description of a
 * request as DynamoDB received it, and the forms of the catalogue's patterns.
 */
import { patternList } from '../../lambdas/model/api-catalogue';
import { EntityType } from '../../lambdas/model/entities';
import {
  cartLineKey,
  customerKey,
  dailyProductSalesKey,
  dailySalesKey,
  emailMarkerKey,
  orderKey,
  orderLineKey,
  productKey,
} from '../../lambdas/model/keys';
import { DYNAMODB_PRICES } from '../../lib/dynamodb-prices';
import { monthlyCost } from '../../local/console/cost';
import { appRequestHeaders } from '../../local/console/server/app-requests';
import { describeCall } from '../../local/console/server/captured-requests';
import { entityTypeOfKey } from '../../local/console/server/entity-of-key';
import { ConsoleInputError } from '../../local/console/server/http';
import { callerOf, patternForms, runInput, urlOf } from '../../local/console/server/patterns';

test.each([
  [customerKey('C1'), EntityType.customer],
  [emailMarkerKey('ada@example.com'), EntityType.emailMarker],
  [productKey('SKU-1'), EntityType.product],
  [cartLineKey('C1', 'SKU-1'), EntityType.cartLine],
  [orderKey('C1', 'O1'), EntityType.order],
  [orderLineKey('C1', 'O1', 'SKU-1'), EntityType.orderLine],
  [dailySalesKey('2026-11-01'), EntityType.dailySales],
  [dailyProductSalesKey('2026-11-01', 'SKU-1'), EntityType.dailyProductSales],
])('the key %j is read back as %s', (key, entity) => {
  expect(entityTypeOfKey(key.PK, key.SK)).toBe(entity);
});

test('every entity type of the model has a key the console reads back', () => {
  const covered = [
    customerKey('C'),
    emailMarkerKey('a@b.co'),
    productKey('S'),
    cartLineKey('C', 'S'),
    orderKey('C', 'O'),
    orderLineKey('C', 'O', 'S'),
    dailySalesKey('2026-11-01'),
    dailyProductSalesKey('2026-11-01', 'S'),
  ].map((k) => entityTypeOfKey(k.PK, k.SK));
  expect(new Set(covered)).toEqual(new Set(Object.values(EntityType)));
});

describe('monthly cost', () => {
  test('on demand bills each call; provisioned holds the units a second at 70% utilization', () => {
    // 10 GetItems a second at 0.5 RCU: 10 × 0.5 × 730 h × 3600 s = 13.14 million read units.
    const cost = monthlyCost({ read: 0.5 }, 10, DYNAMODB_PRICES);
    expect(cost.readUnitsPerMonth).toBe(13_140_000);
    expect(cost.onDemandUsd).toBeCloseTo(13.14 * 0.125, 6);
    expect(cost.provisioned.readCapacityUnits).toBeCloseTo(5 / 0.7, 6);
    expect(cost.provisioned.usd).toBeCloseTo((5 / 0.7) * 0.00013 * 730, 6);
  });

  test('uses what DynamoDB bills where the catalogue says DynamoDB Local reports less', () => {
    const cost = monthlyCost({ write: 2, bills: { write: 4 } }, 1, DYNAMODB_PRICES);
    expect(cost.writeUnitsPerMonth).toBe(4 * 730 * 3600);
    expect(cost.onDemandUsd).toBeCloseTo(((4 * 730 * 3600) / 1e6) * 0.625, 6);
  });

  test('the price table says where and when its prices are from', () => {
    expect(DYNAMODB_PRICES).toMatchObject({ region: 'us-east-1', date: expect.stringMatching(/^\d{4}-\d{2}/) });
  });
});

test('a request is described as DynamoDB received it: operation, index, key condition, consistency, items, capacity', () => {
  const call = describeCall({
    operation: 'Query',
    requestBody: JSON.stringify({
      TableName: 'T',
      IndexName: 'GSI1',
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'GSI1PK' },
      ExpressionAttributeValues: { ':pk': { S: 'CATEGORY#toys' } },
      ScanIndexForward: false,
      Limit: 10,
    }),
    statusCode: 200,
    responseBody: JSON.stringify({
      Items: [{ PK: { S: 'PRODUCT#1' }, priceCents: { N: '250' } }],
      Count: 1,
      ScannedCount: 1,
      ConsumedCapacity: { TableName: 'T', CapacityUnits: 0.5 },
    }),
    ms: 3.4,
  });
  expect(call).toEqual({
    operation: 'Query',
    table: 'T',
    index: 'GSI1',
    keyCondition: '#pk = :pk',
    consistent: false,
    names: { '#pk': 'GSI1PK' },
    values: { ':pk': 'CATEGORY#toys' },
    limit: 10,
    scanForward: false,
    statusCode: 200,
    items: [{ PK: 'PRODUCT#1', priceCents: 250 }],
    count: 1,
    scannedCount: 1,
    consumed: [{ table: 'T', units: 0.5 }],
    ms: 3,
  });
});

describe('pattern forms', () => {
  const forms = patternForms();

  test('one per pattern of the catalogue, with a field per path parameter and query parameter', () => {
    expect(forms.map((f) => f.number)).toEqual(patternList().map((p) => p.number));
    const orderWithLines = forms.find((f) => f.number === 8);
    expect(orderWithLines?.fields).toEqual([
      { name: 'customerId', in: 'path', required: true },
      { name: 'orderId', in: 'path', required: true },
      { name: 'consistent', in: 'query', required: false, value: 'true' },
    ]);
  });

  test('a run names the field that is wrong and the rule, and builds the route URL from the rest', () => {
    const getCustomer = forms.find((f) => f.number === 1);
    if (getCustomer === undefined) throw new Error('no pattern 1');
    expect(() => runInput(getCustomer, { path: {} })).toThrow(new ConsoleInputError('path.customerId', 'is required'));
    expect(() => runInput(getCustomer, { path: { customerId: 'C 1' }, body: '{}' })).toThrow(ConsoleInputError);
    expect(urlOf(getCustomer, runInput(getCustomer, { path: { customerId: 'C 1' } }))).toBe('/customers/C%201');
  });

  test('the console builds every request header to the app in one place: JSON, the idempotency key, and who calls', async () => {
    await expect(
      appRequestHeaders({
        method: 'POST',
        url: '/admin/orders',
        body: '{}',
        idempotencyKey: 'console-1',
        caller: 'back office',
      }),
    ).resolves.toEqual({
      accept: 'application/json',
      'content-type': 'application/json',
      'idempotency-key': 'console-1',
    });
    await expect(appRequestHeaders({ method: 'GET', url: '/products/S', caller: 'anyone' })).resolves.toEqual({
      accept: 'application/json',
    });
    // A shopper's request needs the runner's issuer; without one it is refused before it is sent.
    await expect(
      appRequestHeaders({ method: 'GET', url: '/customers/c-1', caller: { shopper: 'c-1' } }),
    ).rejects.toThrow(/no JWT authorizer/);
  });

  test('a pattern runs as the shopper its path names, the back office, or anyone', () => {
    const byNumber = (n: number) => {
      const form = forms.find((f) => f.number === n);
      if (form === undefined) throw new Error(`no pattern ${n}`);
      return form;
    };
    expect(callerOf(byNumber(1), { path: { customerId: 'c-1' }, query: {} })).toEqual({ shopper: 'c-1' });
    expect(callerOf(byNumber(2), { path: { sku: 'S' }, query: {} })).toBe('anyone');
    expect(callerOf(byNumber(16), { path: { day: '2026-11-29' }, query: {} })).toBe('back office');
  });
});
