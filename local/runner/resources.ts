/**
 * The local resources the templates declare: every table in DynamoDB Local (created from the
 * template, or kept from an earlier run), and the secrets, buckets, queues and event buses the
 * functions reference in moto_server (or only their names without it). Each is registered with its
 * local name and ARN, so that every reference in a function's environment resolves.
 */
import { randomBytes } from 'node:crypto';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createTablesFromTemplate, type TemplateTable, tablesInTemplate } from '../emulation/tables-from-template';
import { LocalTtlProcess } from '../emulation/ttl-process';
import { LOCAL_AWS } from '../engines/dynamodb-local';
import { type AssemblyStack, type ResourceRef, resourcesOf } from './cloud-assembly';
import type { LocalResources } from './references';

/** Nothing a function does may reach AWS: an endpoint where nothing listens refuses at once. */
export const NOWHERE = 'http://127.0.0.1:9';

/** A name any AWS service accepts for a local resource: letters, digits and hyphens, at most 63. */
export const localName = (ref: ResourceRef, lowerCase = false): string => {
  const name = `${ref.stackName}-${ref.logicalId}`.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 63);
  return lowerCase ? name.toLowerCase() : name;
};

/** The tables of the templates in DynamoDB Local. */
export interface LocalTables {
  /** Local table name by logical id. */
  readonly names: Record<string, string>;
  /** Whether any table was kept from an earlier run. */
  readonly reusedData: boolean;
  /** The local TTL process of each streamed table with TTL, by stream ARN. */
  readonly ttlProcesses: ReadonlyMap<string, LocalTtlProcess>;
  /** Streams of the tables created by this run (rather than kept): nothing in them was consumed yet. */
  readonly newStreams: ReadonlySet<string>;
}

/** The TTL process for a table that expires items and streams the deletions, if it does both. */
function ttlProcessFor(client: DynamoDBClient, tableName: string, definition: TemplateTable | undefined) {
  if (definition?.timeToLiveAttribute === undefined) return undefined;
  return new LocalTtlProcess({
    client,
    tableName,
    attribute: definition.timeToLiveAttribute,
    keyAttributes: (definition.definition.KeySchema ?? []).map((k) => k.AttributeName ?? ''),
  });
}

/** Every table of every template, created (or kept from an earlier run) in DynamoDB Local. */
export async function createTables(
  stacks: readonly AssemblyStack[],
  client: DynamoDBClient,
  resources: LocalResources,
): Promise<LocalTables> {
  const names: Record<string, string> = {};
  const ttlProcesses = new Map<string, LocalTtlProcess>();
  const newStreams = new Set<string>();
  let reusedData = false;
  for (const { stackName, template } of stacks) {
    const tableName = (logicalId: string) => localName({ stackName, logicalId });
    for (const table of await createTablesFromTemplate(client, template, { tableName, ifExists: 'keep' })) {
      reusedData ||= !table.created;
      names[table.logicalId] = table.tableName;
      const { Table } = await client.send(new DescribeTableCommand({ TableName: table.tableName }));
      const streamArn = Table?.LatestStreamArn;
      resources.register({ stackName, logicalId: table.logicalId }, table.tableName, {
        Arn: Table?.TableArn ?? resources.arn('dynamodb', `table/${table.tableName}`),
        ...(streamArn === undefined ? {} : { StreamArn: streamArn }),
      });
      if (streamArn === undefined) continue;
      if (table.created) newStreams.add(streamArn);
      const definition = tablesInTemplate(template).find((t) => t.logicalId === table.logicalId);
      const ttl = ttlProcessFor(client, table.tableName, definition);
      if (ttl !== undefined) ttlProcesses.set(streamArn, ttl);
    }
  }
  return { names, reusedData, ttlProcesses, newStreams };
}

/**
 * Names and ARNs for what the runner stands in for itself: keys, state machines, functions, the
 * user pool and its client, and DAX clusters. No DAX emulator exists, so a cluster's endpoint resolves to nothing: a function that
 * would read through it is given an empty DAX_ENDPOINT, which the data layer takes as "no cache",
 * and reads DynamoDB Local directly, as with `dax` off.
 */
function nameLocalStandIns(stacks: readonly AssemblyStack[], resources: LocalResources): void {
  for (const { stackName, logicalId } of resourcesOf(stacks, 'AWS::KMS::Key')) {
    const id = `local-${logicalId}`;
    resources.register({ stackName, logicalId }, id, { Arn: resources.arn('kms', `key/${id}`), KeyId: id });
  }
  for (const { stackName, logicalId } of resourcesOf(stacks, 'AWS::StepFunctions::StateMachine')) {
    const name = localName({ stackName, logicalId });
    const arn = resources.arn('states', `stateMachine:${name}`);
    resources.register({ stackName, logicalId }, arn, { Arn: arn, Name: name });
  }
  for (const { stackName, logicalId } of resourcesOf(stacks, 'AWS::Lambda::Function')) {
    const name = localName({ stackName, logicalId });
    resources.register({ stackName, logicalId }, name, { Arn: resources.arn('lambda', `function:${name}`) });
  }
  // The shoppers' user pool and its app client: the JWT authorizer's issuer and audience name them,
  // and the local issuer (shopper-tokens.ts) signs for those names.
  for (const { stackName, logicalId } of resourcesOf(stacks, 'AWS::Cognito::UserPool')) {
    const id = `${resources.region}_local${logicalId.replace(/[^A-Za-z0-9]/g, '').slice(0, 12)}`;
    resources.register({ stackName, logicalId }, id, {
      Arn: resources.arn('cognito-idp', `userpool/${id}`),
      ProviderName: `cognito-idp.${resources.region}.amazonaws.com/${id}`,
      ProviderURL: `https://cognito-idp.${resources.region}.amazonaws.com/${id}`,
      UserPoolId: id,
    });
  }
  for (const { stackName, logicalId } of resourcesOf(stacks, 'AWS::Cognito::UserPoolClient')) {
    const id = `local${logicalId.replace(/[^A-Za-z0-9]/g, '').toLowerCase()}`.slice(0, 26);
    resources.register({ stackName, logicalId }, id, { ClientId: id });
  }
  for (const { stackName, logicalId } of resourcesOf(stacks, 'AWS::DAX::Cluster')) {
    const name = localName({ stackName, logicalId }, true);
    resources.register({ stackName, logicalId }, name, {
      Arn: resources.arn('dax', `cache/${name}`),
      ClusterDiscoveryEndpoint: '',
      ClusterDiscoveryEndpointURL: '',
    });
  }
}

