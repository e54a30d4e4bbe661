import { Match, type Template } from 'aws-cdk-lib/assertions';
import { routeList } from '../../lambdas/model/api-catalogue';
import { FUNCTION_GROUPS, type FunctionGroup } from '../../lambdas/model/api-routes';
import { groupAccess } from '../../lib/stacks/api-stack';
import { synthTemplates } from '../fixtures/app';

const WRITE_ACTIONS =
  /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems|PartiQLInsert|PartiQLUpdate|PartiQLDelete|\*)$/;

interface PolicyStatement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Every action a function's role is allowed, across all policies attached to the role. */
const GROUPS = Object.keys(FUNCTION_GROUPS) as FunctionGroup[];

function actionsOfFunction(template: Template, groupId: FunctionGroup): string[] {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { Description: FUNCTION_GROUPS[groupId].description },
  });
  const [fn] = Object.values(functions) as { Properties: { Role: { 'Fn::GetAtt': [string, string] } } }[];
  const roleId = fn?.Properties.Role['Fn::GetAtt'][0];
  expect(roleId).toBeDefined();
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  }) as Record<string, { Properties: { PolicyDocument: { Statement: PolicyStatement[] } } }>;
  const role = template.findResources('AWS::IAM::Role')[roleId as string] as {
    Properties: { ManagedPolicyArns?: unknown[] };
  };
  expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s) => s.Action));
}

describe('ApiStack', () => {
  const { api } = synthTemplates();

  test('THEN every route requires IAM (SigV4) authorization', () => {
    const routes = Object.values(api.findResources('AWS::ApiGatewayV2::Route')) as {
      Properties: { AuthorizationType: string; RouteKey: string };
    }[];
    const expected = routeList()
      .map((r) => r.route)
      .sort();
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(expected);
    for (const route of routes) expect(route.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  test('THEN the stage throttles and writes JSON access logs to an encrypted log group', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
    api.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 30 });
  });

  test('THEN each function group gets the access its routes need, derived from the catalogue', () => {
    expect(Object.fromEntries(GROUPS.map((g) => [g, groupAccess(g)]))).toEqual({
      Catalog: { access: 'read', scans: false, idempotent: false, cached: true },
      Customers: { access: 'read', scans: false, idempotent: false, cached: false },
      Accounts: { access: 'readWrite', scans: false, idempotent: true, cached: false },
      Orders: { access: 'readWrite', scans: false, idempotent: true, cached: false },
      Cart: { access: 'readWrite', scans: false, idempotent: false, cached: false },
      Admin: { access: 'read', scans: true, idempotent: false, cached: false },
    });
  });

  test.each(GROUPS)('THEN the %s function has the team defaults', (id) => {
    api.hasResourceProperties('AWS::Lambda::Function', {
      Description: FUNCTION_GROUPS[id].description,
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 10,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: Match.anyValue() }),
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: Match.anyValue(),
          CURSOR_SECRET_ARN: Match.anyValue(),
          STATUS_SHARDS: '4',
          POWERTOOLS_SERVICE_NAME: `order-store-${id.toLowerCase()}`,
        }),
      },
    });
  });

  test.each(GROUPS.filter((g) => groupAccess(g).access === 'read'))(
    'THEN the read-only %s function holds no write permission on the table',
    (id) => {
      const actions = actionsOfFunction(api, id);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
      expect(actions.filter((a) => WRITE_ACTIONS.test(a))).toEqual([]);
    },
  );

  test('THEN only the back-office function may Scan the table', () => {
    for (const group of GROUPS) {
      expect({ group, scan: actionsOfFunction(api, group).includes('dynamodb:Scan') }).toEqual({
        group,
        scan: group === 'Admin',
      });
    }
  });

  test('THEN the cart function may write, but not transact or delete tables', () => {
    const actions = actionsOfFunction(api, 'Cart');
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']));
    expect(actions).not.toContain('dynamodb:DeleteTable');
    expect(actions).not.toContain('dynamodb:*');
  });

  test.each(['Accounts', 'Orders'] as const)('THEN the %s function gets the idempotency table and its name', (id) => {
    api.hasResourceProperties('AWS::Lambda::Function', {
      Description: FUNCTION_GROUPS[id].description,
      Environment: { Variables: Match.objectLike({ IDEMPOTENCY_TABLE_NAME: Match.anyValue() }) },
    });
  });

  test('THEN table grants name each index instead of index/*', () => {
    const statements = Object.values(api.findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: PolicyStatement[] } } }).Properties.PolicyDocument.Statement,
    );
    const tableStatements = statements.filter((s) =>
      ['ReadTable', 'WriteTable'].includes((s as { Sid?: string }).Sid ?? ''),
    );
    const writers = GROUPS.filter((g) => groupAccess(g).access === 'readWrite').length;
    expect(tableStatements).toHaveLength(GROUPS.length + writers);
    for (const statement of tableStatements) expect(JSON.stringify(statement.Resource)).not.toContain('index/*');
    expect(JSON.stringify(tableStatements)).toContain('/index/OrdersByStatus');
  });

  test.each(Object.entries(FUNCTION_GROUPS).flatMap(([id, g]) => ('writesTo' in g ? [[id, g.writesTo] as const] : [])))(
    'THEN the %s function writes only to partitions %p',
    (_id, writesTo) => {
      api.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'WriteTable',
              Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': writesTo } },
            }),
          ]),
        },
      });
    },
  );

  test('THEN the cursor signing key is a secret encrypted with the application key', () => {
    api.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: Match.anyValue(),
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
  });

  test('THEN the stack outputs the signing key secret, which the rotation procedure puts a new value into', () => {
    const [secretId] = Object.keys(api.findResources('AWS::SecretsManager::Secret'));
    api.hasOutput('CursorSigningKeyArn', { Value: { Ref: secretId } });
  });

  test('THEN shoppers and the back office get separate invoke policies', () => {
    const policies = Object.values(api.findResources('AWS::IAM::ManagedPolicy')).map((p) =>
      JSON.stringify((p as { Properties: unknown }).Properties),
    );
    const shopper = policies.find((p) => p.includes('shopper routes'));
    const admin = policies.find((p) => p.includes('admin routes'));
    expect(shopper).toContain('/GET/products/*');
    expect(shopper).not.toContain('/admin/');
    expect(admin).toContain('/GET/admin/orders');
    expect(admin).toContain('/PUT/customers/*/orders/*/status');
    expect(admin).not.toContain('/$default/GET/products');
    expect(shopper).not.toContain('/status');
  });
});
