/**
 * What makes a restored table good enough to cut over to: the rules, as pure functions.
 *
 * A restore is checked three ways (lambdas/data/restore-verification.ts gathers the facts; the
 * restore command and the restore drill's validation function both judge them here):
 *
 * - **Counts per entity type** (the `entityType` attribute) against a reference. An `exact`
 *   reference is what the table held at the recovery point (a test's data set, or counts taken
 *   then); the restore must match it type for type. A `source` reference is the source table now,
 *   which has moved on since the recovery point: a type may be short by at most the tolerance
 *   (the source grew), never by more (items are missing); more items in the restore than in the
 *   source is reported, not failed (the source lost or deleted them since, which is often why
 *   someone restores). Types that expire by TTL within days (cart lines, applied-event markers)
 *   are reported, never judged against the source.
 * - **Canary items**: orders that reached a final status (delivered or cancelled) well before the
 *   recovery point, with their lines. Nothing changes such an order again, so the restore must
 *   hold each exactly as the source does now.
 * - **Every index answers**: a Query on each global and local index finds an item known to carry
 *   that index's keys.
 *
 * No AWS SDK here; the model imports nothing from AWS.
 */
import { EntityType } from './entities';

/** Items per entity type; items without an `entityType` are counted under {@link UNTYPED}. */
export type EntityCounts = Readonly<Record<string, number>>;

/** The bucket of items that carry no `entityType`: none should exist in this table. */
export const UNTYPED = '(no entityType)';

/** Entity types that TTL deletes within days: their counts move too fast to judge against the source. */
export const TRANSIENT_ENTITY_TYPES: readonly string[] = [EntityType.cartLine];

/** Final order statuses: an order in one of them never changes again, so it can be a canary. */
export const FINAL_ORDER_STATUSES = ['DELIVERED', 'CANCELLED'] as const;

/**
 * How long before the recovery point a canary order must have reached its final status: a backup
 * is consistent as of some instant within seconds of its start, and clocks differ a little.
 */
export const CANARY_MARGIN_MS = 5 * 60_000;

/** What restored counts are compared with. */
export interface CountReference {
  /** `exact`: the table at the recovery point. `source`: the source table now. */
  readonly kind: 'exact' | 'source';
  /** For the report, e.g. `source table OrderStore-prod-Data-Table... now`. */
  readonly label: string;
  readonly counts: EntityCounts;
}

export type CountVerdict = 'ok' | 'missing' | 'extra' | 'reported';

export interface CountRow {
  readonly entityType: string;
  readonly restored: number;
  readonly reference: number;
  /** restored − reference. */
  readonly difference: number;
  /** `missing` fails the check; `extra` fails it only against an exact reference. */
  readonly verdict: CountVerdict;
}

/** One index's probe: a Query for an item that carries the index's keys. */
export interface IndexProbe {
  readonly indexName: string;
  /** The Query ran without error. */
  readonly answered: boolean;
  /** The probed item came back; undefined when no item in the table carries the index's keys. */
  readonly found?: boolean;
  readonly detail: string;
}

/** One canary item: its key, and how the restored copy compares with the source's. */
export interface CanaryResult {
  readonly key: string;
  readonly verdict: 'same' | 'differs' | 'missing';
}

export interface RestoreCheck {
  readonly passed: boolean;
  readonly reference: Pick<CountReference, 'kind' | 'label'>;
  readonly tolerancePercent: number;
  readonly counts: readonly CountRow[];
  readonly indexes: readonly IndexProbe[];
  readonly canaries: readonly CanaryResult[];
  /** One line per failed rule, for the report and the validation message. */
  readonly problems: readonly string[];
}

const sum = (counts: EntityCounts): number => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * Compare restored counts with a reference, type by type (see the module comment for the rules).
 *
 * @param tolerancePercent how far below a `source` reference a durable type may be, 0 to 100
 */
