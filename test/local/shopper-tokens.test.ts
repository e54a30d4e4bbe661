/**
 * The local stand-in for API Gateway's JWT authorizer, on the synthesized templates and without
 * engines: the authorizer's issuer and audience read from the template, tokens the local issuer
 * hands out accepted, and every token API Gateway would refuse refused with its 401.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { generateKeyPair, SignJWT } from 'jose';
import { routeList } from '../../lambdas/model/api-catalogue';
import type { CfnTemplate } from '../../local/emulation/cloudformation';
import { type AssemblyStack, jwtAuthorizersOf, routesOf } from '../../local/runner/cloud-assembly';
import { LocalResources, refKey } from '../../local/runner/references';
import { provisionOthers } from '../../local/runner/resources';
import { LocalIssuer, routeAuthorizer, TokenRefused } from '../../local/runner/shopper-tokens';
import { synthTemplates } from '../fixtures/app';

const templates = synthTemplates();
const stacks: AssemblyStack[] = Object.entries(templates).map(([name, template]) => ({
  stackName: `OrderStore-dev-${name[0]?.toUpperCase()}${name.slice(1)}`,
  template: template.toJSON() as CfnTemplate,
}));
const routes = routesOf(stacks);

let resources: LocalResources;
let issuer: LocalIssuer;

beforeAll(async () => {
  resources = new LocalResources(stacks, 'eu-west-1');
  const sqs = new SQSClient({ region: 'eu-west-1' });
  await provisionOthers(stacks, resources, undefined, sqs);
  sqs.destroy();
  const [authorizer] = jwtAuthorizersOf(stacks);
  if (authorizer === undefined) throw new Error('the template has no JWT authorizer');
  issuer = await LocalIssuer.create({
    issuer: resources.resolve(authorizer.issuer, authorizer.stackName),
    audience: authorizer.audience.map((a) => resources.resolve(a, authorizer.stackName)),
  });
});

/** A token signed by the issuer's key with exactly these claims (for claims the issuer never sets). */
const refusal = (token: string | undefined) =>
  issuer.verify(token).then(
    () => 'accepted',
    (error: unknown) => (error instanceof TokenRefused ? error.description : `threw ${String(error)}`),
  );

describe('the routes and the authorizer, as the template defines them', () => {
  test('each route keeps its authorization type: catalogue NONE, shoppers JWT, back office AWS_IAM', () => {
    const types = { public: 'NONE', shopper: 'JWT', admin: 'AWS_IAM' } as const;
    expect(routes.map((r) => [r.routeKey, r.authorization]).sort()).toEqual(
      routeList()
        .map((r) => [r.route, types[r.audience]])
        .sort(),
    );
    const [authorizer] = jwtAuthorizersOf(stacks);
    for (const route of routes.filter((r) => r.authorization === 'JWT')) {
      expect(route.authorizer && refKey(route.authorizer)).toBe(authorizer && refKey(authorizer));
    }
  });

  test("the issuer and audience are the template's, resolved to the local user pool and client", () => {
    const pool = Object.keys(templates.data.findResources('AWS::Cognito::UserPool'))[0] as string;
    const client = Object.keys(templates.data.findResources('AWS::Cognito::UserPoolClient'))[0] as string;
    const poolId = resources.refOf({ stackName: 'OrderStore-dev-Data', logicalId: pool });
    expect(poolId).toMatch(/^eu-west-1_local\w+$/);
    expect(issuer.config).toEqual({
      issuer: `https://cognito-idp.eu-west-1.amazonaws.com/${poolId}`,
      audience: [resources.refOf({ stackName: 'OrderStore-dev-Data', logicalId: client })],
    });
    expect(jwtAuthorizersOf(stacks)[0]?.identitySource).toEqual(['$request.header.Authorization']);
  });
});

