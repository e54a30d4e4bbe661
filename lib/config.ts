/**
 * The typed stage configuration, parsed once from CDK context in `bin/app.ts`.
 *
 * Every key can come from `cdk.json`, from `-c key=value` on the command line (always a string),
 * or from a test. Every bad value is reported with the key, the value received and what is
 * allowed, and all of them are reported together.
 */
import {
  DEFAULT_STATUS_SHARDS,
  DEFAULT_TARGET_UTILIZATION_PERCENT,
  STATUS_SHARDS_RANGE,
} from '../lambdas/model/table-design';
import { BACKUP_KEYS, type RefusableKey, TARGET_PROFILES, type TargetProfile } from './targets';

export const STAGES = ['dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

export const TARGETS = ['aws', 'localstack'] as const;
/** Where the app is deployed: real AWS, or LocalStack, which leaves out what LocalStack cannot run (lib/targets.ts). */
export type Target = (typeof TARGETS)[number];

export const BILLING_MODES = ['on-demand', 'provisioned'] as const;

export const CONTRIBUTOR_INSIGHTS_MODES = ['accessed-and-throttled', 'throttled', 'off'] as const;
/**
 * CloudWatch Contributor Insights on the table and its indexes: the most accessed and most
 * throttled keys, only the throttled keys (billed only while throttling happens), or none.
 */
export type ContributorInsightsMode = (typeof CONTRIBUTOR_INSIGHTS_MODES)[number];

/** Capacity bounds for one dimension of provisioned billing, scaled by target tracking. */
export interface CapacityBounds {
  readonly min: number;
  readonly max: number;
}

export type BillingConfig =
  | {
      readonly mode: 'on-demand';
      /**
       * Ceiling of read request units per second, for the table and each global index: a cost guard
       * that throttles instead of billing a runaway. Absent where the target leaves it out.
       */
      readonly maxReadRequestUnits?: number;
      /** Ceiling of write request units per second, for the table and each global index. */
      readonly maxWriteRequestUnits?: number;
    }
  | {
      readonly mode: 'provisioned';
      readonly read: CapacityBounds;
      readonly write: CapacityBounds;
      /** Utilization percentage that autoscaling aims for. */
      readonly targetUtilization: number;
    };

/** A replica of the table in another region, encrypted with a key that lives in that region. */
export interface ReplicaConfig {
  readonly region: string;
  readonly keyArn: string;
}

/** Where alarm notifications go besides the topic: a person's inbox, or an HTTPS endpoint (a pager, a chat hook). */
export interface AlarmSubscription {
  readonly protocol: 'email' | 'https';
  readonly endpoint: string;
}

/** Thresholds of the alarms that are not fixed by what they watch (docs/operations/monitoring.md). */
export interface AlarmThresholds {
  /** Percent of a capacity ceiling (on-demand maximum, or the autoscaling maximum) at which consumption warns. */
  readonly capacityPercent: number;
  /** p99 server-side latency of single-item operations and Query, in milliseconds. */
  readonly latencyP99Ms: number;
  /** p99 server-side latency of BatchGetItem and the transactions, in milliseconds. */
  readonly multiItemLatencyP99Ms: number;
  /** Average replication latency to a replica region, in milliseconds. */
  readonly replicationLatencyMs: number;
  /** Percent of a function's invocations that fail. */
  readonly functionErrorPercent: number;
  /** p99 duration of a function as a percent of its timeout. */
  readonly functionDurationPercent: number;
  /** Percent of API requests answered with a 5xx status. */
  readonly apiErrorPercent: number;
  /** p99 latency of the API, in milliseconds. */
  readonly apiLatencyP99Ms: number;
}

export interface MonitoringConfig {
  /** Subscriber of the alarm topic; without one, subscribe by hand (docs/operations/monitoring.md). */
  readonly subscription?: AlarmSubscription;
  /** The CloudWatch dashboard; off where the target cannot deploy one (lib/targets.ts). */
  readonly dashboard: boolean;
  /** Anomaly-detection alarms; off where the target has no anomaly detection (lib/targets.ts). */
  readonly anomalyAlarms: boolean;
  /** Alarm when no cart expired by TTL for a day: expected in production, where carts are abandoned daily. */
  readonly expectTtlDeletions: boolean;
  readonly thresholds: AlarmThresholds;
}

/**
 * AWS Backup for the single table (lib/stacks/backup-stack.ts): retentions of the daily, weekly and
 * monthly recovery points, the account's advanced DynamoDB backup features, copies to another
 * region, and how the restore checks judge counts (docs/operations/backup-and-restore.md).
 */
export interface BackupConfig {
  /**
   * Make sure AWS Backup's advanced features for DynamoDB are on in the account and region (an
   * account-wide setting the stack turns on and never off): recovery points are then encrypted with
   * the vault's key, can be copied to other regions, and monthly ones move to cold storage.
   */
  readonly advancedFeatures: boolean;
  readonly dailyRetentionDays: number;
  readonly weeklyRetentionDays: number;
  readonly monthlyRetentionDays: number;
  /** Days after which monthly recovery points move to cold storage; only with the advanced features. */
  readonly coldStorageAfterDays?: number;
  /** A vault in another region that receives a copy of every recovery point. */
  readonly copyVault?: { readonly arn: string; readonly region: string };
  /**
   * How far below the source table's count of an entity type a restored table's count may be
   * before the check fails: the source has grown since the recovery point was taken.
   */
  readonly restoreCheckTolerancePercent: number;
}

/** DAX node types of the current generation (burstable T3, memory-optimized R5), smallest first. */
export const DAX_NODE_TYPES = [
  'dax.t3.small',
  'dax.t3.medium',
  'dax.r5.large',
  'dax.r5.xlarge',
  'dax.r5.2xlarge',
  'dax.r5.4xlarge',
  'dax.r5.8xlarge',
  'dax.r5.12xlarge',
  'dax.r5.16xlarge',
  'dax.r5.24xlarge',
] as const;
export type DaxNodeType = (typeof DAX_NODE_TYPES)[number];

/**
 * The DAX cluster in front of the catalogue's eventually consistent reads (docs/dax.md): its
 * nodes, and how long each cache may serve what it holds before asking the table again.
 */
export interface DaxConfig {
  readonly nodeType: DaxNodeType;
  /** Nodes: one primary, the rest read replicas spread across Availability Zones. */
  readonly nodes: number;
  /** How long a GetItem or BatchGetItem result is served from the item cache, in seconds. */
  readonly itemTtlSeconds: number;
  /** How long a Query result is served from the query cache, in seconds. */
  readonly queryTtlSeconds: number;
}

export interface AppConfig {
  /** Prefix of every stack name. */
  readonly appName: string;
  readonly stage: Stage;
  readonly target: Target;
  /** X-Ray active tracing on the functions and the state machine; off where the target has no X-Ray. */
  readonly tracing: boolean;
  /** An HTTP API in front of the route functions; without it they are deployed on their own. */
  readonly httpApi: boolean;
  /** Absent account means an account-agnostic stack; the region is always concrete (see `region`). */
  readonly account?: string;
  readonly region: string;
  readonly billing: BillingConfig;
  /** Write shards of the order-status index. */
  readonly statusShards: number;
  /** Days of point-in-time recovery history, 1 to 35. */
  readonly pitrRecoveryDays: number;
  readonly contributorInsights: ContributorInsightsMode;
  readonly replicas: readonly ReplicaConfig[];
  /** Keep stateful resources when the stack is deleted, and refuse table deletion. */
  readonly retainData: boolean;
  /**
   * Hourly-billed DAX cluster in front of the catalogue's eventually consistent reads; absent
   * unless `dax` is true.
   */
  readonly dax?: DaxConfig;
  /**
   * The analytics stack: a scheduled export of the table to an S3 lake, a Glue job and catalogue,
   * and Athena reports (lib/stacks/analytics-stack.ts). Billed per run; nothing while idle.
   */
  readonly analytics: boolean;
  /**
   * Redshift Serverless in the analytics stack, loaded by each run; billed per second while it
   * computes, with a base capacity of 8 RPUs. Only with `analytics`.
   */
  readonly redshift: boolean;
  /** Steady-state requests per second the API stage admits, across all routes. */
  readonly apiRateLimit: number;
  /** Requests the API stage admits in a burst. */
  readonly apiBurstLimit: number;
  /** Alarms, their thresholds and subscriber, and the dashboard (lib/stacks/monitoring-stack.ts). */
  readonly monitoring: MonitoringConfig;
  /** AWS Backup and the restore drill; absent where the target cannot run AWS Backup (lib/targets.ts). */
  readonly backup?: BackupConfig;
}

/** The context keys this application reads; anything else in context is the CDK's own. */
export const CONTEXT_KEYS = [
  'stage',
  'target',
  'account',
  'region',
  'billing',
  'minReadCapacity',
  'maxReadCapacity',
  'minWriteCapacity',
  'maxWriteCapacity',
  'targetUtilization',
  'statusShards',
  'pitrRecoveryDays',
  'contributorInsights',
  'replicaKeyArns',
  'dax',
  'daxNodeType',
  'daxNodes',
  'daxItemTtlSeconds',
  'daxQueryTtlSeconds',
  'analytics',
  'redshift',
  'apiRateLimit',
  'apiBurstLimit',
  'alarmEmail',
  'maxReadRequestUnits',
  'maxWriteRequestUnits',
  'capacityAlarmPercent',
  'latencyP99Ms',
  'multiItemLatencyP99Ms',
  'replicationLatencyMs',
  'functionErrorPercent',
  'functionDurationPercent',
  'apiErrorPercent',
  'apiLatencyP99Ms',
  'backupAdvancedFeatures',
  'backupDailyRetentionDays',
  'backupWeeklyRetentionDays',
  'backupMonthlyRetentionDays',
  'backupCopyVaultArn',
  'restoreCheckTolerancePercent',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

/** Raw values as they arrive from context: strings from `-c`, JSON values from `cdk.json`. */
export type RawConfig = Partial<Record<ContextKey, unknown>>;

/** Where the CDK CLI puts the account and region of the current credentials, if any. */
export interface DefaultEnvironment {
  readonly account?: string;
  readonly region?: string;
}

/**
 * Region used when neither context nor the CLI's credentials name one, so that `cdk synth` works
 * on a machine with no AWS configuration. Deploys normally run with credentials that set it.
 */
export const FALLBACK_REGION = 'us-east-1';

/** One or more configuration values were wrong; the message lists each. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const ACCOUNT_PATTERN = /^\d{12}$/;
const KMS_KEY_ARN_PATTERN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/[a-zA-Z0-9-]+$/;
const BACKUP_VAULT_ARN_PATTERN = /^arn:aws[a-z-]*:backup:([a-z0-9-]+):(\d{12}):backup-vault:[A-Za-z0-9_.-]{2,50}$/;
const CAPACITY_RANGE = { min: 1, max: 40_000 } as const;
// An address with one @, a dot in the domain and no spaces: enough to catch a typo, which SNS
// would otherwise only report as a confirmation mail that never arrives.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Per-stage defaults of the monitoring keys: a dev stage caps spend low and tolerates more errors
 * and latency before it alarms; production caps high and alarms early.
 */
export const MONITORING_DEFAULTS = {
  dev: {
    maxReadRequestUnits: 100,
    maxWriteRequestUnits: 50,
    capacityAlarmPercent: 80,
    latencyP99Ms: 100,
    multiItemLatencyP99Ms: 200,
    replicationLatencyMs: 60_000,
    functionErrorPercent: 5,
    functionDurationPercent: 80,
    apiErrorPercent: 5,
    apiLatencyP99Ms: 3_000,
    expectTtlDeletions: false,
  },
  prod: {
    maxReadRequestUnits: 4_000,
    maxWriteRequestUnits: 1_000,
    capacityAlarmPercent: 80,
    latencyP99Ms: 50,
    multiItemLatencyP99Ms: 100,
    replicationLatencyMs: 30_000,
    functionErrorPercent: 1,
    functionDurationPercent: 80,
    apiErrorPercent: 1,
    apiLatencyP99Ms: 1_000,
    expectTtlDeletions: true,
  },
} as const satisfies Record<Stage, Record<string, number | boolean>>;

/**
 * Per-stage retentions of the recovery points, in days: a dev stage keeps a week of dailies and a
 * few months of monthlies; production keeps PITR's 35 days of dailies, a quarter of weeklies and a
 * year of monthlies.
 */
export const BACKUP_DEFAULTS = {
  dev: { dailyRetentionDays: 7, weeklyRetentionDays: 35, monthlyRetentionDays: 120 },
  prod: { dailyRetentionDays: 35, weeklyRetentionDays: 91, monthlyRetentionDays: 365 },
} as const satisfies Record<Stage, Record<string, number>>;

/** Monthly recovery points move to cold storage after this many days (with the advanced features). */
export const COLD_STORAGE_AFTER_DAYS = 30;
/** AWS Backup keeps a recovery point in cold storage for at least this many days. */
export const COLD_STORAGE_MINIMUM_DAYS = 90;
const RETENTION_RANGE = { min: 1, max: 3650 } as const;

/**
 * Per-stage defaults of the DAX keys: the smallest node type everywhere; one node in dev, where
 * losing it only sends reads to the table; three in prod, a primary and two replicas in three
 * Availability Zones, as AWS recommends for availability. A minute of staleness at most, until
 * traffic shows a longer TTL is worth it (docs/dax.md says how to choose).
 */
export const DAX_DEFAULTS = {
  dev: { nodeType: 'dax.t3.small', nodes: 1, itemTtlSeconds: 60, queryTtlSeconds: 60 },
  prod: { nodeType: 'dax.t3.small', nodes: 3, itemTtlSeconds: 60, queryTtlSeconds: 60 },
} as const satisfies Record<Stage, DaxConfig>;

/** A day: DAX accepts longer, but nothing in this store should be served that stale. */
const DAX_TTL_RANGE = { min: 1, max: 86_400 } as const;

const show = (value: unknown): string => JSON.stringify(value);
const allowedList = (values: readonly string[]): string => values.map(show).join(', ');

/** Collects problems while reading keys, so that every bad value is reported at once. */
class Reader {
  readonly problems: string[] = [];

  constructor(private readonly raw: RawConfig) {}

  has(key: ContextKey): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== '';
  }

  private fail<T>(key: ContextKey, rule: string, fallback: T): T {
    this.problems.push(`"${key}": got ${show(this.raw[key])}; ${rule}`);
    return fallback;
  }

  oneOf<T extends string>(key: ContextKey, allowed: readonly T[], fallback: T): T {
    if (!this.has(key)) return fallback;
    const value = this.raw[key];
    return allowed.includes(value as T)
      ? (value as T)
      : this.fail(key, `allowed values are ${allowedList(allowed)}`, fallback);
  }

  integer(key: ContextKey, range: { min: number; max: number }, fallback: number): number {
    if (!this.has(key)) return fallback;
    const value = this.raw[key];
    const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
    return Number.isInteger(parsed) && parsed >= range.min && parsed <= range.max
      ? parsed
      : this.fail(key, `must be a whole number from ${range.min} to ${range.max}`, fallback);
  }

  boolean(key: ContextKey, fallback: boolean): boolean {
    if (!this.has(key)) return fallback;
    const value = this.raw[key];
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    return this.fail(key, 'allowed values are true, false', fallback);
  }

  pattern(key: ContextKey, pattern: RegExp, rule: string, fallback?: string): string | undefined {
    if (!this.has(key)) return fallback;
    const value = this.raw[key];
    return typeof value === 'string' && pattern.test(value) ? value : this.fail(key, rule, fallback);
  }

  list(key: ContextKey): string[] {
    if (!this.has(key)) return [];
    const value = this.raw[key];
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
    if (typeof value === 'string')
      return value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v.length > 0);
    return this.fail(key, 'must be a comma-separated string or a list of strings', []);
  }

  value(key: ContextKey): unknown {
    return this.raw[key];
  }

  problem(key: ContextKey, rule: string): undefined {
    return this.fail(key, rule, undefined);
  }
}

