import { matchesFilters, parsePatterns } from '../../local/emulation/streams/filter-criteria';
import { PATTERN_CASES } from '../fixtures/filter-pattern-cases';

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
  const hasNewEntity = patterns({ dynamodb: { NewImage: { entityType: { S: [{ exists: true }] } } } });
  expect(matchesFilters(hasNewEntity, insertOrder)).toBe(true);
  expect(matchesFilters(hasNewEntity, ttlDelete)).toBe(false);
});

test('exists sees only leaves: an image is an object, so it never "exists", and an absent parent has no leaves', () => {
  expect(matchesFilters(patterns({ dynamodb: { NewImage: [{ exists: true }] } }), insertOrder)).toBe(false);
  expect(
    matchesFilters(patterns({ dynamodb: { OldImage: { status: { S: [{ exists: false }] } } } }), insertOrder),
  ).toBe(true);
  expect(matchesFilters(patterns({ dynamodb: { OldImage: { status: { S: [{ exists: true }] } } } }), insertOrder)).toBe(
    false,
  );
});

test('anything-but refuses the values, prefixes, suffixes or case-folded values it names, and needs a value', () => {
  const eventName = (operand: unknown) => patterns({ eventName: [{ 'anything-but': operand }] });
  expect(matchesFilters(eventName({ prefix: 'INS' }), insertOrder)).toBe(false);
  expect(matchesFilters(eventName({ prefix: 'REM' }), insertOrder)).toBe(true);
  expect(matchesFilters(eventName({ suffix: 'ERT' }), insertOrder)).toBe(false);
  expect(matchesFilters(eventName({ 'equals-ignore-case': ['remove', 'insert'] }), insertOrder)).toBe(false);
  expect(matchesFilters(eventName({ 'equals-ignore-case': 'remove' }), insertOrder)).toBe(true);
  expect(matchesFilters(eventName('REMOVE'), insertOrder)).toBe(true);
  expect(matchesFilters(patterns({ missing: [{ 'anything-but': 'x' }] }), insertOrder)).toBe(false);
});

test('$or matches when any of its patterns does, alongside the other fields', () => {
  const either = patterns({
    eventName: ['REMOVE'],
    $or: [{ userIdentity: { type: ['Service'] } }, { dynamodb: { NewImage: [{ exists: true }] } }],
  });
  expect(matchesFilters(either, ttlDelete)).toBe(true);
  expect(matchesFilters(either, { ...ttlDelete, userIdentity: undefined })).toBe(false);
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

test('operators outside the supported subset are refused by name, even where no record reaches them', () => {
  expect(() => patterns({ eventName: [{ wildcard: 'IN*' }] })).toThrow('unsupported filter operator "wildcard"');
  expect(() => patterns({ absent: { deeper: [{ cidr: '10.0.0.0/24' }] } })).toThrow(
    'unsupported filter operator "cidr" at "absent.deeper"',
  );
  expect(() => patterns({ eventName: [{ 'anything-but': { wildcard: 'IN*' } }] })).toThrow(
    'unsupported filter at "eventName": {"anything-but":{"wildcard":"IN*"}}',
  );
  expect(() => patterns({ eventName: [{ 'anything-but': ['A', 1] }] })).toThrow('unsupported filter at "eventName"');
  expect(() => patterns({ eventName: [] })).toThrow('unsupported filter at "eventName": []');
  expect(() => patterns({ eventName: 'INSERT' })).toThrow('unsupported filter at "eventName": "INSERT"');
  expect(() => patterns({ size: [{ numeric: ['>', '5'] }] })).toThrow('unsupported filter at "size"');
  expect(() => parsePatterns([{ Pattern: '[1]' }])).toThrow('filter 0 must be a JSON object');
});

test('patterns that did not come through parsePatterns (EventBridge rules) are checked before matching', () => {
  const rule = { detail: { status: [{ wildcard: 'PAID*' }] } };
  expect(() => matchesFilters([rule], { source: 'x' })).toThrow(
    'unsupported filter operator "wildcard" at "detail.status"',
  );
});

test.each(PATTERN_CASES)('AWS semantics: $name', ({ pattern, record, expected }) => {
  expect(matchesFilters(patterns(pattern), record)).toBe(expected);
});
