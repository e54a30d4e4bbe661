/**
 * The API's routes as the functions need them at run time: each route's key, the function that
 * serves it, who may call it, and how it is served. A route is named after the data function that
 * serves it (lambdas/data/), which is also the handler's key for it.
 *
 * What each route does to the table (its access pattern, requests and capacity) is documented in
 * api-catalogue.ts under the same names. The split keeps that documentation, about 10 KB, out of
 * the functions' bundles: a handler imports this module only. Like the rest of `model/`, it
 * imports nothing from AWS.
 */

/**
 * Who may call a route, which decides how API Gateway authorizes it:
 * - `public`: anyone, without signing in (the catalogue's reads; the stage still throttles them);
 * - `shopper`: a signed-in shopper, with a token from the user pool (the JWT authorizer), and only
 *   for their own customer id: every such route is under `/customers`;
 * - `admin`: the back office, with SigV4-signed requests (IAM authorization and an invoke policy).
 */
export type Audience = 'public' | 'shopper' | 'admin';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A route key as API Gateway writes it: method, space, path template. */
export type RouteKey = `${HttpMethod} /${string}`;

/** A Lambda function of the API and what it is for; routes that touch the same things share one. */
export interface FunctionGroupSpec {
  /** What the function serves, shown in the console. */
  readonly description: string;
  /**
   * Partition-key patterns the function may read from the table and its local indexes (an IAM
   * `dynamodb:LeadingKeys` condition), where every read of its routes names such a partition;
   * absent where a route scans. Reads of global indexes are not held (docs/security.md says why).
   */
  readonly readsFrom?: readonly string[];
  /**
   * Partition-key patterns the function may write (an IAM `dynamodb:LeadingKeys` condition), for
   * groups whose routes write.
   */
  readonly writesTo?: readonly string[];
}

/**
 * The API's functions. Each is built from `lambdas/handlers/api/<name in lower case>.ts`, holds
 * the grants its routes need and no more, and warms up as one.
 */
export const FUNCTION_GROUPS = {
  Catalog: {
    description: 'Catalog: products by SKU, many at once, and by category and price',
    readsFrom: ['PRODUCT#*'],
  },
  Customers: {
    description: 'Customers: profile, order history, largest orders, one order with its lines',
    readsFrom: ['CUSTOMER#*'],
  },
  Accounts: {
    description: 'Accounts: register with a unique email, change the email',
    readsFrom: ['CUSTOMER#*'],
    writesTo: ['CUSTOMER#*', 'EMAIL#*'],
  },
  Orders: {
    description: 'Orders: place, cancel, change status, checkout snapshot',
    readsFrom: ['CUSTOMER#*', 'PRODUCT#*'],
    writesTo: ['CUSTOMER#*', 'PRODUCT#*'],
  },
  Cart: {
    description: 'Cart: view, add, change and remove lines that expire by TTL',
    // Adding a line reads the product's price.
    readsFrom: ['CUSTOMER#*', 'PRODUCT#*'],
    writesTo: ['CUSTOMER#*'],
  },
  // The marketing export scans the whole table: no partition condition could hold it.
  Admin: { description: 'Back office: orders by status, shipping queue, marketing export, sales figures' },
} as const satisfies Record<string, FunctionGroupSpec>;

export type FunctionGroup = keyof typeof FUNCTION_GROUPS;

/** One route of the API. */
export interface ApiRoute {
  readonly route: RouteKey;
  readonly group: FunctionGroup;
  readonly audience: Audience;
  /** Query-string parameters the route reads. */
  readonly query?: readonly string[];
  /** The route requires an `Idempotency-Key` header and replays the first response to retries. */
  readonly idempotent?: true;
  /**
   * With `-c dax=true`, the route's reads go through the DAX cluster (docs/dax.md), and may be as
   * stale as its TTLs. Only eventually consistent reads of the catalogue are cached: every request
   * of the route is such a read, and its function serves no other route.
   */
  readonly cached?: true;
}

const PAGE = ['limit', 'cursor'] as const;

