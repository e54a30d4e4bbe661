/**
 * The API catalogue: every route of the HTTP API with the access pattern behind it, in one typed
 * list that everything outside the functions reads. A route's run-time facts (key, function,
 * audience, flags) are in api-routes.ts; this module adds, under the same names, what the route
 * does to the table, and `routeList()` gives the two together.
 *
 * - The API stack builds its routes, its function groups and the shopper and back-office invoke
 *   policies from `routeList()` and `FUNCTION_GROUPS` (lib/stacks/api-stack.ts).
 * - Each API handler's route table is typed by `RouteHandlers<Group>`, so a route that is missing
 *   or misspelled fails the type check (lambdas/shared/http.ts).
 * - The integration tests run every pattern on DynamoDB Local and check the requests it makes
 *   (operation, index, consistency) and the capacity DynamoDB reports against `patterns`.
 * - `npm run docs` writes docs/access-patterns.md and the README's table from it.
 *
 * The functions never import this module, so none of it is in their bundles. Like the rest of
 * `model/`, it imports nothing from AWS.
 */
import { type ApiRoute, ROUTES, type RouteId } from './api-routes';
import { GlobalIndexes, LocalIndexes } from './table-design';

/** The DynamoDB operations the data layer uses. */
export type Operation =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'Scan'
  | 'TransactGetItems'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'TransactWriteItems';

const WRITE_OPERATIONS: ReadonlySet<Operation> = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems']);

/** Whether an operation writes. */
export const isWrite = (operation: Operation): boolean => WRITE_OPERATIONS.has(operation);

/** The IAM action that authorizes each kind of transaction item. */
const ITEM_ACTIONS: Readonly<Record<TransactItemKind, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

/**
 * The IAM actions a request needs: its own, or for a transaction (which has no action of its own)
 * the action of each kind of item it holds.
 */
export function iamActionsOf(request: DynamoRequest): string[] {
  if (request.operation === 'TransactWriteItems' || request.operation === 'TransactGetItems') {
    if (request.items === undefined || request.items.length === 0) {
      throw new Error(`A ${request.operation} request must list the kinds of item it holds`);
    }
    return request.items.map((kind) => ITEM_ACTIONS[kind]);
  }
  return [`dynamodb:${request.operation}`];
}

export type IndexName =
  | (typeof GlobalIndexes)[keyof typeof GlobalIndexes]['indexName']
  | (typeof LocalIndexes)[keyof typeof LocalIndexes]['indexName'];

/** A kind of item in a transaction, as the request names it. */
export type TransactItemKind = 'Put' | 'Update' | 'Delete' | 'ConditionCheck' | 'Get';

/** One kind of request a pattern makes to DynamoDB. */
export interface DynamoRequest {
  readonly operation: Operation;
  /**
   * For a transaction, the kinds of item it holds, each once, in alphabetical order (the meter
   * records them so; IAM authorizes each item as the single-item action of its kind).
   */
  readonly items?: readonly TransactItemKind[];
  /** The index read; absent for the table itself. */
  readonly index?: IndexName;
  /** A strongly consistent read. @default false (eventually consistent, for reads) */
  readonly consistent?: boolean;
  /** Made only in this case (so a call may lack it); absent when every call makes it. */
  readonly onlyWhen?: string;
}

/** The capacity one call consumes in the test scenario (test/fixtures/store-scenario.ts). */
export interface DocumentedCapacity {
  /** Read units DynamoDB reports (`ReturnConsumedCapacity: TOTAL`). @default 0 */
  readonly read?: number;
  /** Write units DynamoDB reports. @default 0 */
  readonly write?: number;
  /**
   * What DynamoDB bills by its published rules, where DynamoDB Local reports less (it does for
   * some write transactions); budget with this one.
   */
  readonly bills?: { readonly read?: number; readonly write?: number };
  /** The case the figure is for, e.g. `page of 10`. */
  readonly scenario?: string;
}

/** One numbered access pattern: a route, or one way of calling it. */
export interface PatternSpec {
  readonly number: number;
  readonly title: string;
  /** How this variant of the route is asked for, when the route serves several (`?consistent=true`). */
  readonly variant?: string;
  /** Each kind of request the pattern makes, in the order it makes them. */
  readonly requests: readonly DynamoRequest[];
  readonly capacity: DocumentedCapacity;
}

interface RouteDocumentationBase {
  /** The requests in words, for the docs: operation, order, retries. */
  readonly operation: string;
  readonly patterns: readonly [PatternSpec, ...PatternSpec[]];
}

/** A route that serves one access pattern (or variants of one): a read, or a single-item write. */
export interface PatternRouteDocumentation extends RouteDocumentationBase {
  readonly kind: 'pattern';
  readonly keyCondition: string;
  /** Filter and projection. */
  readonly filter: string;
}