export function judgeCounts(restored: EntityCounts, reference: CountReference, tolerancePercent: number): CountRow[] {
  if (!Number.isFinite(tolerancePercent) || tolerancePercent < 0 || tolerancePercent > 100) {
    throw new RangeError(`tolerancePercent must be from 0 to 100, got ${tolerancePercent}`);
  }
  const types = [...new Set([...Object.keys(reference.counts), ...Object.keys(restored)])].sort();
  return types.map((entityType): CountRow => {
    const r = restored[entityType] ?? 0;
    const ref = reference.counts[entityType] ?? 0;
    const row = { entityType, restored: r, reference: ref, difference: r - ref };
    if (reference.kind === 'exact') {
      return { ...row, verdict: r === ref ? 'ok' : r < ref ? 'missing' : 'extra' };
    }
    if (TRANSIENT_ENTITY_TYPES.includes(entityType)) return { ...row, verdict: 'reported' };
    if (r > ref) return { ...row, verdict: 'extra' };
    // Whole items: a type of 40 with 10% tolerance may be 4 short, not 4.0001.
    const allowedShort = Math.floor((ref * tolerancePercent) / 100);
    return { ...row, verdict: ref - r > allowedShort ? 'missing' : 'ok' };
  });
}

/** Put the three checks together into one verdict, with a line per failed rule. */
export function restoreVerdict(parts: {
  readonly reference: CountReference;
  readonly tolerancePercent: number;
  readonly counts: readonly CountRow[];
  readonly indexes: readonly IndexProbe[];
  readonly canaries: readonly CanaryResult[];
}): RestoreCheck {
  const problems: string[] = [];
  for (const row of parts.counts) {
    if (row.verdict === 'missing' || (row.verdict === 'extra' && parts.reference.kind === 'exact')) {
      problems.push(
        `${row.entityType}: ${row.restored} restored, ${row.reference} expected (${signed(row.difference)})` +
          (parts.reference.kind === 'source' ? `, more than ${parts.tolerancePercent}% short of the source` : ''),
      );
    }
  }
  if (sum(Object.fromEntries(parts.counts.map((r) => [r.entityType, r.restored]))) === 0) {
    problems.push('the restored table is empty');
  }
  for (const probe of parts.indexes) {
    if (!probe.answered || probe.found === false) problems.push(`index ${probe.indexName}: ${probe.detail}`);
  }
  for (const canary of parts.canaries) {
    if (canary.verdict !== 'same') problems.push(`canary ${canary.key}: ${canary.verdict} in the restored table`);
  }
  return {
    passed: problems.length === 0,
    reference: { kind: parts.reference.kind, label: parts.reference.label },
    tolerancePercent: parts.tolerancePercent,
    counts: parts.counts,
    indexes: parts.indexes,
    canaries: parts.canaries,
    problems,
  };
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

const VERDICT_TEXT: Record<CountVerdict, string> = {
  ok: 'ok',
  missing: 'MISSING',
  extra: 'more in the restore',
  reported: 'expires by TTL: not judged',
};

/** The check as text for a person: counts table, indexes, canaries, then the verdict. */
export function formatRestoreCheck(check: RestoreCheck): string {
  const header = ['entity type', 'restored', check.reference.kind === 'exact' ? 'expected' : 'source now', 'diff', ''];
  const rows = check.counts.map((r) => [
    r.entityType,
    r.restored.toLocaleString('en-US'),
    r.reference.toLocaleString('en-US'),
    signed(r.difference),
    VERDICT_TEXT[r.verdict],
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')}`.trimEnd();
  const out = [
    `Counts per entity type, against ${check.reference.label}` +
      (check.reference.kind === 'source' ? ` (tolerance ${check.tolerancePercent}% short)` : ' (exact)'),
    line(header),
    ...rows.map(line),
    'Indexes:',
    ...check.indexes.map((p) => `  ${p.indexName}: ${p.detail}`),
    `Canaries (orders in a final status before the recovery point, with their lines): ${check.canaries.length}`,
    ...check.canaries.filter((c) => c.verdict !== 'same').map((c) => `  ${c.key}: ${c.verdict}`),
    check.passed ? 'VERIFIED: the restored table passes every check.' : 'FAILED:',
    ...check.problems.map((p) => `  - ${p}`),
  ];
  return out.join('\n');
}

/** A short summary for AWS Backup's validation status message (kept under 1,000 characters). */
export function summarizeRestoreCheck(check: RestoreCheck): string {
  const total = check.counts.reduce((a, r) => a + r.restored, 0);
  const text = check.passed
    ? `Verified: ${total} items in ${check.counts.length} entity types against ${check.reference.label}; ${check.indexes.length} indexes answered; ${check.canaries.length} canary items identical.`
    : `Failed: ${check.problems.join('; ')}`;
  return text.length > 1000 ? `${text.slice(0, 997)}...` : text;
}
