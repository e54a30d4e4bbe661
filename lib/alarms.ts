/**
 * How every alarm of the app is named, described and routed, in one place.
 *
 * - Name: `<stage prefix>-<severity>-<subject>`, e.g. `OrderStore-prod-critical-Table-SystemErrors`:
 *   the first thing an on-call engineer reads in a notification says which stage, how bad and what.
 * - Description: the severity, one sentence on what the alarm means, and a link to its runbook
 *   section (docs/operations/runbook.md), whose anchor a test checks.
 * - Route: every alarm notifies the alarm topic when it fires and when it recovers; critical ones
 *   also page through the composite alarm (lib/constructs/alerting.ts).
 */
import {
  Alarm,
  type AlarmBase,
  AnomalyDetectionAlarm,
  type ComparisonOperator,
  type IMetric,
  type TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import packageJson from '../package.json';

/** Critical: customers are affected or data is at risk now; page. Warning: look at it today. */
export type Severity = 'critical' | 'warning';

/** Where an alarm goes once built. */
export interface AlarmSink {
  /** The start of every alarm name of the stage (lib/names.ts). */
  readonly alarmPrefix: string;
  /** Give the alarm its actions; critical alarms also join the paging rule. */
  route(alarm: AlarmBase, severity: Severity): void;
}

/** Path of the runbook in the repository. */
export const RUNBOOK_PATH = 'docs/operations/runbook.md';

/**
 * Where alarm descriptions point to the runbook.
 *
 * A fork that sets `repository` in package.json gets links into its own repository (its default
 * branch as `main`), which a notification reader can click. Without it, the link is the runbook's
 * path in the repository: unambiguous to anyone with the code, and never a link into someone
 * else's copy that may have drifted.
 *
 * @param repository package.json's `repository`: `github:owner/name`, a URL, or `{ url }`
 */
export function runbookBase(repository: unknown): string {
  const raw =
    typeof repository === 'string'
      ? repository
      : typeof repository === 'object' && repository !== null && 'url' in repository
        ? String((repository as { url: unknown }).url)
        : undefined;
  if (raw === undefined) return RUNBOOK_PATH;
  const shorthand = /^(?:github:)?([\w.-]+\/[\w.-]+)$/.exec(raw);
  const url = shorthand
    ? `https://github.com/${shorthand[1]}`
    : raw
        .replace(/^git\+/, '')
        .replace(/^git@github\.com:/, 'https://github.com/')
        .replace(/\.git$/, '');
  return URL.canParse(url) ? `${url}/blob/main/${RUNBOOK_PATH}` : RUNBOOK_PATH;
}

const RUNBOOK_BASE = runbookBase((packageJson as { repository?: unknown }).repository);

/** Link to a section of the runbook, by its GitHub anchor. */
export function runbookLink(anchor: string): string {
  return `${RUNBOOK_BASE}#${anchor}`;
}

/** CloudWatch's limit on an alarm description. */
const MAX_DESCRIPTION = 1024;

/** What an alarm is, for its name and description. */
export interface AlarmText {
  /** PascalCase words joined by `-`, e.g. `Table-GSI1-ReadThrottles`; unique within the stage. */
  readonly subject: string;
  readonly severity: Severity;
  /** One or two sentences: what happened, and what it does to customers or data. */
  readonly meaning: string;
  /** Anchor of the alarm's section in the runbook. */
  readonly runbook: string;
}

export function alarmName(prefix: string, text: Pick<AlarmText, 'severity' | 'subject'>): string {
  return `${prefix}-${text.severity}-${text.subject}`;
}

export function alarmDescription(text: AlarmText): string {
  const description = `[${text.severity}] ${text.meaning} Runbook: ${runbookLink(text.runbook)}`;
  if (description.length > MAX_DESCRIPTION) {
    throw new Error(
      `Alarm ${text.subject}: description is ${description.length} characters; CloudWatch allows ${MAX_DESCRIPTION}`,
    );
  }
  return description;
}

/** A static-threshold alarm. */
export interface ThresholdAlarmSpec extends AlarmText {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly evaluationPeriods: number;
  /** @default - every evaluated period must breach */
  readonly datapointsToAlarm?: number;
  readonly treatMissingData: TreatMissingData;
  /** For percentile statistics: `ignore` keeps the state when too few samples make the percentile noise. */
  readonly evaluateLowSampleCountPercentile?: 'ignore' | 'evaluate';
}

/** Build a threshold alarm with the app's name and description, and route it. */
export function thresholdAlarm(scope: Construct, id: string, sink: AlarmSink, spec: ThresholdAlarmSpec): Alarm {
  const alarm = new Alarm(scope, id, {
    alarmName: alarmName(sink.alarmPrefix, spec),
    alarmDescription: alarmDescription(spec),
    metric: spec.metric,
    threshold: spec.threshold,
    comparisonOperator: spec.comparisonOperator,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm,
    treatMissingData: spec.treatMissingData,
    evaluateLowSampleCountPercentile: spec.evaluateLowSampleCountPercentile,
  });
  sink.route(alarm, spec.severity);
  return alarm;
}

/** An alarm on a metric's anomaly-detection band, for counts that are normal at some level. */
export interface AnomalyAlarmSpec extends AlarmText {
  readonly metric: IMetric;
  /** Width of the band in standard deviations. */
  readonly stdDevs: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm?: number;
  readonly treatMissingData: TreatMissingData;
}

export function anomalyAlarm(scope: Construct, id: string, sink: AlarmSink, spec: AnomalyAlarmSpec): Alarm {
  const alarm = new AnomalyDetectionAlarm(scope, id, {
    alarmName: alarmName(sink.alarmPrefix, spec),
    alarmDescription: alarmDescription(spec),
    metric: spec.metric,
    stdDevs: spec.stdDevs,
    comparisonOperator: spec.comparisonOperator,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm,
    treatMissingData: spec.treatMissingData,
  });
  sink.route(alarm, spec.severity);
  return alarm;
}
