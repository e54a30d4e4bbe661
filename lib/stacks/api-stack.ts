import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  type HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { GatewayVpcEndpointAwsService, InterfaceVpcEndpointAwsService } from 'aws-cdk-lib/aws-ec2';
import { AnyPrincipal, ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { type IndexName, iamActionsOf, routeList } from '../../lambdas/model/api-catalogue';
import {
  type Audience,
  FUNCTION_GROUPS,
  type FunctionGroup,
  type FunctionGroupSpec,
} from '../../lambdas/model/api-routes';
import type { AppConfig } from '../config';
import { AppFunction, tableAndIndexArns } from '../constructs/app-function';
import { DaxCache } from '../constructs/dax-cache';
import { IsolatedNetwork } from '../constructs/isolated-network';
import type { ShopperIdentity } from '../constructs/shopper-identity';
import { acknowledgeWildcardResources } from '../nag';
import { stageNames } from '../names';

export interface ApiStackProps extends StackProps {
  readonly config: AppConfig;
  readonly table: ITableV2;
  readonly idempotencyTable: ITableV2;
  readonly key: IKey;
  /**
   * The shoppers' user pool and app client, whose tokens the shopper routes accept; required with
   * the HTTP API.
   *
   * @default - none (only where the target has no HTTP API)
   */
  readonly shoppers?: ShopperIdentity;
}

/** What a function group's routes need from the table, derived from the requests they make. */
export interface GroupAccess {
  /**
   * The item actions on the table itself that the group's requests need, sorted: each request's own
   * action, or each item kind's for a transaction.
   */
  readonly tableActions: readonly string[];
  /** The indexes the group's routes query, sorted. */
  readonly indexes: readonly IndexName[];
  /** A route of the group scans the table (the marketing export does). */
  readonly scans: boolean;
  /** A route of the group takes an Idempotency-Key, so the function needs the idempotency table. */
  readonly idempotent: boolean;
  /** The group's routes read through the DAX cluster when there is one (every route of it is cached). */
  readonly cached: boolean;
}

/**
 * Derive a group's access from the requests the catalogue documents for its routes, which the
 * integration tests check against what the code sends: an action only where a request needs it,
 * an index only where a route queries it.
 */
export function groupAccess(group: FunctionGroup): GroupAccess {
  const routes = routeList().filter((r) => r.group === group);
  const requests = routes.flatMap((r) => r.patterns.flatMap((p) => p.requests));
  const onIndexes = requests.filter((r) => r.index !== undefined);
  const notQuery = onIndexes.find((r) => r.operation !== 'Query');
  if (notQuery !== undefined) throw new Error(`${group}: only Query is granted on indexes, not ${notQuery.operation}`);
  return {
    tableActions: [...new Set(requests.filter((r) => r.index === undefined).flatMap(iamActionsOf))].sort(),
    indexes: [...new Set(onIndexes.map((r) => r.index as IndexName))].sort(),
    scans: requests.some((r) => r.operation === 'Scan'),
    idempotent: routes.some((r) => r.idempotent === true),
    cached: routes.length > 0 && routes.every((r) => r.cached === true),
  };
}

/** The handler file of a group: `lambdas/handlers/api/<group in lower case>.ts`. */
export const groupHandler = (group: FunctionGroup): string => `api/${group.toLowerCase()}.ts`;

/**
 * The stateless service stack: an HTTP API with stage throttling and JSON access logs, in front of
 * one Lambda function per route group. Each route is authorized by its audience: the catalogue's
 * reads are public, the shoppers' routes take a token of the shoppers' user pool (a JWT
 * authorizer), the back office's routes take SigV4 (IAM authorization).
 */
export class ApiStack extends Stack {
  /** Absent on a target without HTTP APIs (see lib/targets.ts). */
  readonly api?: HttpApi;
  readonly functions: Readonly<Record<FunctionGroup, AppFunction>>;
  /**
   * The DAX cluster of the catalogue's reads, with `-c dax=true` (docs/dax.md). It lives here, with
   * the functions that read through it, because a cache holds nothing that is not in the table: it
   * is as stateless as they are, is replaced and redeployed with them, and a replacement (a new node
   * type, say) changes the endpoint they are given in the same deployment.
   */
  readonly cache?: DaxCache;
  /** The function groups whose reads go through `cache`, when there is one. */
  readonly cachedGroups: readonly FunctionGroup[];

  /**
   * The region's first three Availability Zones as CloudFormation lists them for the account
   * (`Fn::GetAZs`), with or without an account in the stack's environment: no context lookup, so
   * synthesis needs no credentials, a stage without an account still gets three zones for a
   * three-node cluster, and the template names no zone. Only the cache's network uses them.
   */
  override get availabilityZones(): string[] {
    return [0, 1, 2].map((index) => Fn.select(index, Fn.getAzs()));
  }

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
    let authorizers: Record<Audience, IHttpRouteAuthorizer> | undefined;
    if (config.httpApi) {
      const { shoppers } = props;
      if (shoppers === undefined) {
        throw new Error(
          'ApiStack: the HTTP API needs `shoppers` (the user pool whose tokens its shopper routes accept)',
        );
      }
      api = new HttpApi(this, 'HttpApi', {
        description: `${config.appName} (${config.stage}) store API`,
        // Every route names its authorizer below; a route added without one still needs SigV4.
        defaultAuthorizer: new HttpIamAuthorizer(),
        createDefaultStage: false,
      });
      authorizers = {
        public: new HttpNoneAuthorizer(),
        // API Gateway checks the token's signature (the pool's published keys), issuer, audience
        // (the storefront client) and expiry, and answers 401 itself; the function then binds the
        // customer id to the token's subject (lambdas/shared/http.ts).
        shopper: new HttpJwtAuthorizer('Shoppers', shoppers.issuer, {
          jwtAudience: [shoppers.client.userPoolClientId],
          identitySource: ['$request.header.Authorization'],
        }),
        admin: new HttpIamAuthorizer(),
      };

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

    if (config.dax !== undefined) {
      // Isolated subnets in as many Availability Zones as a cluster of three or more nodes spreads
      // across; two for a single node, so that the functions keep two.
      const network = new IsolatedNetwork(this, 'CacheNetwork', {
        encryptionKey: key,
        availabilityZones: config.dax.nodes >= 3 ? 3 : 2,
        flowLogRemovalPolicy: removalPolicy,
        // What the cached function calls besides DAX: the table (reads that fall back), the cursor
        // key, and X-Ray. Logs and metrics (EMF lines) leave through Lambda, not the VPC.
        gatewayEndpoints: { DynamoDb: GatewayVpcEndpointAwsService.DYNAMODB },
        interfaceEndpoints: {
          SecretsManager: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
          ...(config.tracing ? { XRay: InterfaceVpcEndpointAwsService.XRAY } : {}),
        },
      });
      // Endpoint policies: from this network, the table can only be read and the secret only
      // fetched, whatever a role elsewhere in the account may do.
      const inThisAccount = { StringEquals: { 'aws:PrincipalAccount': this.account } };
      network.gatewayEndpoints.DynamoDb?.addToPolicy(
        new PolicyStatement({
          principals: [new AnyPrincipal()],
          actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
          resources: tableAndIndexArns(table),
          conditions: inThisAccount,
        }),
      );
      network.interfaceEndpoints.SecretsManager?.addToPolicy(
        new PolicyStatement({
          principals: [new AnyPrincipal()],
          actions: ['secretsmanager:GetSecretValue'],
          resources: [cursorKey.secretArn],
          conditions: inThisAccount,
        }),
      );
      this.cache = new DaxCache(this, 'Cache', {
        table,
        vpc: network.vpc,
        subnets: network.subnets,
        clientSecurityGroup: network.workloadSecurityGroup,
        namePrefix: stageNames(config).prefix,
        nodeType: config.dax.nodeType,
        nodes: config.dax.nodes,
        itemTtl: Duration.seconds(config.dax.itemTtlSeconds),
        queryTtl: Duration.seconds(config.dax.queryTtlSeconds),
      });
      new CfnOutput(this, 'DaxClusterName', {
        value: this.cache.clusterName,
        description: 'DAX cluster of the catalogue reads (aws dax describe-clusters --cluster-names ...)',
      });
    }

    const functions: Record<string, AppFunction> = {};
    const cachedGroups: FunctionGroup[] = [];
    const adminRoutes: string[] = [];
    for (const [id, spec] of Object.entries(FUNCTION_GROUPS) as [FunctionGroup, FunctionGroupSpec][]) {
      const { tableActions, indexes, idempotent, cached } = groupAccess(id);
      const fn = new AppFunction(this, id, {
        handler: groupHandler(id),
        description: spec.description,
        encryptionKey: key,
        serviceName: `order-store-${id.toLowerCase()}`,
        metricsNamespace: config.appName,
        timeout: Duration.seconds(10),
        logRemovalPolicy: removalPolicy,
        tracing: config.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
        ...(cached && this.cache !== undefined ? { cache: this.cache } : {}),
      })
        .bindTable(table, {
          actions: tableActions,
          indexes,
          ...(spec.readsFrom === undefined ? {} : { readsFrom: spec.readsFrom }),
          ...(spec.writesTo === undefined ? {} : { writesTo: spec.writesTo }),
        })
        .bindSecret(cursorKey, 'CURSOR_SECRET_ARN')
        .withEnvironment({ STATUS_SHARDS: String(config.statusShards) });
      if (idempotent) fn.bindIdempotencyTable(props.idempotencyTable);
      if (api !== undefined && authorizers !== undefined) {
        const integration = new HttpLambdaIntegration(`${id}Integration`, fn.function);
        for (const route of routeList().filter((r) => r.group === id)) {
          const [method, path] = route.route.split(' ') as [HttpMethod, string];
          const added = api.addRoutes({
            path,
            methods: [method],
            integration,
            authorizer: authorizers[route.audience],
          });
          if (route.audience === 'public') {
            for (const r of added) {
              Validations.of(r).acknowledge({
                id: 'AwsSolutions-APIG4',
                reason:
                  'A public read of the catalogue: anyone may browse products without signing in, as in any shop. It returns public product fields only, is throttled by the stage, and its function can read only product partitions.',
              });
            }
          }
          if (route.audience !== 'admin') continue;
          adminRoutes.push(
            this.formatArn({
              service: 'execute-api',
              resource: api.apiId,
              resourceName: `$default/${method}${path.replace(/\{[^}]+\}/g, '*')}`,
            }),
          );
        }
      }
      functions[id] = fn;
      if (cached && this.cache !== undefined) cachedGroups.push(id);
    }
    this.functions = functions as Record<FunctionGroup, AppFunction>;
    this.cachedGroups = cachedGroups;

    if (api !== undefined) {
      // Attach this to the back office's roles. Shoppers need no IAM principal: their routes take a
      // token of the user pool, and a storefront backend that calls for a shopper passes the
      // shopper's token on (docs/security.md).
      const policy = new ManagedPolicy(this, 'AdminInvokePolicy', {
        description: `Invoke the admin routes of the ${config.appName} ${config.stage} API`,
        statements: [new PolicyStatement({ actions: ['execute-api:Invoke'], resources: adminRoutes })],
      });
      acknowledgeWildcardResources(
        policy,
        adminRoutes,
        'Each wildcard stands where a path parameter of one route is ({day}, {sku}, {customerId}, ...); method, stage and path prefix are fixed. IAM lets a wildcard span "/" too, so it also covers deeper paths under that prefix; the only such paths are shopper routes, which take no SigV4 (their authorizer is the JWT one), so the policy opens nothing more.',
      );

      new CfnOutput(this, 'ApiUrl', {
        value: api.apiEndpoint,
        description: 'Base URL of the API: catalogue public, shopper routes with a token, back office with SigV4',
      });
    }
  }
}
