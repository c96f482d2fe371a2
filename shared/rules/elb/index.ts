import type { RuleDefinition } from "#shared/rules/rule.ts";
import { foreignClusterTag } from "./foreign-cluster-tag.ts";
import { invalidRoleTagValue } from "./invalid-role-tag-value.ts";
import { noEligibleSubnet } from "./no-eligible-subnet.ts";
import { nodeAzWithoutLbSubnet } from "./node-az-without-lb-subnet.ts";
import { roleTagSchemeMismatch } from "./role-tag-scheme-mismatch.ts";
import { singleAz } from "./single-az.ts";
import { staleClusterTag } from "./stale-cluster-tag.ts";

export {
  type ChosenSubnet,
  discoverForCluster,
  discoverLbSubnets,
  type ExcludedSubnet,
  type LbController,
  type LbDiscoveryFailure,
  type LbDiscoveryOptions,
  type LbSubnetDiscovery,
  type LbType,
} from "#shared/models/lb-discovery/discovery.ts";
export type { LbScheme } from "#shared/models/lb-discovery/tags.ts";

/** The elb.* rules, in catalog order. */
export const ELB_RULES: RuleDefinition[] = [
  noEligibleSubnet,
  singleAz,
  invalidRoleTagValue,
  roleTagSchemeMismatch,
  foreignClusterTag,
  staleClusterTag,
  nodeAzWithoutLbSubnet,
];
