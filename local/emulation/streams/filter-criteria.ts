/**
 * Event patterns as Lambda applies them to stream records (an event source mapping's filters) and
 * as EventBridge applies them to events (a rule's pattern), for the local stream pump and the
 * local rules. Lambda's filters use EventBridge's syntax and semantics ("Filter rule syntax" in
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html).
 *
 * Semantics: a pattern is matched against the record's leaves, the values (string, number,
 * boolean or null) reached by following the pattern's field names; a list in the record stands for
 * each of its elements. Every field named in a pattern must match, and `$or` lists patterns of
 * which one must. A leaf of the pattern lists alternatives, any of which may match any value at
 * its path: a literal, or one of the operators `prefix`, `suffix` (each also as
 * `{"equals-ignore-case": ...}`), `equals-ignore-case`, `anything-but` (a value, a list, or
 * `{"prefix"|"suffix"|"equals-ignore-case": ...}`), `numeric` and `exists`. Anything else (such as
 * `wildcard` or `cidr`, which EventBridge has and Lambda does not document) is refused by name,
 * whether or not a record reaches it. The `anything-but` forms other than a value or a list are
 * EventBridge's (rules on a bus); its operator table marks them unsupported in Pipes, and Lambda's
 * lists only the plain form, so prefer that form in an event source mapping.
 *
 * Two consequences that are easy to get wrong, both as AWS documents them:
 * - A field holding an object is an intermediate node, not a leaf: `exists: true` does not match
 *   it (the Lambda page's "Exists operator only works on leaf nodes"; for a DynamoDB image, test
 *   `NewImage.status.S`, not `NewImage.status`).
 * - A path with no value matches `exists: false`, also when a parent object is missing:
 *   `{"a": {"b": [{"exists": false}]}}` matches a record without `a`.
 *
 * Not modelled: AWS compares numbers in literals by their JSON text (300 and 300.0 differ), which
 * `JSON.parse` has already lost; and EventBridge requires the fields matched inside a list of
 * objects to come from one element, where this matcher lets each field match any element. No
 * pattern in this application reaches into a list.
 */

export type FilterPattern = { readonly [field: string]: FilterPattern | readonly unknown[] };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Leaf = null | boolean | number | string;

const NUMERIC_OPERATORS = new Set(['=', '<', '<=', '>', '>=']);
/** The forms `anything-but` takes besides a value or a list of values. */
const ANYTHING_BUT_OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const isLeaf = (value: unknown): value is Leaf =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** Parse the `Pattern` strings of an event source mapping's `FilterCriteria.Filters`. */
export function parsePatterns(filters: readonly { readonly Pattern?: string }[]): FilterPattern[] {
  return filters.map((filter, i) => {
    if (filter.Pattern === undefined) throw new Error(`filter ${i} has no Pattern`);
    const pattern = JSON.parse(filter.Pattern) as unknown;
    if (!isObject(pattern)) throw new Error(`filter ${i} must be a JSON object, got ${filter.Pattern}`);
    checkPattern(pattern, '');
    return pattern as FilterPattern;
  });
}

function unsupported(path: string, what: unknown): Error {
  return new Error(`unsupported filter ${path === '' ? 'pattern' : `at "${path}"`}: ${JSON.stringify(what)}`);
}

/** A case-insensitive form of prefix or suffix: `{"equals-ignore-case": "text"}`. */
function ignoreCaseOperand(operand: unknown): string | undefined {
  if (!isObject(operand)) return undefined;
  const entries = Object.entries(operand);
  const [entry] = entries;
  return entries.length === 1 && entry?.[0] === 'equals-ignore-case' && typeof entry[1] === 'string'
    ? entry[1]
    : undefined;
}

function checkAnythingBut(operand: unknown, path: string): void {
  if (typeof operand === 'string' || typeof operand === 'number') return;
  if (Array.isArray(operand)) {
    const allStrings = operand.every((v) => typeof v === 'string');
    const allNumbers = operand.every((v) => typeof v === 'number');
    if (operand.length > 0 && (allStrings || allNumbers)) return;
  } else if (isObject(operand)) {
    const entries = Object.entries(operand);
    const [entry] = entries;
    if (entries.length === 1 && entry !== undefined && ANYTHING_BUT_OPERATORS.has(entry[0])) {
      const [name, inner] = entry;
      const ignoreCaseList =
        name === 'equals-ignore-case' &&
        Array.isArray(inner) &&
        inner.length > 0 &&
        inner.every((v) => typeof v === 'string');
      if (typeof inner === 'string' || ignoreCaseList) return;
    }
  }
  throw unsupported(path, { 'anything-but': operand });
}

/** Refuse anything but the supported forms, by name, before any record is matched. */
function checkAlternative(alternative: unknown, path: string): void {
  if (isLeaf(alternative)) return;
  if (!isObject(alternative)) throw unsupported(path, alternative);
  const entries = Object.entries(alternative);
  const [entry] = entries;
  if (entry === undefined || entries.length > 1) throw unsupported(path, alternative);
  const [operator, operand] = entry;
  switch (operator) {
    case 'exists':
      if (typeof operand === 'boolean') return;
      break;
    case 'prefix':
    case 'suffix':
      if (typeof operand === 'string' || ignoreCaseOperand(operand) !== undefined) return;
      break;
    case 'equals-ignore-case':
      if (typeof operand === 'string') return;
      break;
    case 'anything-but':
      checkAnythingBut(operand, path);
      return;
    case 'numeric': {
      const pairs = Array.isArray(operand) && operand.length > 0 && operand.length % 2 === 0;
      const valid =
        pairs &&
        operand.every((v, i) =>
          i % 2 === 0 ? typeof v === 'string' && NUMERIC_OPERATORS.has(v) : typeof v === 'number',
        );
      if (valid) return;
      break;
    }
    default:
      throw new Error(`unsupported filter operator "${operator}" at "${path}"`);
  }
  throw unsupported(path, alternative);
}

