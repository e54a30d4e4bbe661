/**
 * The access patterns: each pattern of the API catalogue with a form for its parameters; running
 * it calls the app's own route (through the console API) and shows the request made to DynamoDB,
 * the items returned, the capacity consumed beside the documented figure, and what the pattern
 * costs a month at a rate the user enters (on demand and provisioned, from the one price table).
 */

import { DEFAULT_TARGET_UTILIZATION_PERCENT } from '../../../lambdas/model/table-design';
import type { DynamoDbPrices } from '../../../lib/dynamodb-prices';
import { monthlyCost } from '../cost';
import type { CapturedRequest } from '../server/captured-requests';
import type { PatternForm, PatternRun } from '../server/patterns';
import { ApiError, getJson, postJson } from './api';
import { type Child, count, fill, h, units } from './dom';

interface Examples {
  readonly customerId?: string;
  readonly orderId?: string;
  readonly sku?: string;
  readonly category?: string;
  readonly skus: readonly string[];
  readonly day: string;
  readonly monthAgoDay: string;
  readonly from: string;
  readonly to: string;
}

let catalogue: Promise<{ prices: DynamoDbPrices; patterns: PatternForm[] }> | undefined;

const usd = (n: number) => `$${n < 10 ? n.toFixed(2) : count(Math.round(n))}`;

export async function patternsView(container: HTMLElement, selected: number | undefined): Promise<void> {
  catalogue ??= getJson('/patterns');
  const [{ prices, patterns }, examples] = await Promise.all([catalogue, getJson<Examples>('/examples')]);
  const form = patterns.find((p) => p.number === selected) ?? patterns[0];
  if (form === undefined) return;
  const detail = h('div', { class: 'pattern', 'data-testid': 'pattern-detail', 'data-number': form.number });
  fill(
    container,
    h(
      'div',
      { class: 'columns' },
      h(
        'ol',
        { class: 'pattern-list' },
        ...patterns.map((p) =>
          h(
            'li',
            { value: p.number },
            h(
              'a',
              {
                href: `#patterns/${p.number}`,
                class: p.number === form.number ? 'active' : undefined,
                'data-testid': `pattern-${p.number}`,
              },
              p.title,
            ),
          ),
        ),
      ),
      detail,
    ),
  );
  renderPattern(detail, form, examples, prices);
}

/** A field's starting value: what the pattern implies, else a value from the table. */
function startingValue(form: PatternForm, field: PatternForm['fields'][number], examples: Examples): string {
  if (field.value !== undefined) return field.value;
  const days = form.routeId === 'listProductSales';
  const fromTable: Record<string, string | undefined> = {
    customerId: examples.customerId,
    orderId: examples.orderId,
    sku: examples.sku,
    category: examples.category,
    day: examples.day,
    skus: examples.skus.join(','),
    from: days ? examples.monthAgoDay : examples.from,
    to: days ? examples.day : examples.to,
  };
  return fromTable[field.name] ?? '';
}

function startingBody(form: PatternForm, examples: Examples): string {
  const [a = '<sku>', b = a, c = b] = examples.skus;
  return (form.body ?? '').replace('<sku2>', b).replace('<sku3>', c).replaceAll('<sku>', a);
}

