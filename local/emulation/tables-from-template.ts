/**
 * Create local tables from a synthesized CloudFormation template, never from a second definition.
 *
 * Reads every `AWS::DynamoDB::GlobalTable` and `AWS::DynamoDB::Table` resource: keys, attribute
 * definitions, global and local secondary indexes with their projections, billing, the stream view
 * and the TTL attribute. What DynamoDB Local cannot honour (KMS encryption, point-in-time recovery,
 * Contributor Insights, replicas, deletion protection) is left out; the infra tests cover those.
 */
import {
  type AttributeDefinition,
  type BillingMode,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type LocalSecondaryIndex,
  type Projection,
  type ProvisionedThroughput,
  ResourceInUseException,
  type StreamViewType,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { CfnTemplate } from './cloudformation';

/** A table found in a template, ready to create under any name. */
export interface TemplateTable {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly definition: Omit<CreateTableCommandInput, 'TableName'>;
  readonly timeToLiveAttribute?: string;
}

const TABLE_TYPES = new Set(['AWS::DynamoDB::GlobalTable', 'AWS::DynamoDB::Table']);
/** Capacity for a provisioned table whose template gives only autoscaling bounds. */
const FALLBACK_CAPACITY = 5;

type Props = Record<string, unknown>;

class TemplateShapeError extends Error {
  constructor(logicalId: string, path: string, rule: string) {
    super(`Table ${logicalId} in the template: ${path} ${rule}`);
    this.name = 'TemplateShapeError';
  }
}

/** Reads literal values out of one resource, naming the path of anything unexpected. */
class PropertyReader {
  constructor(private readonly logicalId: string) {}

  fail(path: string, rule: string): never {
    throw new TemplateShapeError(this.logicalId, path, rule);
  }

  literal(value: unknown, path: string): unknown {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::'))) {
        this.fail(path, `is the intrinsic ${keys[0]}; local tables need literal values`);
      }
    }
    return value;
  }

  object(value: unknown, path: string): Props {
    const v = this.literal(value, path);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'must be an object');
    return v as Props;
  }

  optionalObject(value: unknown, path: string): Props | undefined {
    return value === undefined ? undefined : this.object(value, path);
  }

  array(value: unknown, path: string): unknown[] {
    const v = this.literal(value, path);
    if (!Array.isArray(v)) this.fail(path, 'must be a list');
    return v;
  }

  string(value: unknown, path: string): string {
    const v = this.literal(value, path);
    if (typeof v !== 'string') this.fail(path, 'must be a string');
    return v;
  }

  number(value: unknown, path: string): number {
    const v = this.literal(value, path);
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) this.fail(path, 'must be a number');
    return n;
  }
}

function keySchema(r: PropertyReader, value: unknown, path: string): KeySchemaElement[] {
  return r.array(value, path).map((element, i) => {
    const e = r.object(element, `${path}[${i}]`);
    const keyType = r.string(e.KeyType, `${path}[${i}].KeyType`);
    if (keyType !== 'HASH' && keyType !== 'RANGE') r.fail(`${path}[${i}].KeyType`, 'must be HASH or RANGE');
    return { AttributeName: r.string(e.AttributeName, `${path}[${i}].AttributeName`), KeyType: keyType };
  });
}

function projection(r: PropertyReader, value: unknown, path: string): Projection {
  const p = r.object(value, path);
  const type = r.string(p.ProjectionType ?? 'KEYS_ONLY', `${path}.ProjectionType`);
  if (type !== 'ALL' && type !== 'KEYS_ONLY' && type !== 'INCLUDE') {
    r.fail(`${path}.ProjectionType`, 'must be ALL, KEYS_ONLY or INCLUDE');
  }
  if (type !== 'INCLUDE') return { ProjectionType: type };
  const nonKey = r.array(p.NonKeyAttributes, `${path}.NonKeyAttributes`);
  return {
    ProjectionType: type,
    NonKeyAttributes: nonKey.map((a, i) => r.string(a, `${path}.NonKeyAttributes[${i}]`)),
  };
}