/** What the runner leaves out of an assembly with a DAX cluster, and why. */
export function daxClustersLeftOut(stacks: readonly AssemblyStack[]): { what: string; why: string }[] {
  return resourcesOf(stacks, 'AWS::DAX::Cluster').map(({ logicalId }) => ({
    what: `DAX cluster ${logicalId}`,
    why: 'no DAX emulator exists; the functions that would read through it read DynamoDB Local directly',
  }));
}

/**
 * A fresh random value for every secret, created in moto when it runs (else only named, for the
 * stand-in to serve); returns each secret's value by ARN.
 */
async function createSecrets(
  stacks: readonly AssemblyStack[],
  resources: LocalResources,
  client: SecretsManagerClient | undefined,
): Promise<Map<string, string>> {
  const secrets = new Map<string, string>();
  for (const { stackName, logicalId } of resourcesOf(stacks, 'AWS::SecretsManager::Secret')) {
    const name = localName({ stackName, logicalId });
    const value = randomBytes(48).toString('base64url');
    let arn = resources.arn('secretsmanager', `secret:${name}`);
    if (client !== undefined)
      arn = (await client.send(new CreateSecretCommand({ Name: name, SecretString: value }))).ARN ?? arn;
    secrets.set(arn, value);
    resources.register({ stackName, logicalId }, arn, { Id: arn });
  }
  return secrets;
}

async function createBuckets(stacks: readonly AssemblyStack[], resources: LocalResources, s3: S3Client) {
  for (const { stackName, logicalId } of resourcesOf(stacks, 'AWS::S3::Bucket')) {
    const name = localName({ stackName, logicalId }, true);
    await s3.send(new CreateBucketCommand({ Bucket: name })).catch((error: Error) => {
      if (error.name !== 'BucketAlreadyOwnedByYou') throw error;
    });
    resources.register({ stackName, logicalId }, name, {
      Arn: `arn:aws:s3:::${name}`,
      DomainName: `${name}.s3.amazonaws.com`,
    });
  }
}

async function createQueues(stacks: readonly AssemblyStack[], resources: LocalResources, sqs: SQSClient) {
  for (const { stackName, logicalId } of resourcesOf(stacks, 'AWS::SQS::Queue')) {
    const name = localName({ stackName, logicalId });
    const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    resources.register({ stackName, logicalId }, QueueUrl, { Arn: Attributes?.QueueArn ?? '', QueueName: name });
  }
}

async function createEventBuses(
  stacks: readonly AssemblyStack[],
  resources: LocalResources,
  events: EventBridgeClient,
) {
  for (const { stackName, logicalId, resource } of resourcesOf(stacks, 'AWS::Events::EventBus')) {
    const declared = resource.Properties?.Name;
    const name = typeof declared === 'string' ? declared : localName({ stackName, logicalId });
    const { EventBusArn = resources.arn('events', `event-bus/${name}`) } = await events.send(
      new CreateEventBusCommand({ Name: name }),
    );
    resources.register({ stackName, logicalId }, name, { Arn: EventBusArn, Name: name });
  }
}

/**
 * Create the resources other than tables that functions reference: secrets, buckets, queues and
 * event buses in moto (or only the secrets' names without it), and names for keys, state machines
 * and functions. Returns each secret's value by ARN.
 */
export async function provisionOthers(
  stacks: readonly AssemblyStack[],
  resources: LocalResources,
  motoEndpoint: string | undefined,
  sqs: SQSClient,
): Promise<{ readonly secrets: ReadonlyMap<string, string> }> {
  nameLocalStandIns(stacks, resources);
  if (motoEndpoint === undefined) return { secrets: await createSecrets(stacks, resources, undefined) };
  const inMoto = { ...LOCAL_AWS, endpoint: motoEndpoint };
  const secretsManager = new SecretsManagerClient(inMoto);
  const s3 = new S3Client({ ...inMoto, forcePathStyle: true });
  const events = new EventBridgeClient(inMoto);
  try {
    const secrets = await createSecrets(stacks, resources, secretsManager);
    await createBuckets(stacks, resources, s3);
    await createQueues(stacks, resources, sqs);
    await createEventBuses(stacks, resources, events);
    return { secrets };
  } finally {
    for (const c of [secretsManager, s3, events]) c.destroy();
  }
}
