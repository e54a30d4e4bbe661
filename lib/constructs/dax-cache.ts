import { createHash } from 'node:crypto';
import { type CfnResource, Duration, Names, Token } from 'aws-cdk-lib';
import { CfnCluster, CfnParameterGroup, CfnSubnetGroup } from 'aws-cdk-lib/aws-dax';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type ISecurityGroup, type IVpc, Peer, Port, SecurityGroup, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { type IRole, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { tableAndIndexArns } from './app-function';

export interface DaxCacheProps {
  /** The table the cluster reads on its clients' behalf, with its own role. */
  readonly table: ITableV2;
  readonly vpc: IVpc;
  /** Subnets for the nodes: the subnet group, one subnet per Availability Zone. */
  readonly subnets: SubnetSelection;
  /** Security group of the functions that read through the cluster: the only source admitted. */
  readonly clientSecurityGroup: ISecurityGroup;
  /**
   * Start of the cluster's name, e.g. `OrderStore-dev`: lower-cased and cut to fit DAX's 20
   * characters, with a short hash of the settings that replace the cluster appended.
   */
  readonly namePrefix: string;
  /**
   * Node type, the same for every node.
   *
   * @default 'dax.t3.small' - the smallest: 2 vCPUs (burstable) and about 2 GB of memory
   */
  readonly nodeType?: string;
  /**
   * Nodes: a primary, and read replicas spread across the subnets' Availability Zones.
   *
   * @default 1 - a single node: when it is down, every read goes to the table
   */
  readonly nodes?: number;
  /**
   * How long the item cache serves a GetItem or BatchGetItem result before asking the table again.
   *
   * @default Duration.minutes(1)
   */
  readonly itemTtl?: Duration;
  /**
   * How long the query cache serves a Query result. No write invalidates it, so this is how stale a
   * listing can be.
   *
   * @default Duration.minutes(1)
   */
  readonly queryTtl?: Duration;
}

/**
 * Secure and cheap defaults, visible in one place. Encryption at rest is always on (DAX uses a key
 * AWS owns; there is no customer-managed option), and clients must connect over TLS.
 */
const DEFAULTS = {
  nodeType: 'dax.t3.small',
  nodes: 1,
  itemTtl: Duration.minutes(1),
  queryTtl: Duration.minutes(1),
  serverSideEncryption: true,
  endpointEncryption: 'TLS',
} as const;

/** The port of a cluster whose endpoint is encrypted (8111 is the plain-text one, unused here). */
export const DAX_TLS_PORT = 9111;

/** DAX cluster names: 1 to 20 letters, digits or single hyphens, starting with a letter. */
const CLUSTER_NAME = /^[a-z](?:[a-z0-9]|-(?!-)){0,19}$/;
const MAX_NODES = 10;

/**
 * The DAX read actions a client needs, and the four of the DAX wire protocol that a client calls
 * before any item operation: the DAX developer guide's access-control page required all four in
 * every client policy; the Service Authorization Reference (and so cfn-lint, W3037) does not list
 * them. Granting an action no request asks for grants nothing, while leaving out one the cluster
 * checks would send every read to the fallback.
 */
const CLIENT_READ_ACTIONS = [
  'dax:GetItem',
  'dax:BatchGetItem',
  'dax:Query',
  'dax:DefineAttributeList',
  'dax:DefineAttributeListId',
  'dax:DefineKeySchema',
  'dax:Endpoints',
] as const;

/**
 * A DAX cluster in front of one table, for eventually consistent reads (docs/dax.md):
 *
 * - encrypted at rest, clients connect over TLS only (port 9111), and its security group admits
 *   that port from the clients' security group alone;
 * - its own role may read the table and its indexes (GetItem, BatchGetItem, Query, and
 *   DescribeTable for the key schema) and decrypt with the table's key, and nothing else, so
 *   nothing written through this cluster could reach the table;
 * - item and query TTLs in a parameter group of its own; nodes in a subnet group of its own.
 *
 * The name is chosen here rather than by CloudFormation: DAX stores names in lower case and
 * allows 20 characters, and the alarms' `ClusterId` dimension must match it exactly. A hash of
 * the settings whose change replaces the cluster (node type, encryption) ends the name, so that a
 * replacement gets a new name and CloudFormation can create it before deleting the old one.
 *
 * @example
 * const cache = new DaxCache(this, 'Cache', { table, vpc, subnets, clientSecurityGroup, namePrefix: 'OrderStore-dev' });
 * cache.grantRead(fn.role);
 */
export class DaxCache extends Construct {
  readonly cluster: CfnCluster;
  /** The cluster's name, as DAX stores it and as its CloudWatch metrics name it (`ClusterId`). */
  readonly clusterName: string;
  readonly clusterArn: string;
  /** The cluster discovery endpoint's URL (`daxs://…`), which a DAX client is configured with. */
  readonly endpoint: string;
  /** The role DAX assumes to read the table. */
  readonly role: Role;
  /** The nodes' security group: port 9111 from the clients' security group, nothing else. */
  readonly securityGroup: SecurityGroup;
  readonly parameterGroup: CfnParameterGroup;
  readonly subnetGroup: CfnSubnetGroup;
  readonly nodeType: string;
  readonly nodes: number;
  readonly itemTtl: Duration;
  readonly queryTtl: Duration;
  /** Where the cluster's clients must run: its VPC, its subnets, and the security group it admits. */
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  readonly clientSecurityGroup: ISecurityGroup;

  constructor(scope: Construct, id: string, props: DaxCacheProps) {
    super(scope, id);
    this.nodeType = props.nodeType ?? DEFAULTS.nodeType;
    this.nodes = props.nodes ?? DEFAULTS.nodes;
    this.itemTtl = props.itemTtl ?? DEFAULTS.itemTtl;
    this.queryTtl = props.queryTtl ?? DEFAULTS.queryTtl;
    this.vpc = props.vpc;
    this.subnets = props.subnets;
    this.clientSecurityGroup = props.clientSecurityGroup;
    if (!Token.isUnresolved(this.nodeType) && !/^dax\.[a-z0-9]+\.[a-z0-9]+$/.test(this.nodeType)) {
      throw new Error(
        `DaxCache ${id}: nodeType must be a DAX node type such as "dax.t3.small", got "${this.nodeType}"`,
      );
    }
    if (
      !Token.isUnresolved(this.nodes) &&
      (!Number.isInteger(this.nodes) || this.nodes < 1 || this.nodes > MAX_NODES)
    ) {
      throw new Error(`DaxCache ${id}: nodes must be a whole number from 1 to ${MAX_NODES}, got ${this.nodes}`);
    }
    for (const [name, ttl] of [
      ['itemTtl', this.itemTtl],
      ['queryTtl', this.queryTtl],
    ] as const) {
      // DAX reads 0 as "never expires", which no TTL here should mean.
      if (!ttl.isUnresolved() && ttl.toMilliseconds() < 1) {
        throw new Error(
          `DaxCache ${id}: ${name} must be at least 1 ms (0 would never expire), got ${ttl.toHumanString()}`,
        );
      }
    }

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('dax.amazonaws.com'),
      description: 'DAX reads the table and its indexes on behalf of the cluster clients',
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadTable',
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
        resources: tableAndIndexArns(props.table),
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'KeySchema', actions: ['dynamodb:DescribeTable'], resources: [props.table.tableArn] }),
    );
    props.table.encryptionKey?.grantDecrypt(this.role);

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `DAX cluster nodes: TLS (${DAX_TLS_PORT}) from the cluster clients only`,
      allowAllOutbound: false,
    });
    // Ingress on the nodes from the clients, and (their group allowing no egress by default)
    // egress from the clients to the nodes: one call, both rules.
    props.clientSecurityGroup.connections.allowTo(this.securityGroup, Port.tcp(DAX_TLS_PORT), 'DAX over TLS');
    // DAX reaches DynamoDB itself; should its nodes ever call out through the VPC, HTTPS is all
    // there is to reach (no NAT, no internet gateway: only the VPC endpoints).
    this.securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to the VPC endpoints only');

    this.subnetGroup = new CfnSubnetGroup(this, 'SubnetGroup', {
      description: 'Isolated subnets of the DAX cluster, one per Availability Zone',
      subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
    });
    this.parameterGroup = new CfnParameterGroup(this, 'ParameterGroup', {
      description: 'TTLs of the item cache and the query cache',
      parameterNameValues: {
        'record-ttl-millis': String(this.itemTtl.toMilliseconds()),
        'query-ttl-millis': String(this.queryTtl.toMilliseconds()),
      },
    });

    this.clusterName = clusterNameFor(props.namePrefix, {
      nodeType: this.nodeType,
      serverSideEncryption: DEFAULTS.serverSideEncryption,
      endpointEncryption: DEFAULTS.endpointEncryption,
    });
    this.cluster = new CfnCluster(this, 'Cluster', {
      clusterName: this.clusterName,
      description: `Read cache of the ${props.namePrefix} catalogue (eventually consistent reads only)`,
      iamRoleArn: this.role.roleArn,
      nodeType: this.nodeType,
      replicationFactor: this.nodes,
      sseSpecification: { sseEnabled: DEFAULTS.serverSideEncryption },
      clusterEndpointEncryptionType: DEFAULTS.endpointEncryption,
      subnetGroupName: this.subnetGroup.ref,
      parameterGroupName: this.parameterGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
    });
    // The role's policy must exist before DAX first assumes the role to read the table.
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy !== undefined) this.cluster.node.addDependency(policy);
    this.clusterArn = this.cluster.attrArn;
    this.endpoint = this.cluster.attrClusterDiscoveryEndpointUrl;
  }

  /**
   * Let a role read through this cluster, and only this one: `dax:` read actions on its ARN, in a
   * policy of their own, so that the cfn-lint exception for the protocol actions covers nothing else.
   */
  grantRead(role: IRole): Policy {
    const policy = new Policy(this, `ReadBy${Names.nodeUniqueId(role.node)}`, {
      roles: [role],
      statements: [
        new PolicyStatement({ sid: 'ReadThroughDax', actions: [...CLIENT_READ_ACTIONS], resources: [this.clusterArn] }),
      ],
    });
    (policy.node.defaultChild as CfnResource).addMetadata('cfn-lint', { config: { ignore_checks: ['W3037'] } });
    return policy;
  }
}

/**
 * `orderstore-dev-1a2b`: the prefix in lower case, letters, digits and single hyphens, cut to
 * leave room for a hyphen and four hex digits of the settings whose change replaces the cluster.
 */
export function clusterNameFor(prefix: string, replacing: Readonly<Record<string, unknown>>): string {
  const hash = createHash('sha256').update(JSON.stringify(replacing)).digest('hex').slice(0, 4);
  const base = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 15)
    .replace(/-+$/, '');
  const name = `${base === '' ? 'dax' : base}-${hash}`;
  if (!CLUSTER_NAME.test(name)) throw new Error(`DaxCache: cannot make a DAX cluster name of "${prefix}"`);
  return name;
}
