/**
 * The API catalogue's own invariants, and that the engine tests check every pattern it lists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isWrite, patternList, routeList } from '../../../lambdas/model/api-catalogue';
import { FUNCTION_GROUPS, ROUTES, routesOfGroup } from '../../../lambdas/model/api-routes';

const INTEGRATION = join(__dirname, '..', '..', 'integration');

test('patterns are numbered 1 to N, each number once', () => {
  const numbers = patternList().map((p) => p.number);
  expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
});

test('every route key is unique and every path parameter is named once', () => {
  const keys = routeList().map((r) => r.route);
  expect(new Set(keys).size).toBe(keys.length);
  for (const key of keys) {
    expect(key).toMatch(/^(GET|POST|PUT|DELETE) \/[a-z-]+(\/([a-z-]+|\{[A-Za-z]+\}))*$/);
    const parameters = key.match(/\{\w+\}/g) ?? [];
    expect(new Set(parameters).size).toBe(parameters.length);
  }
});

test('every function group serves at least one route, and every route belongs to a group', () => {
  for (const group of Object.keys(FUNCTION_GROUPS) as (keyof typeof FUNCTION_GROUPS)[]) {
    expect([group, routesOfGroup(group).size > 0]).toEqual([group, true]);
  }
  for (const route of routeList()) expect(Object.keys(FUNCTION_GROUPS)).toContain(route.group);
});

test('routes that write are idempotent or single-item cart writes, and only the back office scans', () => {
  for (const route of routeList()) {
    const requests = route.patterns.flatMap((p) => p.requests);
    if (requests.some((r) => r.operation === 'Scan')) expect([route.id, route.audience]).toEqual([route.id, 'admin']);
    const transacts = requests.some((r) => r.operation === 'TransactWriteItems');
    if (transacts) expect([route.id, route.idempotent]).toEqual([route.id, true]);
    if (requests.some((r) => isWrite(r.operation)) && !transacts && route.idempotent !== true)
      expect([route.id, route.group]).toEqual([route.id, 'Cart']);
  }
});

test('groups that write name the partitions they write; read-only groups name none', () => {
  for (const [group, spec] of Object.entries(FUNCTION_GROUPS)) {
    const writes = routeList()
      .filter((r) => r.group === group)
      .some((r) => r.patterns.some((p) => p.requests.some((q) => isWrite(q.operation))));
    expect([group, 'writesTo' in spec]).toEqual([group, writes]);
  }
});

test('the engine tests check every pattern of the catalogue against DynamoDB Local', () => {
  const checked = new Set<string>();
  for (const file of readdirSync(INTEGRATION).filter((f) => f.endsWith('.test.ts'))) {
    const source = readFileSync(join(INTEGRATION, file), 'utf8');
    for (const [, number, id] of source.matchAll(/expectDocumented\(\s*(\d+),\s*'(\w+)'/g))
      checked.add(`${number} ${id}`);
  }
  const expected = patternList().map((p) => `${p.number} ${p.route.id}`);
  expect(expected.filter((p) => !checked.has(p))).toEqual([]);
  expect(Object.keys(ROUTES).length).toBe(routeList().length);
});

test('the cached routes are the catalogue reads: eventually consistent reads only, each the whole of its function', () => {
  const cached = routeList().filter((r) => r.cached === true);
  expect(cached.map((r) => r.id).sort()).toEqual(['getProduct', 'getProducts', 'listProductsByCategory']);
  for (const route of cached) {
    const requests = route.patterns.flatMap((p) => p.requests);
    expect({ route: route.id, writes: requests.some((r) => isWrite(r.operation)) }).toEqual({
      route: route.id,
      writes: false,
    });
    expect({ route: route.id, consistent: requests.some((r) => r.consistent === true) }).toEqual({
      route: route.id,
      consistent: false,
    });
    expect(requests.every((r) => ['GetItem', 'Query', 'BatchGetItem'].includes(r.operation))).toBe(true);
    // A function is placed in the cache's VPC as a whole: every route it serves must be cached.
    expect(routeList().filter((r) => r.group === route.group && r.cached !== true)).toEqual([]);
  }
});
