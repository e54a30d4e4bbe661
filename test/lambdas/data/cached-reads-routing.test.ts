/**
 * The whole data layer loaded as the cached Catalog function loads it (DAX_ENDPOINT set), with
 * lib-dax replaced by a fake DaxDocument and the table's document client stubbed: which data
 * functions reach DAX. Only the catalogue routes' eventually consistent reads may; strongly
 * consistent reads, transactions, and the price read of an order stay on the table.
 */
import type { BatchGetCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { aCustomer, anOrder, anOrderLine, aProduct } from '../../fixtures/entities';

/** Every DaxDocument built, and every call made to one (jest lets a mock factory see `mock*` names). */
const mockDax = { built: [] as Record<string, unknown>[], calls: [] as string[] };

jest.mock('@amazon-dax-sdk/lib-dax', () => ({
  DaxDocument: class {
    constructor(config: Record<string, unknown>) {
      mockDax.built.push(config);
    }
    async get() {
      mockDax.calls.push('get');
      return { Item: { sku: 'PEN-01', priceCents: 1 } };
    }
    async query() {
      mockDax.calls.push('query');
      return { Items: [] };
    }
    async batchGet() {
      mockDax.calls.push('batchGet');
      return { Responses: { 'unit-table': [] } };
    }
  },
}));

type Data = {
  client: typeof import('../../../lambdas/data/client');
  catalog: typeof import('../../../lambdas/data/catalog');
  orders: typeof import('../../../lambdas/data/orders');
  accounts: typeof import('../../../lambdas/data/accounts');
  workflows: typeof import('../../../lambdas/data/order-workflows');
  keys: typeof import('../../../lambdas/model/keys');
};
let data: Data;

beforeAll(async () => {
  // What the API stack gives the cached function; the data layer reads it at load time.
  Object.assign(process.env, {
    TABLE_NAME: 'unit-table',
    CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:unit',
    AWS_REGION: 'eu-west-1',
    DAX_ENDPOINT: 'daxs://orderstore-dev-1a2b.abc123.dax-clusters.eu-west-1.amazonaws.com',
  });
  data = {
    client: await import('../../../lambdas/data/client'),
    catalog: await import('../../../lambdas/data/catalog'),
    orders: await import('../../../lambdas/data/orders'),
    accounts: await import('../../../lambdas/data/accounts'),
    workflows: await import('../../../lambdas/data/order-workflows'),
    keys: await import('../../../lambdas/model/keys'),
  };
});

afterAll(() => {
  delete process.env.DAX_ENDPOINT;
});

beforeEach(() => {
  mockDax.calls.length = 0;
});

afterEach(() => jest.restoreAllMocks());

const pen = aProduct({ sku: 'PEN-01', priceCents: 500, stock: 5 });
const order = anOrder({ orderId: 'o-1', customerId: 'c-1', lineCount: 1, orderTotalCents: 500 });
const line = anOrderLine({ orderId: 'o-1', customerId: 'c-1', sku: 'PEN-01', quantity: 1, unitPriceCents: 500 });

/** Stub the table: answer each command by its kind, and record which were sent and how. */
function stubTable() {
  const sent: { command: string; consistent?: boolean }[] = [];
  jest.spyOn(data.client.documents, 'send').mockImplementation((async (command: object) => {
    const name = command.constructor.name;
    const input = (command as GetCommand | QueryCommand | BatchGetCommand).input as { ConsistentRead?: boolean };
    sent.push({ command: name, ...(input.ConsistentRead === true ? { consistent: true } : {}) });
    switch (name) {
      case 'GetCommand':
        return { Item: data.keys.customerItem(aCustomer({ customerId: 'c-1' })) };
      case 'QueryCommand':
        return { Items: [data.keys.orderItem(order, 4), data.keys.orderLineItem(line)] };
      case 'BatchGetCommand':
        return { Responses: { 'unit-table': [pen] } };
      case 'TransactGetCommand':
        return {
          Responses: [
            { Item: data.keys.orderItem(order, 4) },
            { Item: data.keys.customerItem(aCustomer({ customerId: 'c-1' })) },
            { Item: pen },
          ],
        };
      default:
        return {};
    }
  }) as never);
  return sent;
}

describe('GIVEN the data layer of a function with a DAX cluster', () => {
  test('WHEN it loads THEN no DAX client is built yet', () => {
    expect(mockDax.built).toEqual([]);
  });

  test('WHEN the catalogue routes read a product, a category page and many products THEN DAX answers them all', async () => {
    // Prepare
    const sent = stubTable();

    // Act
    await data.catalog.getProduct('PEN-01');
    await data.catalog.listProductsByCategory(
      { category: 'stationery', minPriceCents: 0, maxPriceCents: 1_000 },
      { limit: 10 },
    );
    await data.catalog.getProducts(['PEN-01', 'INK-01']);

    // Assess
    expect(mockDax.calls).toEqual(['get', 'query', 'batchGet']);
    expect(sent).toEqual([]);
    expect(mockDax.built).toEqual([
      expect.objectContaining({ endpoint: process.env.DAX_ENDPOINT, region: 'eu-west-1', requestTimeout: 500 }),
    ]);
  });

  test('WHEN strongly consistent reads are made THEN the table answers them and DAX is never asked', async () => {
    // Prepare
    const sent = stubTable();

    // Act
    await data.orders.getOrderWithLines('c-1', 'o-1', { consistentRead: true });
    await data.accounts.changeCustomerEmail('c-1', 'new@example.com').catch(() => undefined);

    // Assess
    expect(mockDax.calls).toEqual([]);
    expect(sent.slice(0, 2)).toEqual([
      { command: 'QueryCommand', consistent: true },
      { command: 'GetCommand', consistent: true },
    ]);
  });

  test('WHEN an order is placed and a checkout snapshot taken THEN prices, transactions and the snapshot come from the table, never DAX', async () => {
    // Prepare
    const sent = stubTable();

    // Act
    await data.workflows.placeOrder('c-1', [{ sku: 'PEN-01', quantity: 1 }], 'request-token-1');
    await data.workflows.getCheckoutSummary('c-1', 'o-1');

    // Assess
    expect(mockDax.calls).toEqual([]);
    expect(sent.map((s) => s.command)).toEqual([
      'BatchGetCommand',
      'TransactWriteCommand',
      'QueryCommand',
      'TransactGetCommand',
    ]);
  });
});
