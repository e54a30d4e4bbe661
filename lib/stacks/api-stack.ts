import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { AppConfig } from '../config';
import { AppFunction, type TableAccess } from '../constructs/app-function';
import { acknowledgeWildcardResources } from '../nag';

export interface ApiStackProps extends StackProps {
  readonly config: AppConfig;
  readonly table: ITableV2;
  readonly idempotencyTable: ITableV2;
  readonly key: IKey;
}

/** Who a route is for: shoppers' backends, or the back office. Each gets its own invoke policy. */
type Audience = 'shopper' | 'admin';

/** A route: method, path, and the audience when it differs from its group's. */
type RouteSpec = readonly [HttpMethod, string] | readonly [HttpMethod, string, Audience];

interface RouteGroup {
  readonly id: string;
  readonly handler: string;
  readonly description: string;
  readonly access: TableAccess;
  /** Whether a route of the group scans the table (the marketing export does). */
  readonly scans?: boolean;
  /** Whether the group's mutating routes take an Idempotency-Key (and so need the idempotency table). */
  readonly idempotent?: boolean;
  readonly audience: Audience;
  readonly routes: readonly RouteSpec[];
  /**
   * Partition-key prefixes the group may write (an IAM dynamodb:LeadingKeys condition on writes).
   */
  readonly writesTo?: readonly string[];
}

/**
 * One function per route group: routes that read the same things share a function, so each
 * function holds only the grants its routes need, and a group warms up as one.
 */
export const ROUTE_GROUPS: readonly RouteGroup[] = [
  {
    id: 'Catalog',
    handler: 'api/catalog.ts',
    description: 'Catalog: products by SKU, many at once, and by category and price',
    access: 'read',
    audience: 'shopper',
    routes: [
      [HttpMethod.GET, '/products/{sku}'],
      [HttpMethod.GET, '/products'],
      [HttpMethod.GET, '/categories/{category}/products'],
    ],
  },
  {
    id: 'Customers',
    handler: 'api/customers.ts',
    description: 'Customers: profile, order history, largest orders, one order with its lines',
    access: 'read',
    audience: 'shopper',
    routes: [
      [HttpMethod.GET, '/customers/{customerId}'],
      [HttpMethod.GET, '/customers/{customerId}/orders'],
      [HttpMethod.GET, '/customers/{customerId}/orders/largest'],
      [HttpMethod.GET, '/customers/{customerId}/orders/{orderId}'],
    ],
  },
  {
    id: 'Accounts',
    handler: 'api/accounts.ts',
    description: 'Accounts: register with a unique email, change the email',
    access: 'readWrite',
    writesTo: ['CUSTOMER#*', 'EMAIL#*'],
    idempotent: true,
    audience: 'shopper',
    routes: [
      [HttpMethod.POST, '/customers'],
      [HttpMethod.PUT, '/customers/{customerId}/email'],
    ],
  },
  {
    id: 'Orders',
    handler: 'api/orders.ts',
    description: 'Orders: place, cancel, change status, checkout snapshot',
    access: 'readWrite',
    writesTo: ['CUSTOMER#*', 'PRODUCT#*'],
    idempotent: true,
    audience: 'shopper',
    routes: [
      [HttpMethod.POST, '/customers/{customerId}/orders'],
      [HttpMethod.POST, '/customers/{customerId}/orders/{orderId}/cancel'],
      // Payment, shipping and delivery are the back office's (and the fulfilment workflow's) to record.
      [HttpMethod.PUT, '/customers/{customerId}/orders/{orderId}/status', 'admin'],
      [HttpMethod.GET, '/customers/{customerId}/orders/{orderId}/checkout-summary'],
    ],
  },
  {
    id: 'Cart',
    handler: 'api/cart.ts',
    description: 'Cart: view, add, change and remove lines that expire by TTL',
    access: 'readWrite',
    writesTo: ['CUSTOMER#*'],
    audience: 'shopper',
    routes: [
      [HttpMethod.GET, '/customers/{customerId}/cart'],
      [HttpMethod.POST, '/customers/{customerId}/cart/lines'],
      [HttpMethod.PUT, '/customers/{customerId}/cart/lines/{sku}'],
      [HttpMethod.DELETE, '/customers/{customerId}/cart/lines/{sku}'],
    ],
  },
  {
    id: 'Admin',
    handler: 'api/admin.ts',
    description: 'Back office: orders by status, shipping queue, marketing export, sales figures',
    access: 'read',
    scans: true,
    audience: 'admin',
    routes: [
      [HttpMethod.GET, '/admin/orders'],
      [HttpMethod.GET, '/admin/orders/awaiting-shipment'],
      [HttpMethod.GET, '/admin/customers/marketing-export'],
      [HttpMethod.GET, '/admin/sales/{day}'],
      [HttpMethod.GET, '/admin/sales/{day}/products'],
      [HttpMethod.GET, '/admin/products/{sku}/sales'],
    ],
  },
];

/**
 * The stateless service stack: an HTTP API with IAM authorization on every route, stage
 * throttling and JSON access logs, in front of one Lambda function per route group.
 */
