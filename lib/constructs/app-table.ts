import { RemovalPolicy, Token } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  BillingMode,
  ContributorInsightsMode,
  type ContributorInsightsSpecification,
  type GlobalSecondaryIndexPropsV2,
  type LocalSecondaryIndexProps,
  ProjectionType,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  Attr,
  GlobalIndexes,
  type IndexProjection,
  type KeyAttribute,
  LocalIndexes,
  TableKeys,
} from '../../lambdas/model/table-design';

/** A replica of the table in another region. */
export interface AppTableReplica {
  /** Region of the replica; must differ from the stack's region. */
  readonly region: string;
  /** ARN of a customer-managed KMS key in that region, which encrypts the replica. */
  readonly keyArn: string;
}

export interface AppTableProps {
  /** Customer-managed KMS key that encrypts the table, its indexes, its stream and its backups. */
  readonly encryptionKey: IKey;
  /**
   * How the table is billed; provisioned capacity should be autoscaled.
   *
   * @default - on-demand billing
   */
  readonly billing?: Billing;
  /**
   * Most read request units per second on demand, for the table and for each global index alike:
   * requests beyond it are throttled instead of billed. Only with on-demand billing.
   *
   * @default - no ceiling but the account's per-table quota
   */
  readonly maxReadRequestUnits?: number;
  /**
   * Most write request units per second on demand, for the table and for each global index alike.
   * Only with on-demand billing.
   *
   * @default - no ceiling but the account's per-table quota
   */
  readonly maxWriteRequestUnits?: number;
  /**
   * Days of point-in-time recovery history, from 1 to 35.
   *
   * @default 35
   */
  readonly pointInTimeRecoveryDays?: number;
  /**
   * Contributor Insights mode for the table and every global secondary index, or none.
   *
   * @default - the most accessed and most throttled keys
   */
  readonly contributorInsights?: ContributorInsightsMode | 'off';
  /**
   * Replicas in other regions, each encrypted with its own region's key.
   *
   * @default - a single-region table
   */
  readonly replicas?: readonly AppTableReplica[];
  /**
   * What happens to the table when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Refuse DeleteTable calls, whoever makes them.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/** The safe choices, visible in one place; callers relax them explicitly (a dev stage does). */
const SECURE_DEFAULTS = {
  billing: Billing.onDemand(),
  pointInTimeRecoveryDays: 35,
  contributorInsights: ContributorInsightsMode.ACCESSED_AND_THROTTLED_KEYS,
  removalPolicy: RemovalPolicy.RETAIN,
  deletionProtection: true,
} as const;

const PITR_DAYS = { min: 1, max: 35 } as const;
const REQUEST_UNITS = { min: 1, max: 40_000 } as const;

function checkRequestUnits(id: string, name: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < REQUEST_UNITS.min || value > REQUEST_UNITS.max) {
    throw new Error(
      `AppTable ${id}: ${name} must be a whole number from ${REQUEST_UNITS.min} to ${REQUEST_UNITS.max}, got ${value}`,
    );
  }
}

const attributeType = (key: KeyAttribute): AttributeType =>
  ({ S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY })[key.type];

const attribute = (key: KeyAttribute) => ({ name: key.name, type: attributeType(key) });

function projection(design: IndexProjection): Pick<GlobalSecondaryIndexPropsV2, 'projectionType' | 'nonKeyAttributes'> {
  switch (design.type) {
    case 'ALL':
      return { projectionType: ProjectionType.ALL };
    case 'KEYS_ONLY':
      return { projectionType: ProjectionType.KEYS_ONLY };
    case 'INCLUDE':
      return { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...design.nonKeyAttributes] };
  }
}

/**
 * The application's single table, built from the design in `lambdas/model/table-design.ts`.
 *
 * Encrypted with a customer-managed key, streamed with new and old images, expiring items by
 * TTL, recoverable to any second of the recovery window, watched by Contributor Insights, and
 * retained and deletion-protected unless the caller says otherwise.
 *
 * @example
 * const table = new AppTable(this, 'Table', { encryptionKey: key });
 * table.table.grantReadData(fn);
 */
export class AppTable extends Construct {
  /** The table itself; pass it to other stacks and constructs as `ITableV2`. */
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: AppTableProps) {
    super(scope, id);
    const pitrDays = props.pointInTimeRecoveryDays ?? SECURE_DEFAULTS.pointInTimeRecoveryDays;
    if (
      !Token.isUnresolved(pitrDays) &&
      (!Number.isInteger(pitrDays) || pitrDays < PITR_DAYS.min || pitrDays > PITR_DAYS.max)
    ) {
      throw new Error(
        `AppTable: pointInTimeRecoveryDays must be a whole number from ${PITR_DAYS.min} to ${PITR_DAYS.max}, got ${pitrDays}`,
      );
    }
    const { maxReadRequestUnits, maxWriteRequestUnits } = props;
    checkRequestUnits(id, 'maxReadRequestUnits', maxReadRequestUnits);
    checkRequestUnits(id, 'maxWriteRequestUnits', maxWriteRequestUnits);
    const capped = maxReadRequestUnits !== undefined || maxWriteRequestUnits !== undefined;
    let billing = props.billing ?? SECURE_DEFAULTS.billing;
    if (capped) {
      if (billing.mode !== BillingMode.PAY_PER_REQUEST) {
        throw new Error(
          `AppTable ${id}: maxReadRequestUnits and maxWriteRequestUnits apply to on-demand billing only; provisioned capacity is bounded by its autoscaling maximum`,
        );
      }
      billing = Billing.onDemand({ maxReadRequestUnits, maxWriteRequestUnits });
    }
    // The table's ceiling does not carry over to its indexes in the template, so each index gets
    // the same one: an index without it could still bill a runaway query or write fan-out.
    const indexCeiling = capped ? { maxReadRequestUnits, maxWriteRequestUnits } : {};
    const insightsMode = props.contributorInsights ?? SECURE_DEFAULTS.contributorInsights;
    const contributorInsightsSpecification: ContributorInsightsSpecification =
      insightsMode === 'off' ? { enabled: false } : { enabled: true, mode: insightsMode };
    const replicas = props.replicas ?? [];

    this.table = new TableV2(this, 'Resource', {
      partitionKey: attribute(TableKeys.partitionKey),
      sortKey: attribute(TableKeys.sortKey),
      billing,
      encryption: TableEncryptionV2.customerManagedKey(
        props.encryptionKey,
        Object.fromEntries(replicas.map((r) => [r.region, r.keyArn])),
      ),
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: Attr.expiresAt,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: pitrDays },
      contributorInsightsSpecification,
      deletionProtection: props.deletionProtection ?? SECURE_DEFAULTS.deletionProtection,
      removalPolicy: props.removalPolicy ?? SECURE_DEFAULTS.removalPolicy,
      globalSecondaryIndexes: Object.values(GlobalIndexes).map((index) => ({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        ...projection(index.projection),
        ...indexCeiling,
      })),
      localSecondaryIndexes: Object.values(LocalIndexes).map(
        (index): LocalSecondaryIndexProps => ({
          indexName: index.indexName,
          sortKey: attribute(index.sortKey),
          ...projection(index.projection),
        }),
      ),
      replicas: replicas.map((r) => ({ region: r.region })),
    });
  }
}
