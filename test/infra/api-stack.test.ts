import { Match, type Template } from 'aws-cdk-lib/assertions';
import { routeList } from '../../lambdas/model/api-catalogue';
import { FUNCTION_GROUPS, type FunctionGroup, type FunctionGroupSpec } from '../../lambdas/model/api-routes';
import { GlobalIndexes, LocalIndexes } from '../../lambdas/model/table-design';
import { IDEMPOTENCY_ACTIONS } from '../../lib/constructs/app-function';
import { groupAccess } from '../../lib/stacks/api-stack';
import { synthTemplates } from '../fixtures/app';
import { roleOfFunction, statementsOfRole } from '../fixtures/iam';

const GROUPS = Object.keys(FUNCTION_GROUPS) as FunctionGroup[];
const LOCAL_INDEXES: readonly string[] = Object.values(LocalIndexes).map((i) => i.indexName);
const asList = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());

/**
 * What a group's role must hold, derived from the requests its routes make (the catalogue, which
 * the integration tests check against the requests the code sends), by statement id: each
 * statement's actions, sorted, and its condition.
 */
function expectedStatements(group: FunctionGroup): Record<string, { actions: string[]; condition?: unknown }> {
  const { tableActions, indexes, idempotent } = groupAccess(group);
  const spec: FunctionGroupSpec = FUNCTION_GROUPS[group];
  const reads = tableActions.filter((a) => /:(GetItem|BatchGetItem|Query|Scan)$/.test(a));
  const writes = tableActions.filter((a) => !reads.includes(a));
  const held = (patterns: readonly string[] | undefined) =>
    patterns === undefined ? {} : { condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': patterns } } };
  const via = (service: string) => ({
    condition: { StringEquals: { 'kms:ViaService': `${service}.eu-west-1.amazonaws.com` } },
  });
  const encryptDecrypt = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
  const local = indexes.filter((i) => LOCAL_INDEXES.includes(i));
  const global = indexes.filter((i) => !LOCAL_INDEXES.includes(i));
  return {
    Logs: { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'] },
    XRay: { actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'] },
    ...(reads.length === 0 ? {} : { ReadTable: { actions: reads, ...held(spec.readsFrom) } }),
    ...(local.length === 0 ? {} : { ReadLocalIndexes: { actions: ['dynamodb:Query'], ...held(spec.readsFrom) } }),
    ...(global.length === 0 ? {} : { ReadGlobalIndexes: { actions: ['dynamodb:Query'] } }),
    ...(writes.length === 0 ? {} : { WriteTable: { actions: writes, ...held(spec.writesTo) } }),
    TableKey: { actions: writes.length === 0 ? ['kms:Decrypt'] : encryptDecrypt, ...via('dynamodb') },
    ReadSecret: { actions: ['secretsmanager:GetSecretValue'] },
    SecretKey: { actions: ['kms:Decrypt'], ...via('secretsmanager') },
    ...(idempotent
      ? {
          IdempotencyRecords: { actions: [...IDEMPOTENCY_ACTIONS].sort() },
          IdempotencyKey: { actions: encryptDecrypt, ...via('dynamodb') },
        }
      : {}),
  };
}

/** A role's statements keyed as `expectedStatements` keys them (the CDK's own grants have no Sid). */
function heldStatements(template: Template, group: FunctionGroup) {
  const role = roleOfFunction(template, FUNCTION_GROUPS[group].description);
  return Object.fromEntries(
    statementsOfRole(template, role).map((s) => {
      const actions = asList(s.Action).sort();
      const key = s.Sid ?? (actions[0]?.startsWith('logs:') ? 'Logs' : actions[0]?.startsWith('xray:') ? 'XRay' : '?');
      return [key, { actions, ...(s.Condition === undefined ? {} : { condition: s.Condition }) }];
    }),
  );
}

describe('ApiStack', () => {
  const { api } = synthTemplates();

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

  test.each(['Accounts', 'Orders'] as const)('THEN the %s function gets the idempotency table and its name', (id) => {
    api.hasResourceProperties('AWS::Lambda::Function', {
      Description: FUNCTION_GROUPS[id].description,
      Environment: { Variables: Match.objectLike({ IDEMPOTENCY_TABLE_NAME: Match.anyValue() }) },
    });
  });

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

  test('THEN each route is authorized by its audience: catalogue reads public, shopper routes by token, the back office by SigV4', () => {
    const routes = Object.values(api.findResources('AWS::ApiGatewayV2::Route')) as {
      Properties: { AuthorizationType: string; RouteKey: string; AuthorizerId?: { Ref: string } };
    }[];
    const [authorizerId] = Object.keys(api.findResources('AWS::ApiGatewayV2::Authorizer'));
    const expected = { public: 'NONE', shopper: 'JWT', admin: 'AWS_IAM' } as const;
    expect(
      routes.map((r) => [r.Properties.RouteKey, r.Properties.AuthorizationType, r.Properties.AuthorizerId]).sort(),
    ).toEqual(
      routeList()
        .map((r) => [r.route, expected[r.audience], r.audience === 'shopper' ? { Ref: authorizerId } : undefined])
        .sort(),
    );
    const unauthorized = routes
      .filter((r) => r.Properties.AuthorizationType === 'NONE')
      .map((r) => r.Properties.RouteKey);
    expect(unauthorized.sort()).toEqual([
      'GET /categories/{category}/products',
      'GET /products',
      'GET /products/{sku}',
    ]);
    for (const route of routeList().filter((r) => r.audience === 'shopper'))
      expect(route.route).toMatch(/^\w+ \/customers(\/|$)/);
  });

  test("THEN the JWT authorizer accepts the shoppers' user pool's tokens for the storefront client only", () => {
    api.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [
          {
            'Fn::GetStackOutput': Match.objectLike({
              OutputName: Match.stringLikeRegexp('ShoppersUserPoolStorefront'),
            }),
          },
        ],
        Issuer: {
          'Fn::Join': [
            '',
            [
              'https://cognito-idp.eu-west-1.',
              { Ref: 'AWS::URLSuffix' },
              '/',
              {
                'Fn::GetStackOutput': Match.objectLike({
                  OutputName: Match.stringLikeRegexp('ShoppersUserPool[A-F0-9]{8}'),
                }),
              },
            ],
          ],
        },
      },
    });
  });

  test.each(GROUPS)("THEN the %s function's role holds exactly what its routes' requests need", (group) => {
    expect(heldStatements(api, group)).toEqual(expectedStatements(group));
  });

  test('THEN the derived grants are the ones the docs describe', () => {
    // A readable pin of what the derivation gives; a change here is a change of docs/security.md.
    const table = Object.fromEntries(
      GROUPS.map((g) => {
        const { tableActions, indexes } = groupAccess(g);
        return [
          g,
          [...tableActions.map((a) => a.replace('dynamodb:', '')), ...indexes.map((i) => `Query ${i}`)].join(', '),
        ];
      }),
    );
    expect(table).toEqual({
      Catalog: 'BatchGetItem, GetItem, Query GSI1',
      Customers: 'GetItem, Query, Query GSI1, Query OrdersByTotal',
      Accounts: 'DeleteItem, GetItem, PutItem, UpdateItem',
      Orders: 'BatchGetItem, GetItem, PutItem, Query, UpdateItem',
      Cart: 'DeleteItem, GetItem, PutItem, Query, UpdateItem',
      Admin: 'GetItem, Query, Scan, Query AwaitingShipment, Query GSI1, Query OrdersByStatus',
    });
  });

  test('THEN no function may read a global index under a partition condition, and only Admin may Scan, unheld', () => {
    for (const group of GROUPS) {
      const held = heldStatements(api, group);
      expect({ group, scan: held.ReadTable?.actions.includes('dynamodb:Scan') ?? false }).toEqual({
        group,
        scan: group === 'Admin',
      });
      if (group === 'Admin') expect(held.ReadTable?.condition).toBeUndefined();
    }
    expect(Object.values(GlobalIndexes).length).toBeGreaterThan(0);
  });

  test('THEN only the back office gets an invoke policy, for exactly the admin routes', () => {
    api.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    const [policy] = Object.values(api.findResources('AWS::IAM::ManagedPolicy')).map((p) =>
      JSON.stringify((p as { Properties: unknown }).Properties),
    );
    const admin = routeList().filter((r) => r.audience === 'admin');
    for (const route of admin) {
      const [method, path] = route.route.split(' ');
      expect(policy).toContain(`/$default/${method}${path?.replace(/\{[^}]+\}/g, '*')}"`);
    }
    expect(policy?.match(/\$default\//g)).toHaveLength(admin.length);
  });
});
