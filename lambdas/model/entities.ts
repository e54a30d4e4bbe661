/**
 * The store's entities as the application sees them, without key attributes.
 *
 * Money is held in integer cents and instants as ISO-8601 strings in UTC, so that arithmetic is
 * exact and string order is time order.
 */

/** Every entity type stored in the table, written to each item's `entityType` attribute. */
export const EntityType = {
  customer: 'Customer',
  emailMarker: 'EmailMarker',
  product: 'Product',
  cartLine: 'CartLine',
  order: 'Order',
  orderLine: 'OrderLine',
  dailyProductSales: 'DailyProductSales',
  dailySales: 'DailySales',
} as const;
export type EntityType = (typeof EntityType)[keyof typeof EntityType];

/** The order lifecycle. Only `PLACED` and `PAID` orders can be cancelled. */
export const ORDER_STATUSES = ['PLACED', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface Customer {
  readonly customerId: string;
  readonly email: string;
  readonly name: string;
  readonly marketingOptIn: boolean;
  readonly orderCount: number;
  readonly lifetimeValueCents: number;
  readonly createdAt: string;
  readonly version: number;
}

/** Claims an email address for one customer; its existence is what keeps emails unique. */
export interface EmailMarker {
  readonly email: string;
  readonly customerId: string;
}

export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly category: string;
  readonly priceCents: number;
  readonly stock: number;
  readonly description: string;
}

export interface CartLine {
  readonly customerId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly addedAt: string;
  /** Epoch seconds; DynamoDB's TTL process deletes the line some time after this. */
  readonly expiresAt: number;
}

export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly placedAt: string;
  readonly statusSince: string;
  readonly orderTotalCents: number;
  readonly lineCount: number;
  /** Optimistic-locking version, incremented by every change. */
  readonly version: number;
  readonly paidAt?: string;
  readonly shippedAt?: string;
  readonly deliveredAt?: string;
  readonly cancelledAt?: string;
}

export interface OrderLine {
  readonly orderId: string;
  readonly customerId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

/** Units and revenue of one product on one UTC day. */
export interface DailyProductSales {
  readonly day: string;
  readonly sku: string;
  readonly unitsSold: number;
  readonly revenueCents: number;
}

/** The whole store's figures for one UTC day. */
export interface DailySales {
  readonly day: string;
  readonly orderCount: number;
  readonly unitsSold: number;
  readonly revenueCents: number;
}