function readBilling(reader: Reader, stage: Stage, target: Target): BillingConfig {
  const mode = reader.oneOf('billing', BILLING_MODES, 'on-demand');
  const capacityKeys = [
    'minReadCapacity',
    'maxReadCapacity',
    'minWriteCapacity',
    'maxWriteCapacity',
    'targetUtilization',
  ] as const;
  if (mode === 'on-demand') {
    for (const key of capacityKeys.filter((k) => reader.has(k))) {
      reader.problem(key, 'only applies with "billing" set to "provisioned"');
    }
    // No ceiling where the target leaves it out: LocalStack bills nothing to guard.
    if (TARGET_PROFILES[target].refuses.maxReadRequestUnits !== undefined) return { mode };
    const defaults = MONITORING_DEFAULTS[stage];
    return {
      mode,
      maxReadRequestUnits: reader.integer('maxReadRequestUnits', CAPACITY_RANGE, defaults.maxReadRequestUnits),
      maxWriteRequestUnits: reader.integer('maxWriteRequestUnits', CAPACITY_RANGE, defaults.maxWriteRequestUnits),
    };
  }
  for (const key of (['maxReadRequestUnits', 'maxWriteRequestUnits'] as const).filter((k) => reader.has(k))) {
    reader.problem(key, 'only applies with "billing" set to "on-demand"; provisioned capacity has its own maximum');
  }
  const bounds = (minKey: ContextKey, maxKey: ContextKey, defaults: CapacityBounds): CapacityBounds => {
    const min = reader.integer(minKey, CAPACITY_RANGE, defaults.min);
    const max = reader.integer(maxKey, CAPACITY_RANGE, defaults.max);
    if (min > max) reader.problem(maxKey, `must not be less than "${minKey}" (${min})`);
    return { min, max };
  };
  return {
    mode,
    read: bounds('minReadCapacity', 'maxReadCapacity', { min: 5, max: 100 }),
    write: bounds('minWriteCapacity', 'maxWriteCapacity', { min: 5, max: 100 }),
    targetUtilization: reader.integer('targetUtilization', { min: 20, max: 90 }, DEFAULT_TARGET_UTILIZATION_PERCENT),
  };
}

