/** The table: every item, grouped by partition key, coloured by entity type. */
import type { Overview } from './api';
import { count, fill, h } from './dom';
import { itemsView } from './items-view';

export function tableView(container: HTMLElement, overview: Overview): void {
  const body = h('div');
  fill(
    container,
    h('h2', {}, `Table ${overview.tableName}`),
    h(
      'p',
      { class: 'muted' },
      `${count(overview.itemCount)} items. Items that share a partition key form an item collection, read together by one Query; `,
      `the sort key (${overview.keys.sortKey}) orders them. Read page by page with Scan, as the page says below each search.`,
    ),
    body,
  );
  itemsView(body);
}