/** A route that runs a workflow: one transaction or one conditional write, all or nothing. */
export interface WorkflowRouteDocumentation extends RouteDocumentationBase {
  readonly kind: 'workflow';
  /** The table and the indexes whose entries the writes change. */
  readonly writes: string;
  /** The items and the conditions on each. */
  readonly items: string;
  readonly guarantee: string;
}

export type RouteDocumentation = PatternRouteDocumentation | WorkflowRouteDocumentation;

/** A route with its documentation. */
export type RouteSpec = ApiRoute & RouteDocumentation;

const get = (index?: IndexName, consistent = false): DynamoRequest => ({
  operation: 'GetItem',
  ...(index === undefined ? {} : { index }),
  ...(consistent ? { consistent } : {}),
});
const query = (index?: IndexName, consistent = false): DynamoRequest => ({
  operation: 'Query',
  ...(index === undefined ? {} : { index }),
  ...(consistent ? { consistent } : {}),
});
const write = (operation: Operation, onlyWhen?: string): DynamoRequest => ({
  operation,
  ...(onlyWhen === undefined ? {} : { onlyWhen }),
});
const transact = (...items: TransactItemKind[]): DynamoRequest => ({
  operation: 'TransactWriteItems',
  items: [...items].sort(),
});

/** The read a retry of a committed order makes: the order placed under its Idempotency-Key. */
const placedAlready: DynamoRequest = {
  ...query(undefined, true),
  onlyWhen: 'a retry finds its order placed already (a first attempt committed, then failed): it reads that order back',
};

const { overloaded, ordersByStatus, awaitingShipment } = GlobalIndexes;
const { ordersByTotal } = LocalIndexes;

/**
 * What each route does, keyed like `ROUTES`. The numbers are the patterns' numbers in
 * docs/access-patterns.md: access patterns first, then workflows.
 */
