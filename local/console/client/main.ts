/**
 * The local console's page: four views (table, indexes, access patterns, stream), chosen by the
 * URL's hash (`#indexes/AwaitingShipment`, `#patterns/10`), each drawn from the console API.
 */
import { getJson, type Overview } from './api';
import { count, fill, h } from './dom';
import { setEntityTypes } from './entities';
import { indexView } from './index-view';
import { patternsView } from './patterns-view';
import { leaveStream, streamView } from './stream-view';
import { tableView } from './table-view';

const view = document.getElementById('view') as HTMLElement;
const summary = document.getElementById('table-summary') as HTMLElement;

async function show(): Promise<void> {
  const [name = 'table', argument] = location.hash.slice(1).split('/');
  for (const link of document.querySelectorAll('nav a[data-view]'))
    link.classList.toggle('active', link.getAttribute('data-view') === name);
  leaveStream();
  try {
    const overview = await getJson<Overview>('/table');
    setEntityTypes(overview.entityTypes);
    fill(summary, `${overview.tableName}: ${count(overview.itemCount)} items, ${overview.indexes.length} indexes`);
    if (name === 'indexes') indexView(view, overview, argument);
    else if (name === 'patterns') await patternsView(view, argument === undefined ? undefined : Number(argument));
    else if (name === 'stream') streamView(view);
    else tableView(view, overview);
    view.setAttribute('data-view', name);
  } catch (error) {
    fill(view, h('p', { class: 'error' }, `The console could not load: ${(error as Error).message}`));
  }
}

window.addEventListener('hashchange', () => void show());
void show();
