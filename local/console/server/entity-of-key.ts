/**
 * An item's entity type from its table key, for items an index shows without their `entityType`
 * (the sparse and sharded indexes do not project it): the key shapes of lambdas/model/keys.ts,
 * read backwards. test/local/console.test.ts checks it against every key builder of the model.
 */
import { EntityType } from '../../../lambdas/model/entities';

export function entityTypeOfKey(pk: string, sk: string): EntityType | undefined {
  const [kind] = pk.split('#');
  if (kind === 'EMAIL') return EntityType.emailMarker;
  if (kind === 'PRODUCT' && sk === 'PRODUCT') return EntityType.product;
  if (kind === 'SALES') return sk === 'TOTAL' ? EntityType.dailySales : EntityType.dailyProductSales;
  if (kind !== 'CUSTOMER') return undefined;
  if (sk === 'PROFILE') return EntityType.customer;
  if (sk.startsWith('CART#')) return EntityType.cartLine;
  if (sk.startsWith('ORDER#')) return sk.includes('#LINE#') ? EntityType.orderLine : EntityType.order;
  return undefined;
}
