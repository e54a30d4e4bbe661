/**
 * The generated parts of docs/operations/monitoring.md (the dashboard picture and the cost table)
 * match what the stacks synthesize now: run `npm run docs` when this fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedPages } from '../../tools/docs/generate';
import {
  COSTED_VARIANTS,
  dashboardSvg,
  LAYOUT_SVG,
  MONITORING_PAGE,
  PRICES,
  stageCost,
} from '../../tools/docs/monitoring';

const ROOT = join(__dirname, '..', '..');

describe('GIVEN the monitoring docs', () => {
  const svg = dashboardSvg();

  test('THEN the dashboard picture is the one the prod stage synthesizes', () => {
    expect(readFileSync(join(ROOT, LAYOUT_SVG), 'utf8')).toBe(svg);
  });

  test('THEN the cost table is the one the stages synthesize', () => {
    const page = expectedPages().find((p) => p.file === MONITORING_PAGE);
    expect(page?.current).toBe(page?.expected);
  });

  test('THEN the picture shows one box per widget, the alarm status first', () => {
    const boxes = [...svg.matchAll(/<rect x="(\d+)" y="(\d+)"/g)];
    expect(boxes.length).toBeGreaterThan(20);
    expect(boxes[0]?.slice(1)).toEqual(['1', '1']);
    expect(svg).toContain('Alarm status:');
  });

  test('THEN each stage is priced by its alarm metrics, composite alarms and dashboards', () => {
    const [, raw] = COSTED_VARIANTS[0] ?? [];
    const cost = stageCost(raw ?? {});
    expect(cost.alarmMetrics).toBeGreaterThan(cost.metricAlarms);
    expect(cost.monthlyUsd).toBeCloseTo(
      cost.alarmMetrics * PRICES.alarmMetric +
        cost.compositeAlarms * PRICES.compositeAlarm +
        cost.dashboards * PRICES.dashboard,
      6,
    );
  });
});
