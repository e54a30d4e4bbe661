import { RemovalPolicy, Token } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  type GatewayVpcEndpoint,
  type GatewayVpcEndpointAwsService,
  type InterfaceVpcEndpoint,
  type InterfaceVpcEndpointAwsService,
  IpAddresses,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface IsolatedNetworkProps {
  /** Key that encrypts the flow-log group. */
  readonly encryptionKey: IKey;
  /**
   * Availability Zones to place a subnet in, from 1 to 3.
   *
   * @default 2
   */
  readonly availabilityZones?: number;
  /**
   * AWS services reached through gateway endpoints (DynamoDB, S3): free, and routed in every
   * subnet's route table.
   *
   * @default - none
   */
  readonly gatewayEndpoints?: Readonly<Record<string, GatewayVpcEndpointAwsService>>;
  /**
   * AWS services reached through interface endpoints, with private DNS so that the SDKs' default
   * endpoints resolve to them. Each bills by the hour in every Availability Zone.
   *
   * @default - none
   */
  readonly interfaceEndpoints?: Readonly<Record<string, InterfaceVpcEndpointAwsService>>;
  /**
   * How long flow logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly flowLogRetention?: RetentionDays;
  /**
   * What happens to the flow-log group when the network leaves the stack.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly flowLogRemovalPolicy?: RemovalPolicy;
}

/** The defaults, visible in one place. */
const DEFAULTS = {
  availabilityZones: 2,
  flowLogRetention: RetentionDays.ONE_MONTH,
  flowLogRemovalPolicy: RemovalPolicy.DESTROY,
} as const;

/** The one kind of subnet the network has: no route to the internet in either direction. */
const ISOLATED: SubnetSelection = { subnetType: SubnetType.PRIVATE_ISOLATED };

/**
 * A VPC for workloads that need one (a DAX cluster and the functions that read through it), with
 * nothing that reaches the internet: isolated subnets only, no NAT gateway, no internet gateway.
 * AWS services are reached through VPC endpoints; every flow is logged to an encrypted log group;
 * the default security group is stripped of its rules (the CDK's
 * `restrictDefaultSecurityGroup`), so nothing can use it by accident.
 *
 * Workloads placed in the network join `workloadSecurityGroup`, the only source the interface
 * endpoints admit, and may send only HTTPS out of it: with no route out of the VPC, that reaches
 * the endpoints and nothing else. Whatever else a workload talks to (the DAX cluster) opens its
 * own port for this group.
 *
 * @example
 * const network = new IsolatedNetwork(this, 'Network', {
 *   encryptionKey: key,
 *   gatewayEndpoints: { DynamoDb: GatewayVpcEndpointAwsService.DYNAMODB },
 *   interfaceEndpoints: { SecretsManager: InterfaceVpcEndpointAwsService.SECRETS_MANAGER },
 * });
 */
export class IsolatedNetwork extends Construct {
  readonly vpc: Vpc;
  /** The isolated subnets, one per Availability Zone. */
  readonly subnets: SubnetSelection = ISOLATED;
  /** Security group of the workloads in the network: the interface endpoints admit it alone. */
  readonly workloadSecurityGroup: SecurityGroup;
  /** Security group of the interface endpoints: HTTPS from the workloads only. */
  readonly endpointSecurityGroup: SecurityGroup;
  readonly flowLogs: LogGroup;
  readonly gatewayEndpoints: Readonly<Record<string, GatewayVpcEndpoint>>;
  readonly interfaceEndpoints: Readonly<Record<string, InterfaceVpcEndpoint>>;

  constructor(scope: Construct, id: string, props: IsolatedNetworkProps) {
    super(scope, id);
    const availabilityZones = props.availabilityZones ?? DEFAULTS.availabilityZones;
    if (!Token.isUnresolved(availabilityZones) && ![1, 2, 3].includes(availabilityZones)) {
      throw new Error(`IsolatedNetwork ${id}: availabilityZones must be 1, 2 or 3, got ${availabilityZones}`);
    }

    this.flowLogs = new LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? DEFAULTS.flowLogRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.flowLogRemovalPolicy ?? DEFAULTS.flowLogRemovalPolicy,
    });

    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr('10.0.0.0/16'),
      maxAzs: availabilityZones,
      natGateways: 0,
      createInternetGateway: false,
      subnetConfiguration: [{ name: 'Isolated', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      restrictDefaultSecurityGroup: true,
      flowLogs: {
        All: { destination: FlowLogDestination.toCloudWatchLogs(this.flowLogs), trafficType: FlowLogTrafficType.ALL },
      },
    });

    this.workloadSecurityGroup = new SecurityGroup(this, 'WorkloadSecurityGroup', {
      vpc: this.vpc,
      description: 'Workloads in the isolated network: HTTPS out to the VPC endpoints',
      allowAllOutbound: false,
    });
    // Any address, because gateway endpoints are reached by route rather than by a security group
    // and their prefix lists can only be looked up with credentials; with no NAT and no internet
    // gateway, nothing but the endpoints answers.
    this.workloadSecurityGroup.addEgressRule(
      Peer.anyIpv4(),
      Port.tcp(443),
      'HTTPS to the VPC endpoints (no route leads out of the VPC)',
    );

    this.endpointSecurityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface endpoints of the isolated network: HTTPS from its workloads only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(
      this.workloadSecurityGroup,
      Port.tcp(443),
      'HTTPS from the workloads of the network',
    );

    this.gatewayEndpoints = Object.fromEntries(
      Object.entries(props.gatewayEndpoints ?? {}).map(([name, service]) => [
        name,
        this.vpc.addGatewayEndpoint(name, { service, subnets: [ISOLATED] }),
      ]),
    );
    this.interfaceEndpoints = Object.fromEntries(
      Object.entries(props.interfaceEndpoints ?? {}).map(([name, service]) => [
        name,
        this.vpc.addInterfaceEndpoint(name, {
          service,
          subnets: ISOLATED,
          privateDnsEnabled: true,
          // Admit the workloads alone, not the whole VPC's address range.
          open: false,
          securityGroups: [this.endpointSecurityGroup],
        }),
      ]),
    );
  }
}