describe('the local JWT authorizer', () => {
  test("accepts the issuer's token, with or without the Bearer prefix, and passes its claims on as strings", async () => {
    const token = await issuer.issue('ada');
    for (const header of [`Bearer ${token}`, `bearer ${token}`, token]) {
      const accepted = await issuer.verify(header);
      expect(accepted.claims).toMatchObject({
        sub: 'ada',
        token_use: 'access',
        client_id: issuer.config.audience[0],
        iss: issuer.config.issuer,
        exp: expect.stringMatching(/^\d+$/),
      });
      expect(accepted.scopes).toEqual(['aws.cognito.signin.user.admin']);
    }
  });

  test('refuses a missing token', async () => {
    expect(await refusal(undefined)).toBe('the token is missing');
    expect(await refusal('Bearer ')).toBe('the token is missing');
  });

  test('refuses an expired token', async () => {
    expect(await refusal(await issuer.issue('ada', { expiresIn: -5 }))).toBe('the token has expired');
  });

  test('refuses a token whose payload was changed after signing', async () => {
    const [header, payload, signature] = (await issuer.issue('ada')).split('.');
    const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString('utf8'));
    const tampered = Buffer.from(JSON.stringify({ ...claims, sub: 'bob' })).toString('base64url');
    expect(await refusal(`${header}.${tampered}.${signature}`)).toBe(
      'the token signature is invalid or the token is malformed',
    );
  });

  test('refuses a token signed by another key, even one naming the same issuer, audience and key id', async () => {
    const other = await generateKeyPair('RS256');
    const kid = String(issuer.jwks.keys[0]?.kid);
    const forged = await new SignJWT({ client_id: issuer.config.audience[0], token_use: 'access' })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setSubject('ada')
      .setIssuer(issuer.config.issuer)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(other.privateKey);
    expect(await refusal(forged)).toBe('the token signature is invalid or the token is malformed');
    const otherIssuer = await LocalIssuer.create(issuer.config);
    expect(await refusal(await otherIssuer.issue('ada'))).toBe(
      'the token signature is invalid or the token is malformed',
    );
  });

  test('refuses a token for another audience: client_id, or aud, which API Gateway checks first', async () => {
    expect(await refusal(await issuer.issue('ada', { clientId: 'another-client' }))).toBe(
      'the token does not have a valid audience',
    );
    // An ID token carries `aud`; when present it is the claim checked, whatever client_id says.
    expect(await refusal(await issuer.issue('ada', { claims: { aud: 'another-client' } }))).toBe(
      'the token does not have a valid audience',
    );
    expect(await refusal(await issuer.issue('ada', { clientId: 'x', claims: { aud: issuer.config.audience } }))).toBe(
      'accepted',
    );
  });

  test('refuses a token of another issuer, a token not yet valid, and one issued in the future', async () => {
    expect(await refusal(await issuer.issue('ada', { claims: { iss: 'https://elsewhere.example' } }))).toBe(
      'invalid iss',
    );
    const later = Math.floor(Date.now() / 1000) + 600;
    expect(await refusal(await issuer.issue('ada', { claims: { nbf: later } }))).toBe('invalid nbf');
    expect(await refusal(await issuer.issue('ada', { claims: { iat: later } }))).toBe(
      'the token was issued in the future',
    );
  });
});

describe('authorizing a route as API Gateway does', () => {
  const authorize = () => routeAuthorizer(new Map(jwtAuthorizersOf(stacks).map((a) => [refKey(a), issuer])));
  const route = (key: string) => routes.find((r) => r.routeKey === key) ?? { routeKey: key, authorization: 'NONE' };

  test('a public route needs nothing and the event carries no authorizer', async () => {
    await expect(authorize()(route('GET /products/{sku}') as never, {})).resolves.toEqual({});
  });

  test("a shopper route without a valid token is API Gateway's 401, saying why in www-authenticate", async () => {
    await expect(authorize()(route('GET /customers/{customerId}/cart') as never, {})).resolves.toEqual({
      refused: {
        statusCode: 401,
        message: 'Unauthorized',
        headers: {
          'www-authenticate': 'Bearer scope="" error="invalid_token" error_description="the token is missing"',
        },
      },
    });
  });

  test("a shopper route with the issuer's token carries its claims", async () => {
    const authorization = `Bearer ${await issuer.issue('ada')}`;
    await expect(authorize()(route('GET /customers/{customerId}/cart') as never, { authorization })).resolves.toEqual({
      authorizer: {
        jwt: { claims: expect.objectContaining({ sub: 'ada' }), scopes: ['aws.cognito.signin.user.admin'] },
      },
    });
  });

  test("a back-office route refuses a bearer token with API Gateway's 403, and lets an unsigned request through as the local IAM user", async () => {
    const admin = route('GET /admin/sales/{day}') as never;
    const authorization = `Bearer ${await issuer.issue('ada')}`;
    await expect(authorize()(admin, { authorization })).resolves.toEqual({
      refused: { statusCode: 403, message: 'Forbidden' },
    });
    await expect(authorize()(admin, {})).resolves.toMatchObject({
      authorizer: { iam: { userArn: expect.stringContaining(':user/local-developer') } },
    });
  });
});
