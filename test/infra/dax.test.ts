/**
 * `-c dax=true`: the isolated network, the DAX cluster, the cached Catalog function and the DAX
 * alarms, in dev and prod; and without the switch, none of it. What a deployed cluster does (its
 * caching, its TLS endpoint, its IAM checks) cannot be run here: no DAX emulator exists, and moto
 * models only DAX's control plane (docs/dax.md says what is and is not tested).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Vpc } from 'aws-cdk-lib/aws-ec2';
import { Key } from 'aws-cdk-lib/aws-kms';
import { FUNCTION_GROUPS, type FunctionGroup } from '../../lambdas/model/api-routes';
import { clusterNameFor, DaxCache } from '../../lib/constructs/dax-cache';
import { IsolatedNetwork } from '../../lib/constructs/isolated-network';
import { CONFIG_VARIANTS, synthTemplates } from '../fixtures/app';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Effect: string };

const resourcesOf = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.findResources(type)) as [string, Resource][];

const onlyOne = (template: Template, type: string): [string, Resource] => {
  const found = resourcesOf(template, type);
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
};

const functionOf = (template: Template, group: FunctionGroup): Resource => {
  const [found] = Object.values(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Description: FUNCTION_GROUPS[group].description },
    }),
  ) as Resource[];
  if (found === undefined) throw new Error(`no ${group} function`);
  return found;
};

const roleIdOf = (fn: Resource): string => (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

/** Every statement of every policy attached to a role. */
const statementsOf = (template: Template, roleId: string): Statement[] =>
  Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } }),
  ).flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );

const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

const GROUPS = Object.keys(FUNCTION_GROUPS) as FunctionGroup[];

describe.each(Object.entries(CONFIG_VARIANTS).filter(([, raw]) => raw.dax === undefined))(
  'GIVEN the %s variant, without dax',
  (_name, raw) => {
    const templates = synthTemplates(raw);

    test('THEN no template holds a DAX resource, and none but the analytics one (Redshift has its own) a network', () => {
      const typesOf = (t: (typeof templates)[keyof typeof templates]) =>
        Object.values((t?.toJSON().Resources ?? {}) as Record<string, Resource>).map((r) => r.Type);
      const all = Object.values(templates).flatMap(typesOf);
      const outsideAnalytics = Object.entries(templates).flatMap(([name, t]) =>
        name === 'analytics' ? [] : typesOf(t),
      );
      expect(all.filter((type) => type.startsWith('AWS::DAX::'))).toEqual([]);
      expect(
        outsideAnalytics.filter((type) => type.startsWith('AWS::EC2::') || type === 'Custom::VpcRestrictDefaultSG'),
      ).toEqual([]);
    });

    test('THEN the Catalog function runs outside any VPC, with no DAX endpoint and no dax: action', () => {
      const catalog = functionOf(templates.api, 'Catalog');
      expect(catalog.Properties.VpcConfig).toBeUndefined();
      expect(Object.keys((catalog.Properties.Environment as { Variables: object }).Variables).sort()).toEqual([
        'CURSOR_SECRET_ARN',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
        ...('POWERTOOLS_TRACE_ENABLED' in
        (catalog.Properties.Environment as { Variables: Record<string, string> }).Variables
          ? ['POWERTOOLS_TRACE_ENABLED']
          : []),
        'STATUS_SHARDS',
        'TABLE_NAME',
      ]);
      for (const group of GROUPS) {
        const actions = statementsOf(templates.api, roleIdOf(functionOf(templates.api, group))).flatMap(actionsOf);
        expect({ group, dax: actions.filter((a) => a.startsWith('dax:') || a.startsWith('ec2:')) }).toEqual({
          group,
          dax: [],
        });
      }
    });

    test('THEN there is no DAX alarm', () => {
      const names = resourcesOf(templates.monitoring, 'AWS::CloudWatch::Alarm').map(([, r]) =>
        String(r.Properties.AlarmName),
      );
      expect(names.filter((name) => name.includes('-Dax-'))).toEqual([]);
    });
  },
);

