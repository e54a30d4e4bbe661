/**
 * Helpers for cdk-nag acknowledgements whose finding ids depend on synthesized values.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/**
 * Acknowledge AwsSolutions-IAM5 for specific wildcard resources of a policy, each with the reason.
 *
 * cdk-nag names each finding after the resource as it resolves in the template (`<LogicalId>`
 * for a Ref), so the ids are computed the same way instead of being copied by hand. The resources
 * must belong to the same stack as the policy.
 */
export function acknowledgeWildcardResources(policy: IConstruct, resources: readonly string[], reason: string): void {
  const stack = Stack.of(policy);
  for (const resource of resources) {
    const flat = flattenCfnReference(stack.resolve(resource));
    if (!flat.includes('*')) continue;
    Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
  }
}

/**
 * The same, for resources that refer to another stack's resource: such a reference resolves to its
 * cross-stack form (an output of the other stack) only once the app is prepared for synthesis, so
 * the ids are computed then, in the construct's validation, which runs after that and before the
 * template is written.
 */
export function acknowledgeWildcardResourcesOfOtherStacks(
  policy: IConstruct,
  resources: readonly string[],
  reason: string,
): void {
  let acknowledged = false;
  policy.node.addValidation({
    validate: () => {
      if (!acknowledged) acknowledgeWildcardResources(policy, resources, reason);
      acknowledged = true;
      return [];
    },
  });
}