function renderPattern(detail: HTMLElement, form: PatternForm, examples: Examples, prices: DynamoDbPrices): void {
  const inputs = form.fields.map((field) => ({
    field,
    input: h('input', {
      name: field.name,
      value: startingValue(form, field, examples),
      'data-testid': `field-${field.name}`,
      size: 44,
    }),
  }));
  const body =
    form.body === undefined
      ? undefined
      : h('textarea', { rows: 6, cols: 60, 'data-testid': 'body' }, startingBody(form, examples));
  const run = h('button', { type: 'button', 'data-testid': 'run' }, `Run ${form.method} ${form.path}`);
  const result = h('div', { 'data-testid': 'run-result' });
  const rate = h('input', { type: 'number', min: 0, step: 'any', value: 10, 'data-testid': 'rate', size: 8 });
  const cost = h('p', { 'data-testid': 'cost' });
  const showCost = () => {
    const perSecond = Number(rate.value);
    if (!Number.isFinite(perSecond) || perSecond < 0)
      return fill(cost, h('span', { class: 'error' }, 'The rate must be a number of requests a second, 0 or more.'));
    const c = monthlyCost(form.capacity, perSecond, prices);
    fill(
      cost,
      `On demand: ${usd(c.onDemandUsd)} a month (${count(Math.round(c.readUnitsPerMonth))} read and ${count(Math.round(c.writeUnitsPerMonth))} write request units). `,
      `Provisioned: ${usd(c.provisioned.usd)} a month for ${units(c.provisioned.readCapacityUnits)} RCU and ${units(c.provisioned.writeCapacityUnits)} WCU held at ${DEFAULT_TARGET_UTILIZATION_PERCENT}% utilization. `,
      h('span', { class: 'muted' }, `Prices: ${prices.region}, ${prices.date} (lib/dynamodb-prices.ts).`),
    );
  };
  rate.addEventListener('input', showCost);
  showCost();

  run.addEventListener('click', async () => {
    run.disabled = true;
    fill(result, h('p', { class: 'muted' }, 'Running…'));
    try {
      const payload = {
        path: Object.fromEntries(inputs.filter((i) => i.field.in === 'path').map((i) => [i.field.name, i.input.value])),
        query: Object.fromEntries(
          inputs.filter((i) => i.field.in === 'query').map((i) => [i.field.name, i.input.value]),
        ),
        ...(body === undefined ? {} : { body: body.value }),
      };
      renderRun(result, await postJson<PatternRun>(`/patterns/${form.number}/run`, payload));
    } catch (error) {
      const message =
        error instanceof ApiError && error.body.field !== undefined
          ? `${error.body.field} ${error.body.rule}`
          : (error as Error).message;
      fill(result, h('p', { class: 'error', 'data-testid': 'run-error' }, message));
    } finally {
      run.disabled = false;
    }
  });

  const documented = form.capacity;
  fill(
    detail,
    h('h2', {}, `#${form.number} ${form.title}`),
    h(
      'p',
      {},
      h('code', {}, `${form.method} ${form.path}`),
      ` — ${form.audience}, ${form.kind === 'pattern' ? 'access pattern' : 'workflow'}: ${form.operation}`,
    ),
    h('dl', { class: 'facts' }, ...Object.entries(form.details).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h(
      'p',
      {},
      'Documented: ',
      form.requests
        .map(
          (r) =>
            `${r.operation}${r.index === undefined ? '' : ` on ${r.index}`}${r.consistent ? ' (strongly consistent)' : ''}${r.onlyWhen === undefined ? '' : ` (only when ${r.onlyWhen})`}`,
        )
        .join(', then '),
      `; ${units(documented.read ?? 0)} RCU, ${units(documented.write ?? 0)} WCU`,
      documented.scenario === undefined ? '' : ` for ${documented.scenario}`,
      documented.bills === undefined
        ? ''
        : ` (DynamoDB bills ${units(documented.bills.read ?? 0)} RCU, ${units(documented.bills.write ?? 0)} WCU)`,
      '.',
    ),
    h(
      'form',
      { class: 'run-form' },
      ...inputs.map(({ field, input }) =>
        h('label', {}, h('span', {}, `${field.name}${field.in === 'query' ? ' (query)' : ''}`), input),
      ),
      body === undefined ? null : h('label', {}, h('span', {}, 'body (JSON)'), body),
      run,
    ),
    h('p', {}, 'Cost at ', rate, ' requests a second:'),
    cost,
    result,
  );
}

function renderRun(result: HTMLElement, run: PatternRun): void {
  const documented = { read: run.documented.read ?? 0, write: run.documented.write ?? 0 };
  const matches =
    units(run.consumed.read) === units(documented.read) && units(run.consumed.write) === units(documented.write);
  fill(
    result,
    h('h3', {}, `${run.request.method} ${run.request.url} → ${run.response.status}`),
    h(
      'p',
      { class: matches ? 'capacity ok' : 'capacity differs', 'data-testid': 'capacity' },
      'Consumed ',
      h('strong', { 'data-testid': 'consumed' }, `${units(run.consumed.read)} RCU, ${units(run.consumed.write)} WCU`),
      '; documented ',
      h('strong', { 'data-testid': 'documented' }, `${units(documented.read)} RCU, ${units(documented.write)} WCU`),
      matches
        ? ' — as documented.'
        : ` — differs from the documented scenario${run.documented.scenario === undefined ? '' : ` (${run.documented.scenario})`}.`,
    ),
    h('h4', {}, `Requests to DynamoDB (${run.dynamodb.length})`),
    ...run.dynamodb.map(requestBlock),
    h('h4', {}, 'Response body'),
    h('pre', { 'data-testid': 'response-body' }, JSON.stringify(run.response.body, null, 2)),
  );
}

function requestBlock(call: CapturedRequest, i: number): HTMLElement {
  const facts: [string, Child][] = [
    ['table', call.table],
    ['index', call.index ?? '(the table)'],
    ['key condition', call.keyCondition],
    ['key', call.key === undefined ? undefined : JSON.stringify(call.key)],
    ['filter', call.filter],
    ['projection', call.projection],
    ['condition', call.condition],
    ['update', call.update],
    ['names', call.names === undefined ? undefined : JSON.stringify(call.names)],
    ['values', call.values === undefined ? undefined : JSON.stringify(call.values)],
    ['consistency', call.consistent ? 'strongly consistent' : 'eventually consistent'],
    ['limit', call.limit],
    ['order', call.scanForward === false ? 'descending' : undefined],
    ['parts', call.parts === undefined ? undefined : call.parts.join('; ')],
    [
      'answer',
      `${call.statusCode}${call.error === undefined ? '' : ` ${call.error}`}, ${call.count ?? call.items.length} items${call.scannedCount === undefined ? '' : ` of ${call.scannedCount} read`}, ${call.ms} ms`,
    ],
    [
      'consumed',
      call.consumed.length === 0
        ? 'not reported (not asked for)'
        : call.consumed.map((c) => `${units(c.units)} on ${c.table}`).join(', '),
    ],
  ];
  return h(
    'section',
    { class: 'dynamodb-request', 'data-testid': 'dynamodb-request', 'data-operation': call.operation },
    h('h5', {}, `${i + 1}. ${call.operation}`),
    h(
      'dl',
      { class: 'facts' },
      ...facts
        .filter(([, v]) => v !== undefined && v !== '')
        .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, typeof v === 'string' ? h('code', {}, v) : v)]),
    ),
    call.items.length === 0
      ? null
      : h(
          'details',
          { open: call.items.length <= 5 },
          h('summary', {}, `Items returned (${call.items.length})`),
          ...call.items.map((item) => h('pre', { 'data-testid': 'returned-item' }, JSON.stringify(item, null, 2))),
        ),
  );
}
