import { Attr, GlobalIndexes, LocalIndexes, TableKeys } from '../../../lambdas/model/table-design';

const globals = Object.values(GlobalIndexes);
const locals = Object.values(LocalIndexes);
const keyNames = new Set<string>([
  TableKeys.partitionKey.name,
  TableKeys.sortKey.name,
  ...globals.flatMap((g) => [g.partitionKey.name, g.sortKey.name]),
  ...locals.map((l) => l.sortKey.name),
]);

describe('table design', () => {
  test('index names are unique', () => {
    const names = [...globals, ...locals].map((index) => index.indexName);
    expect(new Set(names).size).toBe(names.length);
  });

  test('every key attribute is a named attribute of the design', () => {
    const declared = new Set<string>(Object.values(Attr));
    for (const name of keyNames) expect(declared.has(name)).toBe(true);
  });

  test('an attribute used as a key has one type everywhere', () => {
    const types = new Map<string, string>();
    const keys = [
      TableKeys.partitionKey,
      TableKeys.sortKey,
      ...globals.flatMap((g) => [g.partitionKey, g.sortKey]),
      ...locals.map((l) => l.sortKey),
    ];
    for (const key of keys) {
      expect(types.get(key.name) ?? key.type).toBe(key.type);
      types.set(key.name, key.type);
    }
  });

  test('INCLUDE projections list only non-key attributes (DynamoDB rejects key attributes there)', () => {
    for (const index of [...globals, ...locals]) {
      if (index.projection.type !== 'INCLUDE') continue;
      for (const attribute of index.projection.nonKeyAttributes) expect(keyNames.has(attribute)).toBe(false);
    }
  });

  test('stays within DynamoDB limits: 20 GSIs, 5 LSIs, 100 projected non-key attributes', () => {
    expect(globals.length).toBeLessThanOrEqual(20);
    expect(locals.length).toBeLessThanOrEqual(5);
    const projected = new Set(
      [...globals, ...locals].flatMap((i) => (i.projection.type === 'INCLUDE' ? i.projection.nonKeyAttributes : [])),
    );
    expect(projected.size).toBeLessThanOrEqual(100);
  });
});
