import { ArnFormat, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  IpAddresses,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnNamespace, CfnWorkgroup } from 'aws-cdk-lib/aws-redshiftserverless';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { curatedTables } from '../../lambdas/model/curated-tables';
import { acknowledgeWildcardResources } from '../nag';
import { WAREHOUSE } from '../warehouse-sql';

export interface RedshiftWarehouseProps {
  /** Namespace name (lib/names.ts): lower case letters, digits and hyphens. */
  readonly namespaceName: string;
  /** Workgroup name (lib/names.ts). */
  readonly workgroupName: string;
  /** Encrypts the namespace's data and its admin secret. */
  readonly key: IKey;
  /** The lake bucket, whose curated prefix COPY and the external schema read. */
  readonly lake: IBucket;
  /** The curated tables' prefix in the lake, ending in `/`. */
  readonly curatedPrefix: string;
  /** The Glue database the external schema reads. */
  readonly glueDatabase: string;
  readonly removalPolicy: RemovalPolicy;
  /**
   * Redshift Processing Units a query starts with; 8 is the smallest Redshift offers everywhere.
   *
   * @default 8
   */
  readonly baseCapacity?: number;
  /**
   * The most RPUs the workgroup may scale to: a cost ceiling.
   *
   * @default - the base capacity: no scaling beyond it
   */
  readonly maxCapacity?: number;
}

/** The defaults, visible in one place. */
const DEFAULTS = {
  baseCapacity: 8,
  adminUsername: 'warehouse_admin',
  /** Where the workgroup's subnets are; any private range that does not clash with yours will do. */
  cidr: '10.40.0.0/16',
} as const;

/**
 * Redshift Serverless for the curated tables: a namespace encrypted with the application key,
 * whose admin password is generated into Secrets Manager (encrypted with the same key); a workgroup in three isolated subnets of a VPC of its own (no internet gateway, no
 * NAT, no inbound rule: the workflow and analysts reach it through the Redshift Data API, which
 * needs no network path); and the namespace's default IAM role, which may read only the lake's
 * curated prefix and the Glue catalogue's database, for COPY and the external schema.
 *
 * Enhanced VPC routing is off: with it, COPY would need an S3 endpoint in the VPC and the lake
 * schema a Glue interface endpoint, which bills by the hour whether or not anything runs
 * (docs/analytics.md).
 */
export class RedshiftWarehouse extends Construct {
  readonly namespace: CfnNamespace;
  readonly workgroup: CfnWorkgroup;
  readonly vpc: Vpc;
  /** The namespace's default IAM role: COPY and the external schema use it. */
  readonly copyRole: Role;
  /** The admin credentials (`username`, `password`), which the Data API reads. */
  readonly adminSecret: Secret;
  readonly adminSecretArn: string;
  readonly workgroupArn: string;
  readonly database: string;

