import { matchesFilters, parsePatterns } from '../../local/emulation/streams/filter-criteria';

const insertOrder = {
  eventName: 'INSERT',
  userIdentity: undefined,
  dynamodb: {
    Keys: { PK: { S: 'CUSTOMER#c-1' }, SK: { S: 'ORDER#o-1' } },
    NewImage: { entityType: { S: 'Order' }, status: { S: 'PLACED' }, orderTotalCents: { N: '4200' } },
  },
};
const ttlDelete = {
  eventName: 'REMOVE',
  userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
  dynamodb: {
    Keys: { PK: { S: 'CUSTOMER#c-1' }, SK: { S: 'CART#PEN-01' } },
    OldImage: { entityType: { S: 'CartLine' } },
  },
};

const patterns = (...objects: object[]) => parsePatterns(objects.map((o) => ({ Pattern: JSON.stringify(o) })));

test('no filters let every record through; several filters are alternatives', () => {
  expect(matchesFilters([], insertOrder)).toBe(true);
  const either = patterns({ eventName: ['MODIFY'] }, { eventName: ['INSERT'] });
  expect(matchesFilters(either, insertOrder)).toBe(true);
  expect(matchesFilters(either, ttlDelete)).toBe(false);
});

test('nested fields must all match, and a leaf lists alternatives', () => {
  const orders = patterns({
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: { NewImage: { entityType: { S: ['Order'] } } },
  });
  expect(matchesFilters(orders, insertOrder)).toBe(true);
  expect(matchesFilters(orders, { ...insertOrder, eventName: 'REMOVE' })).toBe(false);
  expect(matchesFilters(orders, ttlDelete)).toBe(false);
});

test('prefix, anything-but and equals-ignore-case compare strings', () => {
  expect(matchesFilters(patterns({ dynamodb: { Keys: { SK: { S: [{ prefix: 'CART#' }] } } } }), ttlDelete)).toBe(true);
  expect(matchesFilters(patterns({ dynamodb: { Keys: { SK: { S: [{ prefix: 'CART#' }] } } } }), insertOrder)).toBe(
    false,
  );
  expect(matchesFilters(patterns({ eventName: [{ 'anything-but': ['REMOVE'] }] }), insertOrder)).toBe(true);
  expect(matchesFilters(patterns({ eventName: [{ 'anything-but': ['REMOVE'] }] }), ttlDelete)).toBe(false);
  expect(matchesFilters(patterns({ eventName: [{ 'equals-ignore-case': 'insert' }] }), insertOrder)).toBe(true);
});

test('exists matches on presence, which is how TTL deletions are told from user deletions', () => {
  const byService = patterns({ eventName: ['REMOVE'], userIdentity: { principalId: ['dynamodb.amazonaws.com'] } });
  expect(matchesFilters(byService, ttlDelete)).toBe(true);
  expect(matchesFilters(byService, { ...ttlDelete, userIdentity: undefined })).toBe(false);
  expect(matchesFilters(patterns({ dynamodb: { OldImage: [{ exists: false }] } }), insertOrder)).toBe(true);
  expect(matchesFilters(patterns({ dynamodb: { NewImage: [{ exists: true }] } }), insertOrder)).toBe(true);
  expect(matchesFilters(patterns({ dynamodb: { NewImage: [{ exists: true }] } }), ttlDelete)).toBe(false);
});

test('numeric compares numbers with every condition given', () => {
  const record = { size: 10 };
  expect(matchesFilters(patterns({ size: [{ numeric: ['>', 5, '<=', 10] }] }), record)).toBe(true);
  expect(matchesFilters(patterns({ size: [{ numeric: ['>', 10] }] }), record)).toBe(false);
  expect(matchesFilters(patterns({ size: [{ numeric: ['=', 10] }] }), { size: '10' })).toBe(false);
});

test('a list value matches if any element does; null matches only null', () => {
  expect(matchesFilters(patterns({ tags: ['b'] }), { tags: ['a', 'b'] })).toBe(true);
  expect(matchesFilters(patterns({ tags: ['c'] }), { tags: ['a', 'b'] })).toBe(false);
  expect(matchesFilters(patterns({ note: [null] }), { note: null })).toBe(true);
  expect(matchesFilters(patterns({ note: [null] }), {})).toBe(false);
});

test('operators outside the supported subset are refused by name', () => {
  expect(() => matchesFilters(patterns({ eventName: [{ wildcard: 'IN*' }] }), insertOrder)).toThrow(
    'unsupported filter operator "wildcard"',
  );
  expect(() => parsePatterns([{ Pattern: '[1]' }])).toThrow('filter 0 must be a JSON object');
});