function readReplicas(reader: Reader, region: string): ReplicaConfig[] {
  const replicas: ReplicaConfig[] = [];
  for (const keyArn of reader.list('replicaKeyArns')) {
    const match = KMS_KEY_ARN_PATTERN.exec(keyArn);
    const replicaRegion = match?.[1];
    if (replicaRegion === undefined) {
      reader.problem(
        'replicaKeyArns',
        `${show(keyArn)} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`,
      );
    } else if (replicaRegion === region) {
      reader.problem(
        'replicaKeyArns',
        `${show(keyArn)} is in the primary region ${region}; replicas need other regions`,
      );
    } else if (replicas.some((r) => r.region === replicaRegion)) {
      reader.problem('replicaKeyArns', `more than one key for region ${replicaRegion}`);
    } else {
      replicas.push({ region: replicaRegion, keyArn });
    }
  }
  return replicas;
}

function readSubscription(reader: Reader): AlarmSubscription | undefined {
  if (!reader.has('alarmEmail')) return undefined;
  const value = reader.value('alarmEmail');
  const rule = 'must be an email address (name@example.com) or an https:// URL';
  if (typeof value !== 'string') return reader.problem('alarmEmail', rule);
  const endpoint = value.trim();
  if (EMAIL_PATTERN.test(endpoint)) return { protocol: 'email', endpoint };
  if (URL.canParse(endpoint) && new URL(endpoint).protocol === 'https:') return { protocol: 'https', endpoint };
  return reader.problem('alarmEmail', rule);
}

