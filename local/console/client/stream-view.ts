/**
 * The stream: a live tail of the table's stream records, newest first, with each consumer's
 * filter match, batch (its invocation number) and outcome, and the fulfilment runs the record's
 * event started. Polls the console API every second while the view is open.
 */
import type { TailRecord } from '../server/stream-tail';
import { getJson } from './api';
import { fill, h } from './dom';
import { entityBadge } from './entities';

const POLL_MS = 1_000;
const SHOWN = 200;

let stopPolling: (() => void) | undefined;

/** Stop the tail when another view opens. */
export const leaveStream = (): void => {
  stopPolling?.();
  stopPolling = undefined;
};

/** `PK / SK`, whatever order the stream gave the key's attributes in. */
const describeKeys = ({ PK, SK, ...others }: TailRecord['keys']) =>
  [PK, SK, ...Object.values(others)]
    .filter((v) => v !== undefined)
    .map(String)
    .join(' / ');

function row(record: TailRecord): HTMLElement {
  const time = record.createdAt === undefined ? '' : new Date(record.createdAt * 1000).toISOString().slice(11, 19);
  const status = record.newImage?.status ?? record.oldImage?.status;
  return h(
    'tr',
    { 'data-testid': 'stream-record', 'data-event-id': record.eventId, 'data-keys': describeKeys(record.keys) },
    h('td', {}, time),
    h('td', {}, record.eventName),
    h(
      'td',
      {},
      h('code', {}, describeKeys(record.keys)),
      ' ',
      entityBadge(record.entityType),
      status === undefined ? null : ` ${String(status)}`,
    ),
    h(
      'td',
      {},
      ...Object.entries(record.consumers)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, view]) =>
          h(
            'div',
            {
              class: `consumer state-${view.state.replace(/[^a-z]+/g, '-')}`,
              'data-testid': 'consumer',
              'data-consumer': name,
              'data-state': view.state,
              title: view.error ?? '',
            },
            h('strong', {}, name),
            `: ${view.state}`,
            view.batches.length === 0 ? '' : ` (batch ${view.batches.join(', ')})`,
            view.window === undefined ? '' : `, window ${view.window.slice(11, 19)}`,
          ),
        ),
    ),
    h(
      'td',
      {},
      ...record.runs.map((run) =>
        h(
          'div',
          { 'data-testid': 'run', 'data-status': run.status },
          `${run.rule} #${run.runId}: ${[...run.steps, run.status].join(' → ')}`,
        ),
      ),
    ),
  );
}

export function streamView(container: HTMLElement): void {
  leaveStream();
  const records = new Map<string, TailRecord>();
  let since = 0;
  const body = h('tbody', { 'data-testid': 'stream-records' });
  const status = h('p', { class: 'muted', 'data-testid': 'stream-status' }, 'Waiting for stream records…');
  fill(
    container,
    h('h2', {}, 'Stream'),
    h(
      'p',
      { class: 'muted' },
      'Each record the stream pump read, newest first; for each consumer, whether its filter let the record through, the invocation (batch) it went in and how that ended; and the fulfilment runs its event started.',
    ),
    status,
    h(
      'table',
      { class: 'stream' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'time'),
          h('th', {}, 'event'),
          h('th', {}, 'keys'),
          h('th', {}, 'consumers'),
          h('th', {}, 'fulfilment runs'),
        ),
      ),
      body,
    ),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  let open = true;
  const poll = async () => {
    try {
      const changed = await getJson<{ version: number; records: TailRecord[] }>('/stream', { since: String(since) });
      since = changed.version;
      for (const record of changed.records) {
        records.delete(record.eventId);
        records.set(record.eventId, record);
      }
      if (changed.records.length > 0) {
        const newest = [...records.values()]
          .sort((a, b) => (BigInt(b.sequenceNumber) > BigInt(a.sequenceNumber) ? 1 : -1))
          .slice(0, SHOWN);
        fill(body, ...newest.map(row));
        fill(
          status,
          `${records.size} records seen since the page opened (the newest ${Math.min(SHOWN, records.size)} shown).`,
        );
      }
    } catch (error) {
      fill(status, h('span', { class: 'error' }, (error as Error).message));
    }
    if (open) timer = setTimeout(poll, POLL_MS);
  };
  stopPolling = () => {
    open = false;
    if (timer !== undefined) clearTimeout(timer);
  };
  void poll();
}