function checkPattern(pattern: Record<string, unknown>, path: string): void {
  for (const [field, expected] of Object.entries(pattern)) {
    const at = path === '' ? field : `${path}.${field}`;
    if (field === '$or') {
      if (!Array.isArray(expected) || expected.length === 0 || !expected.every(isObject))
        throw unsupported(at, expected);
      for (const alternative of expected) checkPattern(alternative, path);
    } else if (Array.isArray(expected)) {
      // EventBridge refuses an empty list ("Empty arrays are not allowed"): it would match nothing.
      if (expected.length === 0) throw unsupported(at, expected);
      for (const alternative of expected) checkAlternative(alternative, at);
    } else if (isObject(expected)) {
      checkPattern(expected, at);
    } else {
      throw unsupported(at, expected);
    }
  }
}

function matchesNumeric(conditions: readonly unknown[], value: Leaf): boolean {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < conditions.length; i += 2) {
    const operator = conditions[i] as string;
    const operand = conditions[i + 1] as number;
    const ok =
      operator === '='
        ? value === operand
        : operator === '<'
          ? value < operand
          : operator === '<='
            ? value <= operand
            : operator === '>'
              ? value > operand
              : value >= operand;
    if (!ok) return false;
  }
  return true;
}

function matchesText(value: Leaf, operand: unknown, test: (value: string, operand: string) => boolean): boolean {
  if (typeof value !== 'string') return false;
  const ignoringCase = ignoreCaseOperand(operand);
  return ignoringCase === undefined
    ? test(value, operand as string)
    : test(value.toLowerCase(), ignoringCase.toLowerCase());
}

function matchesAnythingBut(operand: unknown, value: Leaf): boolean {
  if (Array.isArray(operand)) return !operand.includes(value);
  if (!isObject(operand)) return value !== operand;
  const [[name, inner]] = Object.entries(operand) as [[string, unknown]];
  if (name === 'equals-ignore-case') {
    const excluded = (Array.isArray(inner) ? inner : [inner]) as string[];
    return typeof value !== 'string' || !excluded.some((e) => e.toLowerCase() === value.toLowerCase());
  }
  // A value that is not a string neither begins nor ends with the text, so it is not excluded.
  return !matchesOperator({ [name]: inner }, value);
}

/** Whether one (checked) alternative other than `exists` matches one leaf value. */
function matchesOperator(alternative: unknown, value: Leaf): boolean {
  if (isLeaf(alternative)) return value === alternative;
  const [[operator, operand]] = Object.entries(alternative as Record<string, unknown>) as [[string, unknown]];
  switch (operator) {
    case 'prefix':
      return matchesText(value, operand, (v, o) => v.startsWith(o));
    case 'suffix':
      return matchesText(value, operand, (v, o) => v.endsWith(o));
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === (operand as string).toLowerCase();
    case 'anything-but':
      return matchesAnythingBut(operand, value);
    case 'numeric':
      return matchesNumeric(operand as unknown[], value);
    default:
      throw new Error(`unsupported filter operator "${operator}"`);
  }
}

/** The values of `field` in each node; a list stands for each of its elements. */
function valuesOf(nodes: readonly Json[], field: string): Json[] {
  const values: Json[] = [];
  const add = (value: Json | undefined): void => {
    // A field holding undefined is absent, as it would be in the JSON that Lambda filters.
    if (value === undefined) return;
    if (Array.isArray(value)) for (const element of value) add(element);
    else values.push(value);
  };
  for (const node of nodes) if (isObject(node) && Object.hasOwn(node, field)) add(node[field] as Json | undefined);
  return values;
}

function matchesLeaf(alternatives: readonly unknown[], values: readonly Json[]): boolean {
  // Objects are intermediate nodes: they hold no value at this path, only at deeper ones.
  const leaves = values.filter(isLeaf);
  return alternatives.some((alternative) => {
    const exists = isObject(alternative) ? alternative.exists : undefined;
    if (typeof exists === 'boolean') return leaves.length > 0 === exists;
    return leaves.some((value) => matchesOperator(alternative, value));
  });
}

/**
 * Whether `pattern` matches at `nodes`, the objects reached so far. Nothing reached is not a
 * failure in itself: the fields below must then be absent, which only `exists: false` accepts.
 */
function matchesAt(pattern: FilterPattern, nodes: readonly Json[]): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    if (field === '$or') return (expected as readonly FilterPattern[]).some((p) => matchesAt(p, nodes));
    const values = valuesOf(nodes, field);
    if (Array.isArray(expected)) return matchesLeaf(expected, values);
    return matchesAt(expected as FilterPattern, values.filter(isObject) as Json[]);
  });
}

/** Patterns already checked, so that each is walked once however many records it filters. */
const checked = new WeakSet<object>();

/** Whether a record passes the mapping's filters: no filters pass everything, else any one must match. */
export function matchesFilters(patterns: readonly FilterPattern[], record: unknown): boolean {
  for (const pattern of patterns) {
    if (checked.has(pattern)) continue;
    checkPattern(pattern, '');
    checked.add(pattern);
  }
  return patterns.length === 0 || patterns.some((pattern) => matchesAt(pattern, [record as Json]));
}