/** Every route, keyed by the data function that serves it, in the order of the patterns' numbers. */
export const ROUTES = {
  getCustomer: {
    route: 'GET /customers/{customerId}',
    group: 'Customers',
    audience: 'shopper',
  },
  getProduct: {
    route: 'GET /products/{sku}',
    group: 'Catalog',
    audience: 'public',
    cached: true,
  },
  listProductsByCategory: {
    route: 'GET /categories/{category}/products',
    group: 'Catalog',
    audience: 'public',
    cached: true,
    query: ['minPrice', 'maxPrice', ...PAGE],
  },
  getProducts: {
    route: 'GET /products',
    group: 'Catalog',
    audience: 'public',
    cached: true,
    query: ['skus'],
  },
  listCustomerOrders: {
    route: 'GET /customers/{customerId}/orders',
    group: 'Customers',
    audience: 'shopper',
    query: PAGE,
  },
  listLargestOrders: {
    route: 'GET /customers/{customerId}/orders/largest',
    group: 'Customers',
    audience: 'shopper',
    query: PAGE,
  },
  getOrderWithLines: {
    route: 'GET /customers/{customerId}/orders/{orderId}',
    group: 'Customers',
    audience: 'shopper',
    query: ['consistent'],
  },
  listOrdersByStatus: {
    route: 'GET /admin/orders',
    group: 'Admin',
    audience: 'admin',
    query: ['status', 'from', 'to', ...PAGE],
  },
  listOrdersAwaitingShipment: {
    route: 'GET /admin/orders/awaiting-shipment',
    group: 'Admin',
    audience: 'admin',
    query: PAGE,
  },
  getCart: {
    route: 'GET /customers/{customerId}/cart',
    group: 'Cart',
    audience: 'shopper',
  },
  addToCart: {
    route: 'POST /customers/{customerId}/cart/lines',
    group: 'Cart',
    audience: 'shopper',
  },
  changeCartLineQuantity: {
    route: 'PUT /customers/{customerId}/cart/lines/{sku}',
    group: 'Cart',
    audience: 'shopper',
  },
  removeCartLine: {
    route: 'DELETE /customers/{customerId}/cart/lines/{sku}',
    group: 'Cart',
    audience: 'shopper',
  },
  exportMarketingOptIns: {
    route: 'GET /admin/customers/marketing-export',
    group: 'Admin',
    audience: 'admin',
    query: PAGE,
  },
  getDailySales: {
    route: 'GET /admin/sales/{day}',
    group: 'Admin',
    audience: 'admin',
  },
  listDailyProductSales: {
    route: 'GET /admin/sales/{day}/products',
    group: 'Admin',
    audience: 'admin',
    query: PAGE,
  },
  listProductSales: {
    route: 'GET /admin/products/{sku}/sales',
    group: 'Admin',
    audience: 'admin',
    query: ['from', 'to', ...PAGE],
  },
  registerCustomer: {
    route: 'POST /customers',
    group: 'Accounts',
    audience: 'shopper',
    idempotent: true,
  },
  changeCustomerEmail: {
    route: 'PUT /customers/{customerId}/email',
    group: 'Accounts',
    audience: 'shopper',
    idempotent: true,
  },
  placeOrder: {
    route: 'POST /customers/{customerId}/orders',
    group: 'Orders',
    audience: 'shopper',
    idempotent: true,
  },
  getCheckoutSummary: {
    route: 'GET /customers/{customerId}/orders/{orderId}/checkout-summary',
    group: 'Orders',
    audience: 'shopper',
  },
  changeOrderStatus: {
    route: 'PUT /customers/{customerId}/orders/{orderId}/status',
    group: 'Orders',
    // Payment, shipping and delivery are the back office's (and the fulfilment workflow's) to record.
    audience: 'admin',
    idempotent: true,
  },
  cancelOrder: {
    route: 'POST /customers/{customerId}/orders/{orderId}/cancel',
    group: 'Orders',
    audience: 'shopper',
    idempotent: true,
  },
} as const satisfies Record<string, ApiRoute>;

/** A route's name: the data function that serves it. */
export type RouteId = keyof typeof ROUTES;

/** The routes one function serves. */
export type RouteIdOf<G extends FunctionGroup> = {
  [K in RouteId]: (typeof ROUTES)[K]['group'] extends G ? K : never;
}[RouteId];

/** Every route key of the API, e.g. `GET /products/{sku}`. */
export type ApiRouteKey = (typeof ROUTES)[RouteId]['route'];

/** The routes one function serves, by route key. */
export function routesOfGroup<G extends FunctionGroup>(group: G): ReadonlyMap<string, RouteIdOf<G>> {
  return new Map(
    (Object.entries(ROUTES) as [RouteId, ApiRoute][]).flatMap(([id, r]) =>
      r.group === group ? [[r.route, id as RouteIdOf<G>]] : [],
    ),
  );
}