/** A GlobalTable's read capacity lives on its first replica: fixed units or autoscaling minimum. */
function replicaReadUnits(r: PropertyReader, props: Props, indexName?: string): number | undefined {
  const replicas = props.Replicas === undefined ? [] : r.array(props.Replicas, 'Replicas');
  const replica = replicas[0] === undefined ? undefined : r.object(replicas[0], 'Replicas[0]');
  if (replica === undefined) return undefined;
  let holder: Props | undefined = replica;
  if (indexName !== undefined) {
    const indexes =
      replica.GlobalSecondaryIndexes === undefined
        ? []
        : r.array(replica.GlobalSecondaryIndexes, 'Replicas[0].GlobalSecondaryIndexes');
    holder = indexes
      .map((i, n) => r.object(i, `Replicas[0].GlobalSecondaryIndexes[${n}]`))
      .find((i) => i.IndexName === indexName);
  }
  const settings = r.optionalObject(holder?.ReadProvisionedThroughputSettings, 'ReadProvisionedThroughputSettings');
  if (settings === undefined) return undefined;
  if (settings.ReadCapacityUnits !== undefined) return r.number(settings.ReadCapacityUnits, 'ReadCapacityUnits');
  const autoscaling = r.optionalObject(settings.ReadCapacityAutoScalingSettings, 'ReadCapacityAutoScalingSettings');
  return autoscaling === undefined
    ? undefined
    : r.number(autoscaling.MinCapacity, 'ReadCapacityAutoScalingSettings.MinCapacity');
}

/**
 * Provisioned capacity from a Table's explicit throughput, or from a GlobalTable's settings: write
 * capacity on the table or index, read capacity on the first replica (the autoscaling minimums).
 */
function throughput(
  r: PropertyReader,
  props: Props,
  path: string,
  table: Props,
  indexName?: string,
): ProvisionedThroughput {
  const explicit = r.optionalObject(props.ProvisionedThroughput, `${path}.ProvisionedThroughput`);
  if (explicit !== undefined) {
    return {
      ReadCapacityUnits: r.number(explicit.ReadCapacityUnits, `${path}.ProvisionedThroughput.ReadCapacityUnits`),
      WriteCapacityUnits: r.number(explicit.WriteCapacityUnits, `${path}.ProvisionedThroughput.WriteCapacityUnits`),
    };
  }
  const write = r.optionalObject(
    props.WriteProvisionedThroughputSettings,
    `${path}.WriteProvisionedThroughputSettings`,
  );
  const autoscaling = r.optionalObject(
    write?.WriteCapacityAutoScalingSettings,
    `${path}.WriteCapacityAutoScalingSettings`,
  );
  return {
    ReadCapacityUnits: replicaReadUnits(r, table, indexName) ?? FALLBACK_CAPACITY,
    WriteCapacityUnits:
      autoscaling === undefined ? FALLBACK_CAPACITY : r.number(autoscaling.MinCapacity, `${path}.MinCapacity`),
  };
}

