/**
 * What a restore does not carry over, read from the data stack's synthesized template: a restored
 * table gets the source's keys, indexes, billing mode, capacity and items, and none of its TTL,
 * stream, point-in-time recovery, tags, deletion protection, autoscaling, Contributor Insights or
 * resource policy (Amazon DynamoDB Developer Guide, "Restoring a DynamoDB table from a backup").
 *
 * Pure: the template in, the settings out, so that `--dry-run` can print them without a call.
 */
import type { CfnTemplate } from '../../local/emulation/cloudformation';

/** Target tracking on one capacity dimension of the table or an index. */
export interface AutoscalingSetting {
  /** Undefined for the table itself. */
  readonly indexName?: string;
  readonly dimension: 'Read' | 'Write';
  readonly min: number;
  readonly max: number;
  readonly targetUtilization: number;
}

export interface TableSettings {
  /** Logical id of the table in the template. */
  readonly logicalId: string;
  readonly timeToLiveAttribute?: string;
  readonly streamViewType?: string;
  readonly pointInTimeRecovery?: { readonly recoveryPeriodInDays: number };
  readonly deletionProtection: boolean;
  /** Literal tags only; a tag whose value is a reference is reported and skipped. */
  readonly tags: readonly { readonly Key: string; readonly Value: string }[];
  /** Contributor Insights mode of the table (key ``) and of each index by name. */
  readonly contributorInsights: Readonly<Record<string, string>>;
  readonly autoscaling: readonly AutoscalingSetting[];
  /** The policy document, with the source table's ARN where the template names the table. */
  readonly resourcePolicy?: unknown;
  /** What could not be read as a literal and must be set by hand. */
  readonly unreadable: readonly string[];
}

type Props = Record<string, unknown>;
const obj = (v: unknown): Props | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Props) : undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * The settings of the single table (the template's table with a stream) to reapply after a restore.
 *
 * @throws Error when the template holds no such table
 */
export function settingsFromTemplate(template: CfnTemplate): TableSettings {
  const found = Object.entries(template.Resources ?? {}).find(
    ([, r]) =>
      (r.Type === 'AWS::DynamoDB::GlobalTable' || r.Type === 'AWS::DynamoDB::Table') &&
      r.Properties?.StreamSpecification !== undefined,
  );
  if (found === undefined)
    throw new Error('The data stack template has no DynamoDB table with a stream: is it the right template?');
  const [logicalId, resource] = found;
  const props = resource.Properties ?? {};
  const replica = obj(list(props.Replicas)[0]) ?? {};
  const unreadable: string[] = [];

  const ttl = obj(props.TimeToLiveSpecification);
  const stream = obj(props.StreamSpecification);
  const pitr = obj(replica.PointInTimeRecoverySpecification);

  const tags = list(replica.Tags).flatMap((t) => {
    const tag = obj(t);
    if (typeof tag?.Key === 'string' && typeof tag.Value === 'string') return [{ Key: tag.Key, Value: tag.Value }];
    unreadable.push(`tag ${JSON.stringify(tag?.Key)} (its value is a reference)`);
    return [];
  });

  const contributorInsights: Record<string, string> = {};
  const insights = (holder: Props | undefined, name: string) => {
    const spec = obj(holder?.ContributorInsightsSpecification);
    if (spec?.Enabled === true)
      contributorInsights[name] = typeof spec.Mode === 'string' ? spec.Mode : 'ACCESSED_AND_THROTTLED_KEYS';
  };
  insights(replica, '');
  for (const gsi of list(replica.GlobalSecondaryIndexes)) insights(obj(gsi), String(obj(gsi)?.IndexName));

  const autoscaling: AutoscalingSetting[] = [];
  const scaling = (settings: unknown, dimension: 'Read' | 'Write', indexName?: string) => {
    const s = obj(obj(settings)?.[`${dimension}CapacityAutoScalingSettings`]);
    if (s === undefined) return;
    const target = obj(s.TargetTrackingScalingPolicyConfiguration)?.TargetValue;
    autoscaling.push({
      ...(indexName === undefined ? {} : { indexName }),
      dimension,
      min: Number(s.MinCapacity),
      max: Number(s.MaxCapacity),
      targetUtilization: Number(target),
    });
  };
  scaling(replica.ReadProvisionedThroughputSettings, 'Read');
  scaling(props.WriteProvisionedThroughputSettings, 'Write');
  for (const gsi of list(replica.GlobalSecondaryIndexes)) {
    scaling(obj(gsi)?.ReadProvisionedThroughputSettings, 'Read', String(obj(gsi)?.IndexName));
  }
  for (const gsi of list(props.GlobalSecondaryIndexes)) {
    scaling(obj(gsi)?.WriteProvisionedThroughputSettings, 'Write', String(obj(gsi)?.IndexName));
  }

  const policy = obj(replica.ResourcePolicy)?.PolicyDocument;

  return {
    logicalId,
    ...(ttl?.Enabled === true && typeof ttl.AttributeName === 'string'
      ? { timeToLiveAttribute: ttl.AttributeName }
      : {}),
    ...(typeof stream?.StreamViewType === 'string' ? { streamViewType: stream.StreamViewType } : {}),
    ...(pitr?.PointInTimeRecoveryEnabled === true
      ? { pointInTimeRecovery: { recoveryPeriodInDays: Number(pitr.RecoveryPeriodInDays ?? 35) } }
      : {}),
    deletionProtection: replica.DeletionProtectionEnabled === true || props.DeletionProtectionEnabled === true,
    tags,
    contributorInsights,
    autoscaling,
    ...(policy === undefined ? {} : { resourcePolicy: policy }),
    unreadable,
  };
}

/** The settings as lines for the plan. */
export function describeSettings(s: TableSettings): string[] {
  const insights = Object.entries(s.contributorInsights);
  return [
    `TTL on ${s.timeToLiveAttribute ?? '(none)'}`,
    `stream ${s.streamViewType ?? '(none)'}`,
    s.pointInTimeRecovery === undefined
      ? 'point-in-time recovery off'
      : `point-in-time recovery, ${s.pointInTimeRecovery.recoveryPeriodInDays} days`,
    `tags: ${s.tags.length === 0 ? '(none in the template)' : s.tags.map((t) => `${t.Key}=${t.Value}`).join(', ')}`,
    `deletion protection ${s.deletionProtection ? 'on' : 'off'}`,
    s.autoscaling.length === 0
      ? 'autoscaling: none (on-demand)'
      : `autoscaling: ${s.autoscaling.map((a) => `${a.indexName ?? 'table'} ${a.dimension} ${a.min}-${a.max} at ${a.targetUtilization}%`).join('; ')}`,
    insights.length === 0
      ? 'Contributor Insights off'
      : `Contributor Insights: ${insights.map(([name, mode]) => `${name === '' ? 'table' : name} ${mode}`).join(', ')}`,
    `resource policy: ${s.resourcePolicy === undefined ? '(none in the template)' : 'yes'}`,
    ...s.unreadable.map((u) => `set by hand: ${u}`),
  ];
}
