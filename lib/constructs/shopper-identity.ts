import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface ShopperIdentityProps {
  /**
   * What happens to the user pool (and so every shopper's sign-in) when it leaves the stack.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Refuse to delete the user pool until this is switched off.
   *
   * @default false
   */
  readonly deletionProtection?: boolean;
}

/**
 * The secure defaults, in one place; docs/security.md says why each.
 *
 * - Plus feature plan, for threat protection (compromised credentials, adaptive authentication)
 *   enforced: Plus bills per monthly active user like the other plans, with no hourly charge.
 * - Sign-in by email, verified by Cognito, case-insensitive; passwords of 12 or more characters
 *   with all four kinds of character; temporary passwords valid 3 days; account recovery by email
 *   only (no SMS, which needs a role and bills per message).
 * - MFA optional, by authenticator app (TOTP): a shopper may turn it on; threat protection asks for
 *   a second factor on risky sign-ins.
 * - One public app client (no secret: a storefront in a browser or an app cannot keep one), sign-in
 *   by SRP only, user-existence errors hidden, revocable refresh tokens, one-hour access tokens.
 */
const DEFAULTS = {
  featurePlan: FeaturePlan.PLUS,
  standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
  passwordPolicy: {
    minLength: 12,
    requireLowercase: true,
    requireUppercase: true,
    requireDigits: true,
    requireSymbols: true,
    tempPasswordValidity: Duration.days(3),
  },
  accessTokenValidity: Duration.hours(1),
  idTokenValidity: Duration.hours(1),
  refreshTokenValidity: Duration.days(30),
  removalPolicy: RemovalPolicy.DESTROY,
} as const;

/**
 * The shoppers' identities: a Cognito user pool that shoppers sign up to and sign in to with their
 * email, and the storefront's app client. The API's JWT authorizer accepts the tokens it issues
 * (`issuer`, audience `client.userPoolClientId`), and a shopper's customer id is the token's
 * subject (`sub`).
 *
 * @example
 * const shoppers = new ShopperIdentity(this, 'Shoppers', { removalPolicy: RemovalPolicy.RETAIN });
 */
export class ShopperIdentity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  /** The `iss` of the pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
  readonly issuer: string;

  constructor(scope: Construct, id: string, props: ShopperIdentityProps = {}) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: DEFAULTS.passwordPolicy,
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: DEFAULTS.featurePlan,
      standardThreatProtectionMode: DEFAULTS.standardThreatProtectionMode,
      deletionProtection: props.deletionProtection ?? false,
      removalPolicy: props.removalPolicy ?? DEFAULTS.removalPolicy,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional for shoppers (TOTP, turned on by the shopper): requiring it of every customer of a store turns buyers away, and Plus threat protection, enforced, asks for a second factor when a sign-in looks risky and blocks compromised credentials.',
    });

    this.client = this.userPool.addClient('Storefront', {
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: DEFAULTS.accessTokenValidity,
      idTokenValidity: DEFAULTS.idTokenValidity,
      refreshTokenValidity: DEFAULTS.refreshTokenValidity,
    });

    this.issuer = `https://cognito-idp.${Stack.of(this).region}.${Stack.of(this).urlSuffix}/${this.userPool.userPoolId}`;
  }
}