function readMonitoring(
  reader: Reader,
  config: Pick<AppConfig, 'stage' | 'billing' | 'replicas'>,
  profile: TargetProfile,
): MonitoringConfig {
  const defaults = MONITORING_DEFAULTS[config.stage];
  const percent = (key: ContextKey, min: number, fallback: number) => reader.integer(key, { min, max: 100 }, fallback);
  const capacityPercent = percent('capacityAlarmPercent', 50, defaults.capacityAlarmPercent);
  if (config.billing.mode === 'provisioned' && capacityPercent <= config.billing.targetUtilization) {
    reader.problem(
      'capacityAlarmPercent',
      `must be greater than "targetUtilization" (${config.billing.targetUtilization}): autoscaling holds consumption near its target, so an alarm at or below it would always be on`,
    );
  }
  if (config.replicas.length === 0 && reader.has('replicationLatencyMs')) {
    reader.problem('replicationLatencyMs', 'only applies with replicas ("replicaKeyArns")');
  }
  const subscription = readSubscription(reader);
  return {
    ...(subscription === undefined ? {} : { subscription }),
    dashboard: profile.dashboard,
    anomalyAlarms: profile.anomalyAlarms,
    expectTtlDeletions: defaults.expectTtlDeletions,
    thresholds: {
      capacityPercent,
      latencyP99Ms: reader.integer('latencyP99Ms', { min: 1, max: 10_000 }, defaults.latencyP99Ms),
      multiItemLatencyP99Ms: reader.integer(
        'multiItemLatencyP99Ms',
        { min: 1, max: 10_000 },
        defaults.multiItemLatencyP99Ms,
      ),
      replicationLatencyMs: reader.integer(
        'replicationLatencyMs',
        { min: 1_000, max: 3_600_000 },
        defaults.replicationLatencyMs,
      ),
      functionErrorPercent: percent('functionErrorPercent', 1, defaults.functionErrorPercent),
      functionDurationPercent: percent('functionDurationPercent', 10, defaults.functionDurationPercent),
      apiErrorPercent: percent('apiErrorPercent', 1, defaults.apiErrorPercent),
      // API Gateway gives up on an integration after 30 seconds.
      apiLatencyP99Ms: reader.integer('apiLatencyP99Ms', { min: 10, max: 30_000 }, defaults.apiLatencyP99Ms),
    },
  };
}

