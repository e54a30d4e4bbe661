/**
 * The generated parts of docs/operations/monitoring.md, from the synthesized stacks (written by
 * `npm run docs`, which tools/docs/generate.ts runs; test/infra/monitoring-docs.test.ts fails while
 * either is stale):
 *
 * - docs/operations/dashboard-layout.svg, the prod dashboard's widgets on CloudWatch's 24-column grid;
 * - the cost table, from the alarms each stage synthesizes and CloudWatch's public prices below.
 *
 * The stacks are synthesized as the tests synthesize them (test/fixtures/app.ts), with the feature
 * flags of cdk.json and without bundling.
 */
import type { RawConfig } from '../../lib/config';
import { synthTemplates } from '../../test/fixtures/app';
import { alarmsOf, type DashboardWidget, dashboardWidgets, queryCounts } from '../../test/fixtures/cloudwatch';
import { table } from './markdown';

export const MONITORING_PAGE = 'docs/operations/monitoring.md';
export const LAYOUT_SVG = 'docs/operations/dashboard-layout.svg';

/**
 * CloudWatch's prices used for the cost table: https://aws.amazon.com/cloudwatch/pricing/, US East
 * (N. Virginia), as listed on 2026-11-29. Alarm prices are the same in EU (Ireland). A metric-math
 * alarm is billed for each metric it queries; an anomaly-detection alarm for three (the metric and
 * the two bounds of its band). The free tier (10 alarm metrics, 3 dashboards of up to 50 metrics)
 * is left out: it is per account, and other workloads may already use it.
 */
export const PRICES = {
  region: 'us-east-1',
  date: '2026-11-29',
  /** Per standard-resolution alarm metric per month. */
  alarmMetric: 0.1,
  /** Alarm metrics an anomaly-detection alarm is billed as. */
  anomalyAlarmMetrics: 3,
  /** Per composite alarm per month. */
  compositeAlarm: 0.5,
  /** Per dashboard per month. */
  dashboard: 3,
} as const;

/** The stages the cost table shows, as context. */
export const COSTED_VARIANTS: readonly (readonly [string, RawConfig])[] = [
  ['dev (defaults)', {}],
  ['prod', { stage: 'prod' }],
  ['prod with one replica', { stage: 'prod', replicaKeyArns: 'arn:aws:kms:us-west-2:111111111111:key/example' }],
  ['dev, provisioned billing', { billing: 'provisioned' }],
  ['prod with DAX', { stage: 'prod', dax: 'true' }],
  ['dev with analytics', { analytics: 'true' }],
];

export interface StageCost {
  readonly metricAlarms: number;
  readonly alarmMetrics: number;
  readonly compositeAlarms: number;
  readonly dashboards: number;
  readonly monthlyUsd: number;
}

/** What the stage's alarms and dashboard cost a month, by CloudWatch's billing units. */
export function stageCost(raw: RawConfig): StageCost {
  const templates = synthTemplates(raw);
  const alarms = alarmsOf(templates);
  const metricAlarms = alarms.filter((a) => a.type === 'AWS::CloudWatch::Alarm');
  const alarmMetrics = metricAlarms.reduce(
    (sum, a) =>
      sum +
      (a.properties.ThresholdMetricId === undefined ? queryCounts(a.properties).metrics : PRICES.anomalyAlarmMetrics),
    0,
  );
  const compositeAlarms = alarms.length - metricAlarms.length;
  const dashboards = Object.values(templates).reduce(
    (sum, t) => sum + Object.keys(t.findResources('AWS::CloudWatch::Dashboard')).length,
    0,
  );
  const monthlyUsd =
    alarmMetrics * PRICES.alarmMetric + compositeAlarms * PRICES.compositeAlarm + dashboards * PRICES.dashboard;
  return { metricAlarms: metricAlarms.length, alarmMetrics, compositeAlarms, dashboards, monthlyUsd };
}

const usd = (value: number) => `$${value.toFixed(2)}`;

/** The cost table, as markdown. */
export function costTable(): string {
  const rows = COSTED_VARIANTS.map(([name, raw]) => {
    const c = stageCost(raw);
    return [name, c.metricAlarms, c.alarmMetrics, c.compositeAlarms, c.dashboards, usd(c.monthlyUsd)].map(String);
  });
  return [
    `Prices: CloudWatch, ${PRICES.region}, as listed on ${PRICES.date}: ${usd(PRICES.alarmMetric)} per alarm metric (an anomaly alarm counts ${PRICES.anomalyAlarmMetrics}), ${usd(PRICES.compositeAlarm)} per composite alarm, ${usd(PRICES.dashboard)} per dashboard, each per month; free tier not deducted.`,
    '',
    table(
      ['stage', 'metric alarms', 'alarm metrics billed', 'composite alarms', 'dashboards', 'per month'],
      rows,
      [1, 2, 3, 4, 5],
    ),
  ].join('\n');
}

const CELL = 40;
const ROW = 22;
const FILL: Readonly<Record<string, string>> = { alarm: '#fde2e1', text: '#eceff3', metric: '#e3eefc' };
const STROKE: Readonly<Record<string, string>> = { alarm: '#c0392b', text: '#8a94a6', metric: '#3f6fb5' };

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A widget's caption: its title, its markdown heading, or what it is. */
function caption(widget: DashboardWidget): string {
  if (widget.type === 'alarm') return `Alarm status: ${widget.properties.alarms?.length ?? 0} alarms, alarming first`;
  if (widget.type === 'text') return String(widget.properties.markdown ?? '').replace(/^#+\s*/, '');
  return String(widget.properties.title ?? widget.type);
}

/** Words of a caption broken into lines that fit a box of this many characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line.length === 0 ? word : `${line} ${word}`;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

/** The dashboard's layout as an SVG sketch: one box per widget, where CloudWatch places it. */
export function layoutSvg(widgets: readonly DashboardWidget[]): string {
  const width = 24 * CELL;
  const height = Math.max(...widgets.map((w) => w.y + w.height)) * ROW;
  const boxes = widgets.map((w) => {
    const [x, y, wPx, hPx] = [w.x * CELL, w.y * ROW, w.width * CELL, w.height * ROW];
    const lines = wrap(caption(w), Math.floor((wPx - 12) / 7)).slice(0, Math.max(1, Math.floor((hPx - 6) / 16)));
    const text = lines
      .map(
        (line, i) =>
          `<text x="${x + 6}" y="${y + 15 + i * 16}" font-family="Helvetica, Arial, sans-serif" font-size="12"${w.type === 'text' ? ' font-weight="bold"' : ''}>${escapeXml(line)}</text>`,
      )
      .join('');
    return `<rect x="${x + 1}" y="${y + 1}" width="${wPx - 2}" height="${hPx - 2}" rx="3" fill="${FILL[w.type] ?? '#ffffff'}" stroke="${STROKE[w.type] ?? '#000000'}"/>${text}`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`,
    '<title>Layout of the prod stage operations dashboard, widget by widget</title>',
    '<!-- Generated by npm run docs from the prod stage dashboard; do not edit. -->',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...boxes,
    '</svg>',
    '',
  ].join('\n');
}

/** The prod dashboard's layout, as the SVG sketch the monitoring page shows. */
export const dashboardSvg = (): string => layoutSvg(dashboardWidgets(synthTemplates({ stage: 'prod' }).monitoring));
