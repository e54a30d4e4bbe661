/**
 * The indexes: for each GSI and LSI, the items of the table that project into it (the ones that
 * carry its key attributes), grouped by its partition key, with the attributes it copies, and how
 * many of the table's items it holds.
 */
import type { Overview } from './api';
import { count, fill, h } from './dom';
import { itemsView } from './items-view';

const projectionText = (p: Overview['indexes'][number]['projection']) =>
  p.type === 'INCLUDE'
    ? `keys and ${p.nonKeyAttributes.join(', ')}`
    : p.type === 'ALL'
      ? 'all attributes'
      : 'keys only';

export function indexView(container: HTMLElement, overview: Overview, selected: string | undefined): void {
  const index = overview.indexes.find((i) => i.name === selected) ?? overview.indexes[0];
  if (index === undefined) {
    fill(container, h('p', {}, 'The table has no index.'));
    return;
  }
  const share = overview.itemCount === 0 ? 0 : (100 * index.itemCount) / overview.itemCount;
  const body = h('div');
  fill(
    container,
    h(
      'nav',
      { class: 'subnav' },
      ...overview.indexes.map((i) =>
        h(
          'a',
          {
            href: `#indexes/${i.name}`,
            class: i.name === index.name ? 'active' : undefined,
            'data-testid': `index-${i.name}`,
          },
          `${i.name} (${i.kind}, ${count(i.itemCount)})`,
        ),
      ),
    ),
    h('h2', {}, `${index.kind} ${index.name}`),
    h('p', {}, index.purpose),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'partition key'),
      h('dd', {}, h('code', {}, index.partitionKey)),
      h('dt', {}, 'sort key'),
      h('dd', {}, h('code', {}, index.sortKey)),
      h('dt', {}, 'projection'),
      h('dd', {}, projectionText(index.projection)),
      h('dt', {}, 'items'),
      h(
        'dd',
        { 'data-testid': 'index-count' },
        `${count(index.itemCount)} of the table's ${count(overview.itemCount)} (${share.toFixed(share < 1 ? 2 : 1)}%)`,
      ),
    ),
    body,
  );
  itemsView(body, index.name);
}