function readBackup(reader: Reader, stage: Stage, region: string): BackupConfig {
  const defaults = BACKUP_DEFAULTS[stage];
  const advancedFeatures = reader.boolean('backupAdvancedFeatures', true);
  const daily = reader.integer('backupDailyRetentionDays', RETENTION_RANGE, defaults.dailyRetentionDays);
  const weekly = reader.integer('backupWeeklyRetentionDays', RETENTION_RANGE, defaults.weeklyRetentionDays);
  const monthly = reader.integer('backupMonthlyRetentionDays', RETENTION_RANGE, defaults.monthlyRetentionDays);
  if (weekly < daily) {
    reader.problem('backupWeeklyRetentionDays', `must not be less than "backupDailyRetentionDays" (${daily})`);
  }
  if (monthly < weekly) {
    reader.problem('backupMonthlyRetentionDays', `must not be less than "backupWeeklyRetentionDays" (${weekly})`);
  }
  const coldMinimum = COLD_STORAGE_AFTER_DAYS + COLD_STORAGE_MINIMUM_DAYS;
  if (advancedFeatures && monthly < coldMinimum) {
    reader.problem(
      'backupMonthlyRetentionDays',
      `must be at least ${coldMinimum} with "backupAdvancedFeatures" on: monthly recovery points move to cold storage after ${COLD_STORAGE_AFTER_DAYS} days, and AWS Backup keeps them there at least ${COLD_STORAGE_MINIMUM_DAYS}`,
    );
  }
  let copyVault: BackupConfig['copyVault'];
  const copyArn = reader.pattern(
    'backupCopyVaultArn',
    BACKUP_VAULT_ARN_PATTERN,
    'must be a backup vault ARN (arn:aws:backup:<region>:<account>:backup-vault:<name>)',
  );
  if (copyArn !== undefined) {
    const copyRegion = BACKUP_VAULT_ARN_PATTERN.exec(copyArn)?.[1] ?? '';
    if (copyRegion === region) {
      reader.problem('backupCopyVaultArn', `is in the stage's own region ${region}; copies need another region`);
    } else if (!advancedFeatures) {
      reader.problem(
        'backupCopyVaultArn',
        'needs "backupAdvancedFeatures" on: without them AWS Backup cannot copy DynamoDB recovery points to another region',
      );
    } else {
      copyVault = { arn: copyArn, region: copyRegion };
    }
  }
  return {
    advancedFeatures,
    dailyRetentionDays: daily,
    weeklyRetentionDays: weekly,
    monthlyRetentionDays: monthly,
    ...(advancedFeatures ? { coldStorageAfterDays: COLD_STORAGE_AFTER_DAYS } : {}),
    ...(copyVault === undefined ? {} : { copyVault }),
    restoreCheckTolerancePercent: reader.integer('restoreCheckTolerancePercent', { min: 0, max: 100 }, 10),
  };
}

