/**
 * Pages of items grouped by partition key, for the table and for each index: search by
 * partition-key prefix, next and previous page (cursors from the console API, which pages through
 * DynamoDB Local; the browser holds one page at a time), and the Scan that read the page.
 */
import { getJson } from './api';
import { count, fill, h, units } from './dom';
import { entityBadge, entityClass, legend } from './entities';

type Plain = string | number | boolean | null | Plain[] | { [name: string]: Plain };

interface ItemsPage {
  readonly partitions: readonly {
    readonly partitionKey: string;
    readonly items: readonly {
      readonly sortKey: string;
      readonly entityType: string;
      readonly item: Record<string, Plain>;
    }[];
  }[];
  readonly itemCount: number;
  readonly cursor?: string;
  readonly keys: { readonly partitionKey: string; readonly sortKey: string };
  readonly request: {
    readonly limit: number;
    readonly filter?: string;
    readonly calls: number;
    readonly scannedCount: number;
    readonly consumedReadUnits: number;
  };
}

const PAGE_SIZES = ['50', '100', '250', '500'];

/** The view of one source: the table (no index) or an index. */
export function itemsView(container: HTMLElement, index?: string): void {
  const cursors: (string | undefined)[] = [undefined];
  let page = 0;
  const prefix = h('input', {
    type: 'search',
    placeholder: 'partition key prefix, e.g. CUSTOMER#',
    'data-testid': 'prefix',
    size: 40,
  });
  const size = h(
    'select',
    { 'data-testid': 'page-size' },
    ...PAGE_SIZES.map((s) => h('option', { value: s, selected: s === '100' }, s)),
  );
  const previous = h('button', { type: 'button', 'data-testid': 'previous-page' }, '◀ Previous');
  const next = h('button', { type: 'button', 'data-testid': 'next-page' }, 'Next ▶');
  const status = h('p', { class: 'request', 'data-testid': 'page-request' });
  const list = h('div', { class: 'partitions', 'data-testid': 'partitions', 'data-source': index ?? 'table' });

  const load = async () => {
    status.textContent = 'Reading…';
    list.setAttribute('aria-busy', 'true');
    list.removeAttribute('data-loaded');
    try {
      const result = await getJson<ItemsPage>('/items', {
        index,
        prefix: prefix.value,
        limit: size.value,
        cursor: cursors[page],
      });
      cursors[page + 1] = result.cursor;
      previous.disabled = page === 0;
      next.disabled = result.cursor === undefined;
      const { request } = result;
      fill(
        status,
        `Page ${page + 1}: Scan${index === undefined ? '' : ` of ${index}`}, Limit ${request.limit}`,
        request.filter === undefined ? '' : `, filter ${request.filter}`,
        ` — ${request.calls} ${request.calls === 1 ? 'call' : 'calls'}, ${count(request.scannedCount)} items read, `,
        `${count(result.itemCount)} shown in ${result.partitions.length} partitions, ${units(request.consumedReadUnits)} RCU`,
        result.cursor === undefined ? ` — end of the ${index === undefined ? 'table' : 'index'}` : '',
      );
      fill(list, ...result.partitions.map((p) => partitionBlock(p, result.keys, index)));
      if (result.partitions.length === 0) fill(list, h('p', { class: 'muted', 'data-testid': 'empty' }, 'No items.'));
    } catch (error) {
      fill(status, h('span', { class: 'error' }, (error as Error).message));
    } finally {
      list.removeAttribute('aria-busy');
      list.setAttribute('data-loaded', String(page + 1));
    }
  };

  const restart = () => {
    cursors.length = 1;
    page = 0;
    void load();
  };
  prefix.addEventListener('change', restart);
  size.addEventListener('change', restart);
  previous.addEventListener('click', () => {
    page = Math.max(0, page - 1);
    void load();
  });
  next.addEventListener('click', () => {
    page += 1;
    void load();
  });
  fill(
    container,
    h('div', { class: 'toolbar' }, prefix, ' ', size, ' items per page ', previous, next),
    legend(),
    status,
    list,
  );
  void load();
}

function partitionBlock(
  partition: ItemsPage['partitions'][number],
  keys: ItemsPage['keys'],
  index: string | undefined,
): HTMLElement {
  const types = [...new Set(partition.items.map((i) => i.entityType))];
  return h(
    'section',
    { class: 'partition', 'data-testid': 'partition', 'data-pk': partition.partitionKey },
    h(
      'h3',
      {},
      h('code', {}, `${keys.partitionKey} = ${partition.partitionKey}`),
      h('span', { class: 'muted' }, ` ${partition.items.length} ${partition.items.length === 1 ? 'item' : 'items'}: `),
      ...types.map(entityBadge),
    ),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, keys.sortKey),
          h('th', {}, 'entity'),
          h('th', {}, index === undefined ? 'attributes' : 'projected attributes'),
        ),
      ),
      h(
        'tbody',
        {},
        ...partition.items.map((entry) =>
          h(
            'tr',
            { class: entityClass(entry.entityType), 'data-testid': 'item', 'data-entity': entry.entityType },
            h('td', {}, h('code', {}, entry.sortKey)),
            h('td', {}, entityBadge(entry.entityType)),
            h('td', {}, attributesCell(entry.item, keys, index !== undefined)),
          ),
        ),
      ),
    ),
  );
}

function attributesCell(item: Record<string, Plain>, keys: ItemsPage['keys'], projected: boolean): HTMLElement {
  const names = Object.keys(item).filter((n) => n !== keys.partitionKey && n !== keys.sortKey);
  const summary = projected
    ? names.join(', ')
    : names
        .filter((n) => n !== 'entityType')
        .slice(0, 6)
        .join(', ') + (names.length > 7 ? ', …' : '');
  return h(
    'details',
    {},
    h('summary', { 'data-testid': 'attribute-names' }, summary || '(keys only)'),
    h('pre', {}, JSON.stringify(item, null, 2)),
  );
}