export class ApiStack extends Stack {
  /** Absent on a target without HTTP APIs (see lib/targets.ts). */
  readonly api?: HttpApi;
  readonly functions: Readonly<Record<string, AppFunction>>;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, table, key } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // Signs pagination cursors so that callers cannot edit them (lambdas/data/pagination.ts).
    //
    // Rotation: put a new random value; Secrets Manager makes it AWSCURRENT and the replaced value
    // AWSPREVIOUS. (`rotate-secret` needs a rotation function, which this secret does not have.)
    //   SECRET_ARN=$(aws cloudformation describe-stacks --stack-name OrderStore-<stage>-Api \
    //     --query "Stacks[0].Outputs[?OutputKey=='CursorSigningKeyArn'].OutputValue" --output text)
    //   aws secretsmanager put-secret-value --secret-id "$SECRET_ARN" \
    //     --secret-string "$(openssl rand -base64 48)"
    // Functions re-read the key within five minutes and sign with the new one; cursors signed with
    // the replaced key still open for an hour after the rotation, then get 400 and the client
    // starts the listing again. If the key may have leaked, run put-secret-value twice: the
    // leaked key is then neither AWSCURRENT nor AWSPREVIOUS and opens nothing (containers that
    // have not re-read the key yet keep signing with it for up to five minutes; those cursors are
    // refused elsewhere).
    const cursorKey = new Secret(this, 'CursorSigningKey', {
      description: `HMAC key for ${config.appName} ${config.stage} pagination cursors`,
      encryptionKey: key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(cursorKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret is an HMAC key for pagination cursors; it is rotated on demand with put-secret-value (procedure beside it in api-stack.ts) rather than by a rotation Lambda, since the functions re-read it within five minutes and accept the previous key for an hour, so a rotation needs no code and interrupts no paging.',
    });
    new CfnOutput(this, 'CursorSigningKeyArn', {
      value: cursorKey.secretArn,
      description: 'Secret holding the page-cursor signing key (rotate with put-secret-value)',
    });

    // The HTTP API, unless the target has none (LocalStack's free plan; see lib/targets.ts): there the
    // route functions are deployed on their own, to be invoked directly.
    let api: HttpApi | undefined;
    if (config.httpApi) {
      api = new HttpApi(this, 'HttpApi', {
        description: `${config.appName} (${config.stage}) store API`,
        defaultAuthorizer: new HttpIamAuthorizer(),
        createDefaultStage: false,
      });

      const accessLogs = new LogGroup(this, 'AccessLogs', {
        retention: RetentionDays.ONE_MONTH,
        encryptionKey: key,
        removalPolicy,
      });
      new HttpStage(this, 'DefaultStage', {
        httpApi: api,
        stageName: '$default',
        autoDeploy: true,
        throttle: { rateLimit: config.apiRateLimit, burstLimit: config.apiBurstLimit },
        accessLogSettings: {
          destination: new LogGroupLogDestination(accessLogs),
          format: AccessLogFormat.jsonWithStandardFields({
            caller: true,
            httpMethod: true,
            ip: true,
            protocol: true,
            requestTime: true,
            resourcePath: true,
            responseLength: true,
            status: true,
            user: true,
          }),
        },
      });
    }
    this.api = api;

    const functions: Record<string, AppFunction> = {};
    const invoke: Record<Audience, string[]> = { shopper: [], admin: [] };
    for (const group of ROUTE_GROUPS) {
      const fn = new AppFunction(this, group.id, {
        handler: group.handler,
        description: group.description,
        encryptionKey: key,
        serviceName: `order-store-${group.id.toLowerCase()}`,
        metricsNamespace: config.appName,
        timeout: Duration.seconds(10),
        logRemovalPolicy: removalPolicy,
        tracing: config.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      })
        .bindTable(table, group.access, { allowScan: group.scans === true, writesTo: group.writesTo })
        .bindSecret(cursorKey, 'CURSOR_SECRET_ARN')
        .withEnvironment({ STATUS_SHARDS: String(config.statusShards) });
      if (group.idempotent === true) fn.bindIdempotencyTable(props.idempotencyTable);
      if (api !== undefined) {
        const integration = new HttpLambdaIntegration(`${group.id}Integration`, fn.function);
        for (const [method, path, audience = group.audience] of group.routes) {
          api.addRoutes({ path, methods: [method], integration });
          invoke[audience].push(
            this.formatArn({
              service: 'execute-api',
              resource: api.apiId,
              resourceName: `$default/${method}${path.replace(/\{[^}]+\}/g, '*')}`,
            }),
          );
        }
      }
      functions[group.id] = fn;
    }
    this.functions = functions;

    if (api !== undefined) {
      // Attach these to the roles of the callers: shoppers' backends cannot reach the back office.
      for (const [audience, resources] of Object.entries(invoke)) {
        const policy = new ManagedPolicy(this, `${audience === 'admin' ? 'Admin' : 'Shopper'}InvokePolicy`, {
          description: `Invoke the ${audience} routes of the ${config.appName} ${config.stage} API`,
          statements: [new PolicyStatement({ actions: ['execute-api:Invoke'], resources })],
        });
        acknowledgeWildcardResources(
          policy,
          resources,
          'Each wildcard stands where a path parameter of one route is ({sku}, {customerId}, ...); method, stage and path prefix are fixed. IAM lets a wildcard span "/" too, so it also covers deeper paths under that prefix, which is why the back-office routes live under /admin and the status route is granted to the back office only.',
        );
      }

      new CfnOutput(this, 'ApiUrl', {
        value: api.apiEndpoint,
        description: 'Base URL of the API (SigV4-signed requests only)',
      });
    }
  }
}
