/**
 * Every alarm links a section of the runbook that exists, and every section of the runbook says
 * what its alarm means, the first three things to look at and how to recover.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNBOOK_PATH, runbookBase } from '../../lib/alarms';
import { CONFIG_VARIANTS, synthTemplates } from '../fixtures/app';
import { alarmsOf } from '../fixtures/cloudwatch';
import { anchorLinksOf, githubSlug, headingsOf } from '../fixtures/markdown';

const ROOT = join(__dirname, '..', '..');
const runbook = readFileSync(join(ROOT, RUNBOOK_PATH), 'utf8');
const monitoringPage = readFileSync(join(ROOT, 'docs', 'operations', 'monitoring.md'), 'utf8');
const sections = headingsOf(runbook).filter((h) => h.level === 2);
const anchors = new Set(headingsOf(runbook).map((h) => h.anchor));

/** Anchors linked from every alarm of every variant, with the alarms that link them. */
const linked = new Map<string, string[]>();
for (const raw of Object.values(CONFIG_VARIANTS)) {
  for (const alarm of alarmsOf(synthTemplates(raw))) {
    const description = String(alarm.properties.AlarmDescription);
    const anchor = new RegExp(`Runbook: ${RUNBOOK_PATH.replace(/\./g, '\\.')}#([^\\s]+)$`).exec(description)?.[1];
    const key = anchor ?? `(no runbook link in "${description}")`;
    linked.set(key, [...(linked.get(key) ?? []), String(alarm.properties.AlarmName)]);
  }
}

describe('GitHub anchors', () => {
  test.each([
    ['Events lost: dead-letter delivery failed', 'events-lost-dead-letter-delivery-failed'],
    ['API 5xx rate', 'api-5xx-rate'],
    ['Page: a critical alarm is firing', 'page-a-critical-alarm-is-firing'],
    ['OrderPlaced dead-letter queue not empty', 'orderplaced-dead-letter-queue-not-empty'],
    ['`Table` p99 latency, in ms (prod)', 'table-p99-latency-in-ms-prod'],
    ['snake_case stays', 'snake_case-stays'],
  ])('THEN "%s" is #%s', (heading, anchor) => {
    expect(githubSlug(heading)).toBe(anchor);
  });

  test('THEN a repeated heading gets -1, -2 in order', () => {
    const seen = new Map<string, number>();
    expect(['Recover', 'Recover', 'Recover'].map((h) => githubSlug(h, seen))).toEqual([
      'recover',
      'recover-1',
      'recover-2',
    ]);
  });
});

describe('GIVEN every alarm of every configuration variant', () => {
  test('THEN each description links the runbook', () => {
    expect(linked.size).toBeGreaterThan(15);
    expect([...linked.keys()].filter((key) => key.startsWith('(no runbook link'))).toEqual([]);
  });

  test('THEN each linked anchor is a heading of the runbook', () => {
    const missing = [...linked]
      .filter(([anchor]) => !anchors.has(anchor))
      .map(([anchor, names]) => `#${anchor} (${names[0]})`);
    expect(missing).toEqual([]);
  });

  test('THEN each alarm section of the runbook is linked by an alarm', () => {
    const alarmSections = sections.filter((s) => s.anchor !== 'before-you-start');
    expect(alarmSections.filter((s) => !linked.has(s.anchor)).map((s) => s.text)).toEqual([]);
  });

  test.each(sections.filter((s) => s.anchor !== 'before-you-start').map((s) => [s.text, s.body]))(
    'THEN the section "%s" says what it means, the first three things to look at, and how to recover',
    (_text, body) => {
      expect(body).toMatch(/\*\*What it means\.\*\* \S/);
      expect(body).toMatch(/\*\*Look first\.\*\*\n+1\. \S[\s\S]*\n2\. \S[\s\S]*\n3\. \S/);
      expect(body).toMatch(/\*\*Recover\.\*\* \S/);
    },
  );
});

describe('GIVEN the operations pages', () => {
  test.each([
    ['runbook.md', runbook, anchors],
    ['monitoring.md', monitoringPage, new Set(headingsOf(monitoringPage).map((h) => h.anchor))],
  ])('THEN every in-page link of %s has its heading', (_page, markdown, own) => {
    expect(anchorLinksOf(markdown).filter((anchor) => !own.has(anchor))).toEqual([]);
  });

  test.each([runbook, monitoringPage])(
    'THEN each opens with a title and one sentence on what it is for and who reads it',
    (markdown) => {
      const [title, blank, ...rest] = markdown.split('\n');
      expect(title).toMatch(/^# \S/);
      expect(blank).toBe('');
      // One sentence: links reduced to their text, no full stop before the end.
      const opening = (rest.join('\n').split('\n\n')[0] ?? '').replace(/\]\([^)]*\)/g, ']');
      expect(opening).toMatch(/\.$/);
      expect(opening.split(/\.\s/)).toHaveLength(1);
      expect(opening).toMatch(/\bfor (the|whoever)\b/);
    },
  );
});

describe('runbookBase', () => {
  test.each<[unknown, string]>([
    [undefined, 'docs/operations/runbook.md'],
    ['github:acme/order-store', 'https://github.com/acme/order-store/blob/main/docs/operations/runbook.md'],
    ['acme/order-store', 'https://github.com/acme/order-store/blob/main/docs/operations/runbook.md'],
    [
      { type: 'git', url: 'git+https://github.com/acme/order-store.git' },
      'https://github.com/acme/order-store/blob/main/docs/operations/runbook.md',
    ],
    ['git@github.com:acme/order-store.git', 'https://github.com/acme/order-store/blob/main/docs/operations/runbook.md'],
    ['not a url', 'docs/operations/runbook.md'],
  ])('GIVEN package.json repository %j THEN alarms link %s', (repository, base) => {
    expect(runbookBase(repository)).toBe(base);
  });
});
