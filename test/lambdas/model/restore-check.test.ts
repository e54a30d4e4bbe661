import {
  type CountReference,
  formatRestoreCheck,
  judgeCounts,
  restoreVerdict,
  summarizeRestoreCheck,
} from '../../../lambdas/model/restore-check';

const source = (counts: Record<string, number>): CountReference => ({
  kind: 'source',
  label: 'the source now',
  counts,
});
const exact = (counts: Record<string, number>): CountReference => ({ kind: 'exact', label: 'the data set', counts });

describe('judgeCounts', () => {
  test('Against an exact reference every difference fails, short or over', () => {
    const rows = judgeCounts({ Order: 99, Customer: 11 }, exact({ Order: 100, Customer: 10 }), 50);
    expect(rows.map((r) => [r.entityType, r.verdict, r.difference])).toEqual([
      ['Customer', 'extra', 1],
      ['Order', 'missing', -1],
    ]);
  });

  test('Against the source, a durable type may be short by the tolerance in whole items, not more', () => {
    expect(judgeCounts({ Order: 96 }, source({ Order: 100 }), 4)[0]?.verdict).toBe('ok');
    expect(judgeCounts({ Order: 95 }, source({ Order: 100 }), 4)[0]?.verdict).toBe('missing');
    expect(judgeCounts({ Order: 37 }, source({ Order: 40 }), 10)[0]?.verdict).toBe('ok');
    expect(judgeCounts({ Order: 36 }, source({ Order: 40 }), 9)[0]?.verdict).toBe('missing');
  });

  test('Against the source, more in the restore is reported, and TTL-expiring types are never judged', () => {
    const rows = judgeCounts({ Order: 120, CartLine: 0 }, source({ Order: 100, CartLine: 80 }), 0);
    expect(Object.fromEntries(rows.map((r) => [r.entityType, r.verdict]))).toEqual({
      CartLine: 'reported',
      Order: 'extra',
    });
  });

  test('A type the restore lacks entirely is missing', () => {
    expect(judgeCounts({}, source({ Product: 3 }), 10)).toEqual([
      { entityType: 'Product', restored: 0, reference: 3, difference: -3, verdict: 'missing' },
    ]);
  });

  test('A tolerance outside 0 to 100 throws', () => {
    expect(() => judgeCounts({}, source({}), 101)).toThrow('tolerancePercent must be from 0 to 100, got 101');
  });
});

describe('restoreVerdict', () => {
  const index = { indexName: 'GSI1', answered: true, found: true, detail: 'answered' };

  test('Passes only when counts, canaries and indexes all pass, and lists each failure with the counts', () => {
    const reference = source({ Order: 100 });
    const good = restoreVerdict({
      reference,
      tolerancePercent: 0,
      counts: judgeCounts({ Order: 100 }, reference, 0),
      indexes: [index],
      canaries: [{ key: 'order o-1', verdict: 'same' }],
    });
    expect(good).toMatchObject({ passed: true, problems: [] });
    expect(summarizeRestoreCheck(good)).toMatch(/^Verified: 100 items/);

    const bad = restoreVerdict({
      reference,
      tolerancePercent: 0,
      counts: judgeCounts({ Order: 90 }, reference, 0),
      indexes: [{ ...index, found: false, detail: 'answered, but without the item' }],
      canaries: [{ key: 'order o-1', verdict: 'differs' }],
    });
    expect(bad.problems).toEqual([
      'Order: 90 restored, 100 expected (-10), more than 0% short of the source',
      'index GSI1: answered, but without the item',
      'canary order o-1: differs in the restored table',
    ]);
    expect(formatRestoreCheck(bad)).toMatch(/Order\s+90\s+100\s+-10\s+MISSING[\s\S]*FAILED:/);
  });

  test('An empty restored table fails even against an empty reference', () => {
    expect(
      restoreVerdict({ reference: exact({}), tolerancePercent: 0, counts: [], indexes: [], canaries: [] }).problems,
    ).toEqual(['the restored table is empty']);
  });
});
