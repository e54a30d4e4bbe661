/** Each entity type's colour, by its place in the model's list (lambdas/model/entities.ts). */
import { h } from './dom';

let known: readonly string[] = [];

export const setEntityTypes = (types: readonly string[]): void => {
  known = types;
};

/** The CSS class of an entity type's colour. */
export const entityClass = (type: string): string => {
  const i = known.indexOf(type);
  return i < 0 ? 'entity-other' : `entity-${i}`;
};

export const entityBadge = (type: string): HTMLElement => h('span', { class: `badge ${entityClass(type)}` }, type);

export const legend = (): HTMLElement =>
  h('p', { class: 'legend' }, 'Entity types: ', ...known.map((t) => entityBadge(t)));