const DOCUMENTATION = {
  getCustomer: {
    kind: 'pattern',
    operation: 'GetItem',
    keyCondition: '`PK = CUSTOMER#<id>`, `SK = PROFILE`',
    filter: 'all attributes',
    patterns: [{ number: 1, title: 'Get a customer', requests: [get()], capacity: { read: 0.5 } }],
  },
  getProduct: {
    kind: 'pattern',
    operation: 'GetItem',
    keyCondition: '`PK = PRODUCT#<sku>`, `SK = PRODUCT`',
    filter: 'projection: sku, name, category, priceCents, stock, description',
    patterns: [{ number: 2, title: 'Get a product (public fields)', requests: [get()], capacity: { read: 0.5 } }],
  },
  listProductsByCategory: {
    kind: 'pattern',
    operation: 'Query',
    keyCondition: '`GSI1PK = CATEGORY#<c>`, `GSI1SK BETWEEN PRICE#<min>#… AND PRICE#<max>#…`',
    filter: 'projection: public fields',
    patterns: [
      {
        number: 3,
        title: 'Products in a category within a price range, cheapest first',
        requests: [query(overloaded.indexName)],
        capacity: { read: 0.5, scenario: 'page of 10' },
      },
    ],
  },
  getProducts: {
    kind: 'pattern',
    operation: 'BatchGetItem, unprocessed keys retried with jittered backoff',
    keyCondition: '100 keys per request',
    filter: 'projection: public fields',
    patterns: [
      {
        number: 4,
        title: 'Many products at once',
        requests: [{ operation: 'BatchGetItem' }],
        capacity: { read: 1.5, scenario: '3 products found' },
      },
    ],
  },
  listCustomerOrders: {
    kind: 'pattern',
    operation: 'Query, descending',
    keyCondition: '`GSI1PK = CUSTOMER#<id>#ORDERS`, `begins_with(GSI1SK, PLACED#)`',
    filter: 'all attributes',
    patterns: [
      {
        number: 5,
        title: "A customer's orders, newest first",
        requests: [query(overloaded.indexName)],
        capacity: { read: 0.5, scenario: 'page of 10' },
      },
    ],
  },
  listLargestOrders: {
    kind: 'pattern',
    operation: 'Query, descending',
    keyCondition: '`PK = CUSTOMER#<id>` (sorted by `LSI1SK`, the total)',
    filter: 'projected attributes only',
    patterns: [
      {
        number: 6,
        title: "A customer's largest orders",
        requests: [query(ordersByTotal.indexName)],
        capacity: { read: 0.5, scenario: 'page of 10' },
      },
    ],
  },
  getOrderWithLines: {
    kind: 'pattern',
    operation: 'Query',
    keyCondition: '`PK = CUSTOMER#<id>`, `SK BETWEEN ORDER#<o> AND ORDER#<o>#<max>`',
    filter: 'all attributes',
    patterns: [
      {
        number: 7,
        title: 'An order with all its lines',
        requests: [query()],
        capacity: { read: 0.5, scenario: 'order with 2 lines' },
      },
      {
        number: 8,
        title: 'The same, strongly consistent',
        variant: '?consistent=true',
        requests: [query(undefined, true)],
        capacity: { read: 1, scenario: 'order with 2 lines' },
      },
    ],
  },
  listOrdersByStatus: {
    kind: 'pattern',
    operation: 'one Query per write shard, in parallel, k-way merge',
    keyCondition: '`statusShard = <STATUS>#<n>` for n in 0..shards-1, `statusSince BETWEEN from AND to`',
    filter: 'projected summary',
    patterns: [
      {
        number: 9,
        title: 'Orders that entered a status in a time window, oldest first, all shards merged',
        requests: [query(ordersByStatus.indexName)],
        capacity: { read: 2, scenario: 'page of 10, 4 shards' },
      },
    ],
  },
  listOrdersAwaitingShipment: {
    kind: 'pattern',
    operation: 'Query',
    keyCondition: '`shipQueue = AWAITING_SHIPMENT` (sorted by `paidAt`)',
    filter: 'projected summary',
    patterns: [
      {
        number: 10,
        title: 'Paid orders awaiting shipment, longest waiting first',
        requests: [query(awaitingShipment.indexName)],
        capacity: { read: 0.5, scenario: 'page of 10' },
      },
    ],
  },
  getCart: {
    kind: 'pattern',
    operation: 'Query',
    keyCondition: '`PK = CUSTOMER#<id>`, `begins_with(SK, CART#)`',
    filter: 'filter: `expiresAt > now`',
    patterns: [{ number: 11, title: 'View the cart', requests: [query()], capacity: { read: 0.5 } }],
  },
  addToCart: {
    kind: 'pattern',
    operation: 'GetItem (price), then UpdateItem `ADD quantity` with a condition',
    keyCondition: '`PK = CUSTOMER#<id>`, `SK = CART#<sku>`',
    filter: 'condition: line absent, or live and room for the units',
    patterns: [
      {
        number: 12,
        title: 'Add to the cart (new line, or more units)',
        requests: [
          get(),
          write('UpdateItem'),
          write('PutItem', 'the line expired and TTL has not deleted it yet: it is replaced'),
        ],
        capacity: { read: 0.5, write: 1 },
      },
    ],
  },
  changeCartLineQuantity: {
    kind: 'pattern',
    operation: 'UpdateItem with a condition',
    keyCondition: '`PK = CUSTOMER#<id>`, `SK = CART#<sku>`',
    filter: 'condition: line live',
    patterns: [
      { number: 13, title: "Change a cart line's quantity", requests: [write('UpdateItem')], capacity: { write: 1 } },
    ],
  },
  removeCartLine: {
    kind: 'pattern',
    operation: 'DeleteItem with a condition',
    keyCondition: '`PK = CUSTOMER#<id>`, `SK = CART#<sku>`',
    filter: 'condition: line live',
    patterns: [{ number: 14, title: 'Remove a cart line', requests: [write('DeleteItem')], capacity: { write: 1 } }],
  },
  exportMarketingOptIns: {
    kind: 'pattern',
    operation: 'parallel Scan, 4 segments per round',
    keyCondition: 'none (the only Scan)',
    filter: 'filter: `entityType = Customer AND marketingOptIn = true`; projection: customerId, email, name',
    patterns: [
      {
        number: 15,
        title: 'Export customers who opted in to marketing',
        requests: [{ operation: 'Scan' }],
        capacity: { read: 4, scenario: 'whole table in one round of 4 segments' },
      },
    ],
  },
  getDailySales: {
    kind: 'pattern',
    operation: 'GetItem (zeros for a day without orders)',
    keyCondition: '`PK = SALES#<day>`, `SK = TOTAL`',
    filter: 'all attributes',
    patterns: [
      {
        number: 16,
        title: "The store's sales on a day (kept by the stream consumer)",
        requests: [get()],
        capacity: { read: 0.5 },
      },
    ],
  },
  listDailyProductSales: {
    kind: 'pattern',
    operation: 'Query',
    keyCondition: '`PK = SALES#<day>`, `begins_with(SK, PRODUCT#)`',
    filter: 'all attributes',
    patterns: [
      {
        number: 17,
        title: "Each product's sales on a day, by SKU",
        requests: [query()],
        capacity: { read: 0.5, scenario: '3 products' },
      },
    ],
  },
  listProductSales: {
    kind: 'pattern',
    operation: 'Query',
    keyCondition: '`GSI1PK = PRODUCT#<sku>#SALES`, `GSI1SK BETWEEN DAY#<from> AND DAY#<to>`',
    filter: 'all attributes',
    patterns: [
      {
        number: 18,
        title: "One product's sales, day by day, within a range",
        requests: [query(overloaded.indexName)],
        capacity: { read: 0.5, scenario: '3 days' },
      },
    ],
  },
  registerCustomer: {
    kind: 'workflow',
    operation: 'TransactWriteItems',
    writes: 'table',
    items: 'Put customer (the signed-in subject) if absent; Put `EMAIL#<email>` if absent',
    guarantee: 'one account per email and per shopper, whatever the concurrency; a retry gets the first answer',
    patterns: [
      {
        number: 19,
        title: 'Register a customer',
        requests: [
          transact('Put'),
          {
            ...get(undefined, true),
            onlyWhen: 'the profile exists already: it is read to tell a retry of this registration from a conflict',
          },
        ],
        capacity: { write: 2, bills: { write: 4 } },
      },
    ],
  },
  changeCustomerEmail: {
    kind: 'workflow',
    operation: 'GetItem, then TransactWriteItems',
    writes: 'table',
    items: 'Update customer if version unchanged; Delete old marker if it is the customer’s; Put new marker if absent',
    guarantee: 'the email moves or nothing changes',
    patterns: [
      {
        number: 20,
        title: "Change a customer's email",
        requests: [get(undefined, true), transact('Delete', 'Put', 'Update')],
        capacity: { read: 1, write: 2, bills: { read: 1, write: 6 } },
      },
    ],
  },
  placeOrder: {
    kind: 'workflow',
    operation: 'BatchGetItem (prices), then TransactWriteItems',
    writes: 'table, GSI1, OrdersByStatus, LSI',
    items:
      'per line: Update product `stock = stock - q` if `stock >= q` and price unchanged, Put line; Put header (its id derived from the Idempotency-Key) if absent; Update customer totals if the customer exists',
    guarantee: 'no overselling, no order without its stock; a retry after a commit gets the order placed',
    patterns: [
      {
        number: 21,
        title: 'Place an order, one line',
        requests: [{ operation: 'BatchGetItem' }, transact('Put', 'Update'), placedAlready],
        capacity: { read: 0.5, write: 14, bills: { read: 0.5, write: 14 } },
      },
      {
        number: 22,
        title: 'Place an order, three lines',
        variant: 'three lines: 8 items',
        requests: [{ operation: 'BatchGetItem' }, transact('Put', 'Update'), placedAlready],
        capacity: { read: 1.5, write: 14, bills: { read: 1.5, write: 22 } },
      },
    ],
  },
  getCheckoutSummary: {
    kind: 'workflow',
    operation: 'Query (lines), then TransactGetItems',
    writes: 'none',
    items: 'order, customer, each product on the order',
    guarantee: 'one consistent snapshot',
    patterns: [
      {
        number: 23,
        title: 'Checkout snapshot',
        requests: [query(), { operation: 'TransactGetItems', items: ['Get'] }],
        capacity: { read: 8.5, scenario: 'order with 2 lines: 0.5 for the Query, then 4 items × 2' },
      },
    ],
  },
  changeOrderStatus: {
    kind: 'workflow',
    operation: 'UpdateItem with a condition',
    writes: 'table, GSI1, OrdersByStatus (entry moves shard), LSI, AwaitingShipment',
    items: 'if `version = expected` and the status precedes the target',
    guarantee: 'optimistic locking: of two writers at one version, one wins',
    patterns: [
      {
        number: 24,
        title: 'Move an order forward (here PLACED → PAID)',
        requests: [write('UpdateItem')],
        capacity: { write: 6, bills: { write: 6 } },
      },
    ],
  },
  cancelOrder: {
    kind: 'workflow',
    operation: 'Query (strong), then TransactWriteItems',
    writes: "table and the order's indexes",
    items:
      'Update header if status and version unchanged; Update each product `stock = stock + q`; Update customer totals',
    guarantee: 'restocked exactly once, only from PLACED or PAID',
    patterns: [
      {
        number: 25,
        title: 'Cancel an order (paid, two lines) and restock',
        requests: [query(undefined, true), transact('Update')],
        capacity: { read: 1, write: 18, bills: { read: 1, write: 18 } },
      },
    ],
  },
} as const satisfies Record<RouteId, RouteDocumentation>;

/** The routes as a list, in the catalogue's order. */
export const routeList = (): readonly (RouteSpec & { readonly id: RouteId })[] =>
  (Object.entries(ROUTES) as [RouteId, ApiRoute][]).map(([id, route]) => ({ id, ...route, ...DOCUMENTATION[id] }));

/** Every numbered pattern, with the route it belongs to, in number order. */
export function patternList(): readonly (PatternSpec & { readonly route: RouteSpec & { readonly id: RouteId } })[] {
  return routeList()
    .flatMap((route) => route.patterns.map((pattern) => ({ ...pattern, route })))
    .sort((a, b) => a.number - b.number);
}
