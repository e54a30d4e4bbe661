/**
 * Lambda event filtering, as event source mappings apply it to stream records, for the local
 * stream pump: a record reaches a consumer only if it matches at least one filter pattern.
 *
 * Semantics (the subset of EventBridge-style patterns Lambda supports): every field named in a
 * pattern must match; a leaf is a list of alternatives, any of which may match; an alternative is
 * a literal (string, number, boolean or null) or one of the operators `prefix`, `suffix`,
 * `anything-but`, `numeric`, `exists` and `equals-ignore-case`. A record field that holds a list
 * matches if any element does. Anything else in a pattern is refused by name.
 */

export type FilterPattern = { readonly [field: string]: FilterPattern | readonly unknown[] };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const NUMERIC_OPERATORS = new Set(['=', '<', '<=', '>', '>=']);

/** Parse the `Pattern` strings of an event source mapping's `FilterCriteria.Filters`. */
export function parsePatterns(filters: readonly { readonly Pattern?: string }[]): FilterPattern[] {
  return filters.map((filter, i) => {
    if (filter.Pattern === undefined) throw new Error(`filter ${i} has no Pattern`);
    const pattern = JSON.parse(filter.Pattern) as unknown;
    if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) {
      throw new Error(`filter ${i} must be a JSON object, got ${filter.Pattern}`);
    }
    return pattern as FilterPattern;
  });
}

function matchesNumeric(conditions: readonly unknown[], value: Json | undefined): boolean {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < conditions.length; i += 2) {
    const operator = conditions[i];
    const operand = conditions[i + 1];
    if (typeof operator !== 'string' || !NUMERIC_OPERATORS.has(operator) || typeof operand !== 'number') {
      throw new Error(`unsupported numeric condition ${JSON.stringify(conditions)}`);
    }
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

/** Whether one alternative of a leaf matches one (non-list) value, or the absence of a value. */
function matchesAlternative(alternative: unknown, value: Json | undefined, present: boolean): boolean {
  if (alternative === null || typeof alternative !== 'object') return present && value === alternative;
  const entries = Object.entries(alternative as Record<string, unknown>);
  const [entry, ...rest] = entries;
  if (entry === undefined || rest.length > 0)
    throw new Error(`unsupported filter operator ${JSON.stringify(alternative)}`);
  const [operator, operand] = entry;
  switch (operator) {
    case 'exists':
      return operand === present;
    case 'prefix':
      return present && typeof value === 'string' && typeof operand === 'string' && value.startsWith(operand);
    case 'suffix':
      return present && typeof value === 'string' && typeof operand === 'string' && value.endsWith(operand);
    case 'equals-ignore-case':
      return (
        present &&
        typeof value === 'string' &&
        typeof operand === 'string' &&
        value.toLowerCase() === operand.toLowerCase()
      );
    case 'anything-but': {
      if (!present) return false;
      const excluded = Array.isArray(operand) ? operand : [operand];
      return !excluded.includes(value);
    }
    case 'numeric':
      return present && Array.isArray(operand) && matchesNumeric(operand, value);
    default:
      throw new Error(`unsupported filter operator "${operator}"`);
  }
}

function matchesLeaf(alternatives: readonly unknown[], value: Json | undefined, present: boolean): boolean {
  const values = Array.isArray(value) ? value : [value];
  return alternatives.some((alternative) =>
    Array.isArray(value) && present
      ? values.some((v) => matchesAlternative(alternative, v, true))
      : matchesAlternative(alternative, value, present),
  );
}

function matchesPattern(pattern: FilterPattern, record: Json | undefined): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const holder = record !== null && typeof record === 'object' && !Array.isArray(record) ? record : undefined;
    // A field holding undefined is absent, as it would be in the JSON Lambda filters.
    const present = holder !== undefined && Object.hasOwn(holder, field) && holder[field] !== undefined;
    const value = present ? holder[field] : undefined;
    if (Array.isArray(expected)) return matchesLeaf(expected, value, present);
    return present && matchesPattern(expected as FilterPattern, value);
  });
}

/** Whether a record passes the mapping's filters: no filters pass everything, else any one must match. */
export function matchesFilters(patterns: readonly FilterPattern[], record: unknown): boolean {
  return patterns.length === 0 || patterns.some((pattern) => matchesPattern(pattern, record as Json));
}