  constructor(scope: Construct, id: string, props: RedshiftWarehouseProps) {
    super(scope, id);
    const baseCapacity = props.baseCapacity ?? DEFAULTS.baseCapacity;
    const maxCapacity = props.maxCapacity ?? baseCapacity;
    if (!Number.isInteger(baseCapacity) || baseCapacity < 8 || baseCapacity > 1024 || baseCapacity % 8 !== 0) {
      throw new Error(
        `RedshiftWarehouse: baseCapacity must be a multiple of 8 from 8 to 1024 RPUs, got ${baseCapacity}`,
      );
    }
    if (!Number.isInteger(maxCapacity) || maxCapacity < baseCapacity || maxCapacity % 8 !== 0) {
      throw new Error(
        `RedshiftWarehouse: maxCapacity must be a multiple of 8 no less than baseCapacity (${baseCapacity}), got ${maxCapacity}`,
      );
    }
    if (!/^[a-z0-9-]{3,64}$/.test(props.namespaceName) || !/^[a-z0-9-]{3,64}$/.test(props.workgroupName)) {
      throw new Error(
        `RedshiftWarehouse: namespace and workgroup names are 3 to 64 lower-case letters, digits or hyphens, got ${JSON.stringify([props.namespaceName, props.workgroupName])}`,
      );
    }
    const stack = Stack.of(this);
    const { key, lake } = props;

    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(DEFAULTS.cidr),
      // Redshift Serverless places a workgroup in subnets of three Availability Zones.
      maxAzs: 3,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Warehouse', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // Nothing uses the default security group, and there is no route out of these subnets; the
      // custom resource that would strip its rules adds a Lambda function for nothing.
      restrictDefaultSecurityGroup: false,
    });
    const flowLogs = new LogGroup(this, 'FlowLogs', {
      retention: RetentionDays.ONE_MONTH,
      encryptionKey: key,
      removalPolicy: props.removalPolicy,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: FlowLogTrafficType.REJECT,
    });
    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: 'Redshift Serverless workgroup: no inbound rule; reached through the Data API',
      allowAllOutbound: false,
    });

    this.copyRole = new Role(this, 'CopyRole', {
      assumedBy: new ServicePrincipal('redshift.amazonaws.com'),
      description: 'Redshift: COPY from the curated lake prefix and read its Glue catalogue',
    });
    const curatedObjects = lake.arnForObjects(`${props.curatedPrefix}*`);
    this.copyRole.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'ReadTheCuratedTables', actions: ['s3:GetObject'], resources: [curatedObjects] }),
    );
    this.copyRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ListTheCuratedPrefix',
        actions: ['s3:ListBucket'],
        resources: [lake.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${props.curatedPrefix}*`] } },
      }),
    );
    key.grant(this.copyRole, 'kms:Decrypt');
    const catalog = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    this.copyRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadTheLakeCatalogue',
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
        resources: [
          catalog('catalog'),
          catalog('database', props.glueDatabase),
          ...curatedTables().map((table) => catalog('table', `${props.glueDatabase}/${table.name}`)),
        ],
      }),
    );

    // The admin credentials: generated here rather than managed by Redshift, because CloudFormation
    // does not return the ARN of a secret Redshift manages (aws/aws-cdk#29930), and the workflow
    // must name the secret to the Data API. The template holds only a reference to it.
    this.adminSecret = new Secret(this, 'AdminSecret', {
      description: `Admin credentials of the ${props.namespaceName} Redshift Serverless namespace`,
      encryptionKey: key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: DEFAULTS.adminUsername }),
        generateStringKey: 'password',
        passwordLength: 32,
        // Redshift wants upper and lower case and a digit, and refuses quotes, slashes, @ and spaces.
        excludePunctuation: true,
        requireEachIncludedType: true,
      },
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.adminSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A rotation function would have to reach the workgroup and Secrets Manager from the isolated subnets, which needs interface endpoints billed by the hour; the password is rotated by hand instead (docs/analytics.md, "Rotate the admin password").',
    });

    this.database = WAREHOUSE.database;
    this.namespace = new CfnNamespace(this, 'Namespace', {
      namespaceName: props.namespaceName,
      dbName: this.database,
      adminUsername: DEFAULTS.adminUsername,
      adminUserPassword: this.adminSecret.secretValueFromJson('password').unsafeUnwrap(),
      kmsKeyId: key.keyArn,
      iamRoles: [this.copyRole.roleArn],
      defaultIamRoleArn: this.copyRole.roleArn,
      logExports: ['userlog', 'connectionlog', 'useractivitylog'],
    });
    this.namespace.applyRemovalPolicy(props.removalPolicy);

    this.workgroup = new CfnWorkgroup(this, 'Workgroup', {
      workgroupName: props.workgroupName,
      // The attribute, not the name: it makes the workgroup wait for the namespace.
      namespaceName: this.namespace.attrNamespaceNamespaceName,
      baseCapacity,
      maxCapacity,
      publiclyAccessible: false,
      enhancedVpcRouting: false,
      subnetIds: this.vpc.isolatedSubnets.map((subnet) => subnet.subnetId),
      securityGroupIds: [securityGroup.securityGroupId],
      configParameters: [
        // The report views name the curated tables without a schema (lib/warehouse-sql.ts).
        { parameterKey: 'search_path', parameterValue: `${WAREHOUSE.curatedSchema},public` },
        { parameterKey: 'require_ssl', parameterValue: 'true' },
        { parameterKey: 'enable_user_activity_logging', parameterValue: 'true' },
        // A runaway query is stopped after an hour rather than billed for longer.
        { parameterKey: 'max_query_execution_time', parameterValue: '3600' },
      ],
    });
    this.workgroup.applyRemovalPolicy(props.removalPolicy);

    this.adminSecretArn = this.adminSecret.secretArn;
    this.workgroupArn = this.workgroup.attrWorkgroupWorkgroupArn;

    acknowledgeWildcardResources(
      this.copyRole,
      [curatedObjects],
      'COPY reads the Parquet files of any export date of any curated table, all under the one curated prefix of the lake; the grant is GetObject alone.',
    );
  }
}