const DAX_KEYS = ['daxNodeType', 'daxNodes', 'daxItemTtlSeconds', 'daxQueryTtlSeconds'] as const;

function readDax(reader: Reader, stage: Stage): DaxConfig | undefined {
  if (!reader.boolean('dax', false)) {
    for (const key of DAX_KEYS.filter((k) => reader.has(k))) reader.problem(key, 'only applies with "dax" set to true');
    return undefined;
  }
  const defaults = DAX_DEFAULTS[stage];
  return {
    nodeType: reader.oneOf('daxNodeType', DAX_NODE_TYPES, defaults.nodeType),
    // A primary and up to nine read replicas; AWS recommends at least two replicas in production.
    nodes: reader.integer('daxNodes', { min: 1, max: 10 }, defaults.nodes),
    itemTtlSeconds: reader.integer('daxItemTtlSeconds', DAX_TTL_RANGE, defaults.itemTtlSeconds),
    queryTtlSeconds: reader.integer('daxQueryTtlSeconds', DAX_TTL_RANGE, defaults.queryTtlSeconds),
  };
}

/** Redshift loads what the analytics pipeline curates, so it is refused without it. */
function readRedshift(reader: Reader, analytics: boolean): boolean {
  const redshift = reader.boolean('redshift', false);
  if (redshift && !analytics) {
    reader.problem(
      'redshift',
      'requires "analytics" set to true: the warehouse loads what the analytics pipeline curates',
    );
  }
  return redshift;
}

