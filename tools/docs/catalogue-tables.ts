/**
 * The tables that document the API catalogue: the access patterns and workflows of
 * docs/access-patterns.md, and the short route table of the README.
 */
import {
  type DocumentedCapacity,
  type DynamoRequest,
  isWrite,
  type PatternSpec,
  patternList,
  type RouteSpec,
} from '../../lambdas/model/api-catalogue';
import { GlobalIndexes, LocalIndexes } from '../../lambdas/model/table-design';
import { table } from './markdown';

type Pattern = ReturnType<typeof patternList>[number];

const code = (text: string) => `\`${text}\``;

const LOCAL_INDEX_NAMES = new Set<string>(Object.values(LocalIndexes).map((i) => i.indexName));
const GLOBAL_INDEX_NAMES = new Set<string>(Object.values(GlobalIndexes).map((i) => i.indexName));

/** `table`, `GSI1`, `GSI OrdersByStatus`, `LSI OrdersByTotal`. */
function indexLabel(index: string | undefined): string {
  if (index === undefined) return 'table';
  if (LOCAL_INDEX_NAMES.has(index)) return `LSI ${index}`;
  if (GLOBAL_INDEX_NAMES.has(index) && !index.startsWith('GSI')) return `GSI ${index}`;
  return index;
}

/** The route with the query string it reads, or the variant that selects this pattern. */
function routeWithQuery(pattern: Pattern): string {
  const { route } = pattern;
  const [method, path] = route.route.split(' ');
  if (pattern.variant?.startsWith('?')) return code(`${method} ${path}${pattern.variant}`);
  // A route whose variants are chosen by the query string shows it with theirs, not with its own.
  const chosenByQuery = route.patterns.some((p) => p.variant?.startsWith('?'));
  const query =
    chosenByQuery || route.query === undefined || route.query.length === 0 ? '' : `?${route.query.join('&')}`;
  const variant = pattern.variant === undefined || route.patterns[0] === pattern ? '' : ` (${pattern.variant})`;
  return `${code(`${method} ${path}${query}`)}${variant}`;
}

const isRead = (request: DynamoRequest) => !isWrite(request.operation);

/**
 * `eventual`, `strong`, `transactional`, `eventual read` (a write after a read), or `n/a`, of the
 * requests every call makes (the conditional ones are listed on their own).
 */
export function consistencyOf(requests: readonly DynamoRequest[]): string {
  const reads = requests.filter((r) => isRead(r) && r.onlyWhen === undefined);
  if (reads.some((r) => r.operation === 'TransactGetItems')) return 'transactional';
  if (reads.length === 0) return 'n/a';
  const level = reads.some((r) => r.consistent === true) ? 'strong' : 'eventual';
  return requests.some((r) => isWrite(r.operation)) ? `${level} read` : level;
}

const units = (figures: { readonly read?: number; readonly write?: number }) =>
  [
    ...(figures.read === undefined || figures.read === 0 ? [] : [`${figures.read} RCU`]),
    ...(figures.write === undefined || figures.write === 0 ? [] : [`${figures.write} WCU`]),
  ].join(' + ') || '0';

/** `0.5 RCU (page of 10)`, `2 WCU (bills 4 WCU)`. */
export function capacityOf(capacity: DocumentedCapacity): string {
  const notes = [
    ...(capacity.scenario === undefined ? [] : [capacity.scenario]),
    ...(capacity.bills === undefined ? [] : [`bills ${units(capacity.bills)}`]),
  ];
  return `${units(capacity)}${notes.length === 0 ? '' : ` (${notes.join('; ')})`}`;
}

const tableOrIndex = (pattern: PatternSpec, route: RouteSpec) =>
  route.kind === 'workflow' ? route.writes : [...new Set(pattern.requests.map((r) => indexLabel(r.index)))].join(', ');

/** The columns every table of patterns shares, around the ones of its kind. */
function patternRows<K extends RouteSpec['kind']>(
  kind: K,
  ownColumns: (route: Extract<RouteSpec, { kind: K }>) => readonly string[],
): string[][] {
  return patternList()
    .filter((p) => p.route.kind === kind)
    .map((p) => {
      const route = p.route as Extract<RouteSpec, { kind: K }> & { readonly id: string };
      return [
        String(p.number),
        p.title,
        routeWithQuery(p),
        route.audience,
        code(route.id),
        route.operation,
        tableOrIndex(p, route),
        ...ownColumns(route),
        consistencyOf(p.requests),
        capacityOf(p.capacity),
      ];
    });
}

const header = (title: string, own: readonly string[]) => [
  '#',
  title,
  'Route',
  'Caller',
  'Data function',
  'Operation',
  'Table / index',
  ...own,
  'Consistency',
  'Capacity per call (scenario)',
];

/** The access patterns: reads, and the single-item writes of the cart. */
export const patternsTable = (): string =>
  table(
    header('Access pattern', ['Key condition', 'Filter / projection']),
    patternRows('pattern', (route) => [route.keyCondition, route.filter]),
  );

/** The workflows: transactions and conditional writes, all or nothing. */
export const workflowsTable = (): string =>
  table(
    header('Workflow', ['Items and conditions', 'Guarantee']),
    patternRows('workflow', (route) => [route.items, route.guarantee]),
  );

/** Requests a pattern makes only in some cases, as a list under the tables. */
export function conditionalRequests(): string {
  const lines = patternList().flatMap((p) =>
    p.requests
      .filter((r) => r.onlyWhen !== undefined)
      .map((r) => `- #${p.number} also makes a ${r.operation} when ${r.onlyWhen}.`),
  );
  return lines.join('\n');
}

/** The patterns whose reads go through the DAX cluster with `-c dax=true`: the routes marked `cached`. */
export function cachedReads(): string {
  return patternList()
    .filter((p) => p.route.cached === true)
    .map((p) => {
      const where = [...new Set(p.requests.map((r) => `${r.operation} on ${indexLabel(r.index)}`))].join(', ');
      return `- #${p.number} ${code(p.route.id)}, ${where}. A hit consumes nothing; a miss what the call consumes without DAX: ${capacityOf(p.capacity)}.`;
    })
    .join('\n');
}

/** The README's short table: every route, who calls it, and the patterns behind it. */
export function routesTable(): string {
  const rows = patternList().map((p) => [String(p.number), p.title, routeWithQuery(p), p.route.audience]);
  return table(['#', 'access pattern or workflow', 'route', 'caller'], rows);
}