describe.each([
  ['dev', { dax: 'true' }, { nodes: 1, zones: 2, retained: false }],
  ['prod', { stage: 'prod', dax: 'true' }, { nodes: 3, zones: 3, retained: true }],
] as const)('GIVEN dax=true in %s', (stage, raw, expected) => {
  const templates = synthTemplates(raw);
  const { api } = templates;
  const [clusterId, cluster] = onlyOne(api, 'AWS::DAX::Cluster');
  const [subnetGroupId, subnetGroup] = onlyOne(api, 'AWS::DAX::SubnetGroup');
  const [parameterGroupId, parameterGroup] = onlyOne(api, 'AWS::DAX::ParameterGroup');
  const isolatedSubnets = resourcesOf(api, 'AWS::EC2::Subnet').map(([id]) => ({ Ref: id }));
  const clusterSecurityGroup = (cluster.Properties.SecurityGroupIds as { 'Fn::GetAtt': [string, string] }[])[0]?.[
    'Fn::GetAtt'
  ][0] as string;
  const catalog = functionOf(api, 'Catalog');
  const catalogVpc = catalog.Properties.VpcConfig as { SubnetIds: unknown[]; SecurityGroupIds: unknown[] };
  const workloadSecurityGroup = (catalogVpc.SecurityGroupIds[0] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

  test('THEN the cluster is encrypted at rest, TLS-only, of the smallest node type, with one node in dev and three in prod', () => {
    expect(cluster.Properties).toMatchObject({
      SSESpecification: { SSEEnabled: true },
      ClusterEndpointEncryptionType: 'TLS',
      NodeType: 'dax.t3.small',
      ReplicationFactor: expected.nodes,
      SubnetGroupName: { Ref: subnetGroupId },
      ParameterGroupName: { Ref: parameterGroupId },
      IAMRoleARN: { 'Fn::GetAtt': [expect.stringMatching(/^CacheRole/), 'Arn'] },
    });
    expect(cluster.Properties.ClusterName).toMatch(new RegExp(`^orderstore-${stage}-[0-9a-f]{4}$`));
  });

  test('THEN its parameter group holds the item and query TTLs from config', () => {
    expect(parameterGroup.Properties.ParameterNameValues).toEqual({
      'record-ttl-millis': '60000',
      'query-ttl-millis': '60000',
    });
    const custom = synthTemplates({ ...raw, daxItemTtlSeconds: '300', daxQueryTtlSeconds: '30' }).api;
    expect(onlyOne(custom, 'AWS::DAX::ParameterGroup')[1].Properties.ParameterNameValues).toEqual({
      'record-ttl-millis': '300000',
      'query-ttl-millis': '30000',
    });
  });

  test(`THEN its subnet group holds the isolated subnets, one in each of ${expected.zones} Availability Zones`, () => {
    expect(subnetGroup.Properties.SubnetIds).toEqual(isolatedSubnets);
    expect(isolatedSubnets).toHaveLength(expected.zones);
    const zones = resourcesOf(api, 'AWS::EC2::Subnet').map(([, s]) => s.Properties.AvailabilityZone);
    expect(zones).toEqual(
      Array.from({ length: expected.zones }, (_, i) => ({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] })),
    );
    for (const [, subnet] of resourcesOf(api, 'AWS::EC2::Subnet')) {
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    }
  });

  test('THEN the network has no way out: no internet or NAT gateway, and no route but the DynamoDB gateway endpoint', () => {
    for (const type of ['AWS::EC2::InternetGateway', 'AWS::EC2::NatGateway', 'AWS::EC2::EIP', 'AWS::EC2::Route']) {
      api.resourceCountIs(type, 0);
    }
  });

  test('THEN the nodes admit port 9111 from the cached functions’ security group, and nothing else', () => {
    const ingress = resourcesOf(api, 'AWS::EC2::SecurityGroupIngress').filter(
      ([, rule]) =>
        JSON.stringify(rule.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [clusterSecurityGroup, 'GroupId'] }),
    );
    expect(ingress.map(([, rule]) => rule.Properties)).toEqual([
      {
        Description: 'DAX over TLS',
        GroupId: { 'Fn::GetAtt': [clusterSecurityGroup, 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: 9111,
        ToPort: 9111,
        SourceSecurityGroupId: { 'Fn::GetAtt': [workloadSecurityGroup, 'GroupId'] },
      },
    ]);
    const clusterGroup = api.toJSON().Resources[clusterSecurityGroup] as Resource;
    expect(clusterGroup.Properties.SecurityGroupIngress).toBeUndefined();
    expect(JSON.stringify(api.toJSON())).not.toMatch(
      /"CidrIp(v6)?":"(0\.0\.0\.0\/0|::\/0)","Description":"[^"]*","FromPort":9111/,
    );
  });

  test('THEN the DAX role may only read the table and its indexes, learn the key schema, and decrypt with the table key', () => {
    const roleId = (cluster.Properties.IAMRoleARN as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = api.toJSON().Resources[roleId] as Resource;
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'dax.amazonaws.com' } }],
      Version: '2012-10-17',
    });
    const statements = statementsOf(api, roleId);
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'kms:Decrypt',
    ]);
    const read = statements.find((s) => s.Sid === 'ReadTable');
    expect(JSON.stringify(read?.Resource)).toContain('/index/OrdersByStatus');
    expect(JSON.stringify(read?.Resource)).not.toContain('index/*');
  });

  test('THEN only the Catalog function is in the VPC, in the isolated subnets and the admitted security group, with the cluster endpoint', () => {
    expect(catalogVpc.SubnetIds).toEqual(isolatedSubnets);
    expect(catalogVpc.SecurityGroupIds).toHaveLength(1);
    expect((catalog.Properties.Environment as { Variables: Record<string, unknown> }).Variables.DAX_ENDPOINT).toEqual({
      'Fn::GetAtt': [clusterId, 'ClusterDiscoveryEndpointURL'],
    });
    for (const group of GROUPS.filter((g) => g !== 'Catalog')) {
      const fn = functionOf(api, group);
      expect({
        group,
        vpc: fn.Properties.VpcConfig,
        endpoint: JSON.stringify(fn.Properties).includes('DAX_ENDPOINT'),
      }).toEqual({
        group,
        vpc: undefined,
        endpoint: false,
      });
    }
  });

  test('THEN the Catalog role may read through this cluster alone, and manage its network interfaces; no other role may use DAX', () => {
    const statements = statementsOf(api, roleIdOf(catalog));
    const daxStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dax:')));
    expect(daxStatements).toEqual([
      expect.objectContaining({
        Sid: 'ReadThroughDax',
        Effect: 'Allow',
        Action: [
          'dax:BatchGetItem',
          'dax:DefineAttributeList',
          'dax:DefineAttributeListId',
          'dax:DefineKeySchema',
          'dax:Endpoints',
          'dax:GetItem',
          'dax:Query',
        ],
        Resource: { 'Fn::GetAtt': [clusterId, 'Arn'] },
      }),
    ]);
    expect(statements.find((s) => s.Sid === 'VpcNetworkInterfaces')).toMatchObject({
      Action: expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface']),
      Resource: '*',
    });
    for (const group of GROUPS.filter((g) => g !== 'Catalog')) {
      const actions = statementsOf(api, roleIdOf(functionOf(api, group))).flatMap(actionsOf);
      expect({ group, dax: actions.filter((a) => a.startsWith('dax:')) }).toEqual({ group, dax: [] });
    }
  });

  test('THEN the VPC reaches DynamoDB through a gateway endpoint and Secrets Manager and X-Ray through private interface endpoints', () => {
    const endpoints = resourcesOf(api, 'AWS::EC2::VPCEndpoint').map(([, e]) => e.Properties);
    const service = (e: Record<string, unknown>) =>
      JSON.stringify(e.ServiceName)
        .replace(/"\]\]}$/, '')
        .split('.')
        .pop()
        ?.replace(/"$/, '');
    expect(endpoints.map((e) => [service(e), e.VpcEndpointType]).sort()).toEqual([
      ['dynamodb', 'Gateway'],
      ['secretsmanager', 'Interface'],
      ['xray', 'Interface'],
    ]);
    const gateway = endpoints.find((e) => e.VpcEndpointType === 'Gateway');
    expect(gateway?.RouteTableIds).toHaveLength(expected.zones);
    expect(JSON.stringify(gateway?.PolicyDocument)).toContain('dynamodb:GetItem');
    expect(JSON.stringify(gateway?.PolicyDocument)).not.toMatch(/PutItem|UpdateItem|DeleteItem|dynamodb:\*/);
    for (const endpoint of endpoints.filter((e) => e.VpcEndpointType === 'Interface')) {
      expect(endpoint).toMatchObject({ PrivateDnsEnabled: true, SubnetIds: isolatedSubnets });
    }
    const secrets = endpoints.find((e) => service(e) === 'secretsmanager');
    expect(secrets?.PolicyDocument).toMatchObject({
      Statement: [
        expect.objectContaining({
          Action: 'secretsmanager:GetSecretValue',
          Resource: { Ref: expect.stringMatching(/^CursorSigningKey/) },
        }),
      ],
    });
  });

  test('THEN the interface endpoints admit HTTPS from the cached functions’ security group only', () => {
    const endpointGroups = new Set(
      resourcesOf(api, 'AWS::EC2::VPCEndpoint').flatMap(([, e]) =>
        ((e.Properties.SecurityGroupIds as { 'Fn::GetAtt': [string, string] }[] | undefined) ?? []).map(
          (g) => g['Fn::GetAtt'][0],
        ),
      ),
    );
    expect(endpointGroups.size).toBe(1);
    const [endpointGroup] = [...endpointGroups];
    const ingress = resourcesOf(api, 'AWS::EC2::SecurityGroupIngress')
      .map(([, rule]) => rule.Properties)
      .filter((rule) => JSON.stringify(rule.GroupId).includes(String(endpointGroup)));
    expect(ingress).toEqual([
      expect.objectContaining({
        FromPort: 443,
        ToPort: 443,
        SourceSecurityGroupId: { 'Fn::GetAtt': [workloadSecurityGroup, 'GroupId'] },
      }),
    ]);
  });

  test('THEN every flow of the VPC is logged to a log group encrypted with the application key, kept a month', () => {
    const [, flowLog] = onlyOne(api, 'AWS::EC2::FlowLog');
    expect(flowLog.Properties).toMatchObject({
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    const groupId = (flowLog.Properties.LogGroupName as { Ref: string }).Ref;
    const group = api.toJSON().Resources[groupId] as Resource;
    expect(group.Properties).toMatchObject({ RetentionInDays: 30, KmsKeyId: expect.anything() });
    expect(JSON.stringify(group.Properties.KmsKeyId)).toContain('DataKey');
    expect(group.DeletionPolicy).toBe(expected.retained ? 'Retain' : 'Delete');
  });

  test('THEN the default security group of the VPC is stripped of its rules', () => {
    api.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('THEN the monitoring stack alarms on the cluster’s CPU, evictions and failed requests, by its name, and on fallbacks of every cached route', () => {
    const alarms = resourcesOf(templates.monitoring, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties)
      .filter((a) => String(a.AlarmName).includes('-Dax-'));
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(
      ['CPUUtilization', 'Evictions', 'FailedRequests', 'Fallbacks'].map(
        (subject) => `OrderStore-${stage}-warning-Dax-${subject}`,
      ),
    );
    const clusterName = cluster.Properties.ClusterName;
    for (const alarm of alarms.filter((a) => a.Namespace === 'AWS/DAX')) {
      expect(alarm.Dimensions).toEqual([{ Name: 'ClusterId', Value: clusterName }]);
    }
    const fallbacks = alarms.find((a) => String(a.AlarmName).endsWith('Fallbacks'));
    const routes = JSON.stringify(fallbacks?.Metrics);
    for (const route of ['GET /products/{sku}', 'GET /categories/{category}/products', 'GET /products']) {
      expect(routes).toContain(`"Value":"${route}"`);
    }
    expect(routes).toContain('"MetricName":"DaxFallbacks"');
    for (const alarm of alarms) expect(String(alarm.AlarmDescription)).toMatch(/^\[warning\] .* Runbook: \S+#dax-/);
  });
});

describe('GIVEN the DaxCache construct', () => {
  const setUp = () => {
    const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
    const vpc = new Vpc(stack, 'Vpc', { natGateways: 0, restrictDefaultSecurityGroup: false });
    const table = new TableV2(stack, 'Table', { partitionKey: { name: 'PK', type: 'S' as never } });
    const network = new IsolatedNetwork(stack, 'Network', { encryptionKey: new Key(stack, 'Key') });
    return { stack, vpc, table, network };
  };
  const props = (s: ReturnType<typeof setUp>) => ({
    table: s.table,
    vpc: s.network.vpc,
    subnets: s.network.subnets,
    clientSecurityGroup: s.network.workloadSecurityGroup,
    namePrefix: 'OrderStore-dev',
  });

  test.each<[string, object, string]>([
    ['nodes', { nodes: 11 }, 'DaxCache Cache: nodes must be a whole number from 1 to 10, got 11'],
    ['nodes', { nodes: 1.5 }, 'DaxCache Cache: nodes must be a whole number from 1 to 10, got 1.5'],
    [
      'nodeType',
      { nodeType: 'cache.t3.small' },
      'DaxCache Cache: nodeType must be a DAX node type such as "dax.t3.small", got "cache.t3.small"',
    ],
    [
      'itemTtl',
      { itemTtl: Duration.millis(0) },
      'DaxCache Cache: itemTtl must be at least 1 ms (0 would never expire)',
    ],
  ])('WHEN %s is out of range THEN it throws naming the value and what is allowed', (_prop, override, message) => {
    const s = setUp();
    expect(() => new DaxCache(s.stack, 'Cache', { ...props(s), ...override })).toThrow(message);
  });

  test('WHEN built with defaults THEN it pins its secure and cheap defaults', () => {
    const s = setUp();
    new DaxCache(s.stack, 'Cache', props(s));
    Template.fromStack(s.stack).hasResourceProperties('AWS::DAX::Cluster', {
      SSESpecification: { SSEEnabled: true },
      ClusterEndpointEncryptionType: 'TLS',
      NodeType: 'dax.t3.small',
      ReplicationFactor: 1,
    });
    Template.fromStack(s.stack).hasResourceProperties('AWS::DAX::ParameterGroup', {
      ParameterNameValues: { 'record-ttl-millis': '60000', 'query-ttl-millis': '60000' },
    });
  });

  test('WHEN the network is asked for more than three zones THEN it throws naming the value', () => {
    const s = setUp();
    expect(
      () => new IsolatedNetwork(s.stack, 'Other', { encryptionKey: new Key(s.stack, 'Key2'), availabilityZones: 4 }),
    ).toThrow('IsolatedNetwork Other: availabilityZones must be 1, 2 or 3, got 4');
  });

  test('WHEN a setting that replaces the cluster changes THEN its name changes, and stays a valid lower-case DAX name', () => {
    const small = clusterNameFor('OrderStore-prod', { nodeType: 'dax.t3.small' });
    const large = clusterNameFor('OrderStore-prod', { nodeType: 'dax.r5.large' });
    expect(small).toMatch(/^orderstore-prod-[0-9a-f]{4}$/);
    expect(small).not.toBe(large);
    expect(clusterNameFor('OrderStore-prod', { nodeType: 'dax.t3.small' })).toBe(small);
    expect(clusterNameFor('My--Very_Long Application Name-stage', {})).toMatch(/^[a-z][a-z0-9-]{0,19}$/);
    expect(clusterNameFor('My--Very_Long Application Name-stage', {}).length).toBeLessThanOrEqual(20);
  });
});