/** Report each switch that is on although the target cannot run it, with the reason from lib/targets.ts. */
function refuseWhatTheTargetLacks(reader: Reader, config: AppConfig): void {
  const on: Record<RefusableKey, boolean> = {
    dax: config.dax !== undefined,
    analytics: config.analytics,
    redshift: config.redshift,
    contributorInsights: config.contributorInsights !== 'off',
    billing: config.billing.mode !== 'on-demand',
    replicaKeyArns: config.replicas.length > 0,
    // Refused only when asked for: the target's default is no ceiling.
    maxReadRequestUnits: reader.has('maxReadRequestUnits'),
    maxWriteRequestUnits: reader.has('maxWriteRequestUnits'),
    // Refused when set at all: the target's default is no AWS Backup.
    ...Object.fromEntries(BACKUP_KEYS.map((key) => [key, reader.has(key)])),
  } as Record<RefusableKey, boolean>;
  const { refuses } = TARGET_PROFILES[config.target];
  for (const key of Object.keys(on) as RefusableKey[]) {
    const reason = refuses[key];
    if (on[key] && reason !== undefined) {
      reader.problem(key, `not available with "target" set to "${config.target}": ${reason}`);
    }
  }
}

/**
 * Parse and validate the stage configuration.
 *
 * @param raw context values by key
 * @param defaults account and region of the CLI's current credentials (`CDK_DEFAULT_*`)
 * @throws ConfigError naming every bad key, its value, and what is allowed
 */
export function parseConfig(raw: RawConfig, defaults: DefaultEnvironment = {}): AppConfig {
  const reader = new Reader(raw);
  const stage = reader.oneOf('stage', STAGES, 'dev');
  const target = reader.oneOf('target', TARGETS, 'aws');
  const account = reader.pattern('account', ACCOUNT_PATTERN, 'must be a 12-digit AWS account id', defaults.account);
  const region =
    reader.pattern('region', REGION_PATTERN, 'must be an AWS region such as "eu-west-1"', defaults.region) ??
    FALLBACK_REGION;
  const profile = TARGET_PROFILES[target];
  const billing = readBilling(reader, stage, target);
  const replicas = readReplicas(reader, region);
  const dax = readDax(reader, stage);
  const analytics = reader.boolean('analytics', false);
  const config: AppConfig = {
    appName: 'OrderStore',
    stage,
    target,
    tracing: profile.tracing,
    httpApi: profile.httpApi,
    ...(account === undefined ? {} : { account }),
    region,
    billing,
    statusShards: reader.integer('statusShards', STATUS_SHARDS_RANGE, DEFAULT_STATUS_SHARDS),
    pitrRecoveryDays: reader.integer('pitrRecoveryDays', { min: 1, max: 35 }, 35),
    contributorInsights: reader.oneOf(
      'contributorInsights',
      CONTRIBUTOR_INSIGHTS_MODES,
      // Off where the target cannot run it; otherwise the stage's choice.
      profile.refuses.contributorInsights !== undefined
        ? 'off'
        : stage === 'prod'
          ? 'accessed-and-throttled'
          : 'throttled',
    ),
    replicas,
    retainData: stage === 'prod',
    ...(dax === undefined ? {} : { dax }),
    analytics,
    redshift: readRedshift(reader, analytics),
    apiRateLimit: reader.integer('apiRateLimit', { min: 1, max: 10_000 }, 50),
    apiBurstLimit: reader.integer('apiBurstLimit', { min: 1, max: 5_000 }, 100),
    monitoring: readMonitoring(reader, { stage, billing, replicas }, profile),
    ...(profile.backup ? { backup: readBackup(reader, stage, region) } : {}),
  };
  refuseWhatTheTargetLacks(reader, config);
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return config;
}