/** The tables a template defines, as CreateTable inputs without a name. */
export function tablesInTemplate(template: CfnTemplate): TemplateTable[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, resource]) => TABLE_TYPES.has(resource.Type))
    .map(([logicalId, resource]) => {
      const r: PropertyReader = new PropertyReader(logicalId);
      const props = r.object(resource.Properties ?? {}, 'Properties');
      const billingMode = r.string(props.BillingMode ?? 'PROVISIONED', 'BillingMode') as BillingMode;
      const provisioned = billingMode === 'PROVISIONED';

      const attributeDefinitions: AttributeDefinition[] = r
        .array(props.AttributeDefinitions, 'AttributeDefinitions')
        .map((value, i) => {
          const a = r.object(value, `AttributeDefinitions[${i}]`);
          const type = r.string(a.AttributeType, `AttributeDefinitions[${i}].AttributeType`);
          if (type !== 'S' && type !== 'N' && type !== 'B')
            r.fail(`AttributeDefinitions[${i}]`, 'type must be S, N or B');
          return {
            AttributeName: r.string(a.AttributeName, `AttributeDefinitions[${i}].AttributeName`),
            AttributeType: type,
          };
        });

      const gsis: GlobalSecondaryIndex[] = r
        .array(props.GlobalSecondaryIndexes ?? [], 'GlobalSecondaryIndexes')
        .map((value, i) => {
          const path = `GlobalSecondaryIndexes[${i}]`;
          const g = r.object(value, path);
          return {
            IndexName: r.string(g.IndexName, `${path}.IndexName`),
            KeySchema: keySchema(r, g.KeySchema, `${path}.KeySchema`),
            Projection: projection(r, g.Projection, `${path}.Projection`),
            ...(provisioned
              ? { ProvisionedThroughput: throughput(r, g, path, props, r.string(g.IndexName, `${path}.IndexName`)) }
              : {}),
          };
        });

      const lsis: LocalSecondaryIndex[] = r
        .array(props.LocalSecondaryIndexes ?? [], 'LocalSecondaryIndexes')
        .map((value, i) => {
          const path = `LocalSecondaryIndexes[${i}]`;
          const l = r.object(value, path);
          return {
            IndexName: r.string(l.IndexName, `${path}.IndexName`),
            KeySchema: keySchema(r, l.KeySchema, `${path}.KeySchema`),
            Projection: projection(r, l.Projection, `${path}.Projection`),
          };
        });

      const stream = r.optionalObject(props.StreamSpecification, 'StreamSpecification');
      const ttl = r.optionalObject(props.TimeToLiveSpecification, 'TimeToLiveSpecification');
      const ttlEnabled = ttl !== undefined && r.literal(ttl.Enabled, 'TimeToLiveSpecification.Enabled') !== false;

      const definition: Omit<CreateTableCommandInput, 'TableName'> = {
        AttributeDefinitions: attributeDefinitions,
        KeySchema: keySchema(r, props.KeySchema, 'KeySchema'),
        BillingMode: billingMode,
        ...(provisioned ? { ProvisionedThroughput: throughput(r, props, 'Properties', props) } : {}),
        ...(gsis.length > 0 ? { GlobalSecondaryIndexes: gsis } : {}),
        ...(lsis.length > 0 ? { LocalSecondaryIndexes: lsis } : {}),
        ...(stream === undefined
          ? {}
          : {
              StreamSpecification: {
                StreamEnabled: true,
                StreamViewType: r.string(stream.StreamViewType, 'StreamSpecification.StreamViewType') as StreamViewType,
              },
            }),
      };
      return {
        logicalId,
        resourceType: resource.Type,
        definition,
        ...(ttlEnabled
          ? { timeToLiveAttribute: r.string(ttl.AttributeName, 'TimeToLiveSpecification.AttributeName') }
          : {}),
      };
    });
}

export interface CreateTablesOptions {
  /** Physical name for each table, from its logical id. */
  readonly tableName: (logicalId: string) => string;
  /**
   * What to do when a table of that name exists already.
   *
   * @default 'fail'
   */
  readonly ifExists?: 'fail' | 'keep';
}

/** A table created (or kept) from the template. */
export interface CreatedTable {
  readonly logicalId: string;
  readonly tableName: string;
  readonly created: boolean;
}

/** An existing table kept for reuse must have the template's keys and indexes; say what differs. */
async function assertSameShape(client: DynamoDBClient, tableName: string, expected: TemplateTable): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const shape = (
    keys?: KeySchemaElement[],
    gsis?: { IndexName?: string; KeySchema?: KeySchemaElement[] }[],
    lsis?: { IndexName?: string; KeySchema?: KeySchemaElement[] }[],
  ) =>
    JSON.stringify({
      keys,
      indexes: [...(gsis ?? []), ...(lsis ?? [])]
        .map((i) => ({ name: i.IndexName, keys: i.KeySchema }))
        .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')),
    });
  const want = shape(
    expected.definition.KeySchema,
    expected.definition.GlobalSecondaryIndexes,
    expected.definition.LocalSecondaryIndexes,
  );
  const have = shape(Table?.KeySchema, Table?.GlobalSecondaryIndexes, Table?.LocalSecondaryIndexes);
  if (want !== have) {
    throw new Error(
      `Table ${tableName} exists with other keys or indexes than the template defines; delete the local data and start again.\n  template: ${want}\n  existing: ${have}`,
    );
  }
}

/** Create every table the template defines, turn on TTL where it asks, and wait until each is active. */
export async function createTablesFromTemplate(
  client: DynamoDBClient,
  template: CfnTemplate,
  options: CreateTablesOptions,
): Promise<CreatedTable[]> {
  const created: CreatedTable[] = [];
  for (const table of tablesInTemplate(template)) {
    const tableName = options.tableName(table.logicalId);
    try {
      await client.send(new CreateTableCommand({ ...table.definition, TableName: tableName }));
    } catch (error) {
      if (error instanceof ResourceInUseException && options.ifExists === 'keep') {
        await assertSameShape(client, tableName, table);
        created.push({ logicalId: table.logicalId, tableName, created: false });
        continue;
      }
      throw error;
    }
    await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
    if (table.timeToLiveAttribute !== undefined) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
    created.push({ logicalId: table.logicalId, tableName, created: true });
  }
  return created;
}
