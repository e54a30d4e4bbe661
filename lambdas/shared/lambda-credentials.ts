/**
 * The AWS SDK's credential chain as Lambda needs it: the environment only.
 *
 * The SDK's default chain (`@aws-sdk/credential-provider-node`) also knows SSO, shared config
 * files, credential processes, web identity tokens and the ECS and EC2 metadata endpoints, and
 * bundles the clients those need (STS, SSO, SSO OIDC): about a quarter of a function's bundle and
 * of its load time. None of it ever runs in Lambda, whose runtime puts the function role's
 * credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN);
 * nor locally, where the runner and the tests set the same variables. The function bundles alias
 * the default chain to this module (lib/constructs/app-function.ts). Remove the alias to run the
 * bundles anywhere credentials come from elsewhere.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** Stands for `@aws-sdk/credential-provider-node`'s `defaultProvider`: the same call, the environment only. */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
