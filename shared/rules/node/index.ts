import type { RuleDefinition } from "#shared/rules/rule.ts";
import { healthIssues } from "./health-issues.ts";
import { kubeReservedDisabled } from "./kube-reserved-disabled.ts";
import { kubeletConfigUnknown } from "./kubelet-config-unknown.ts";
import { partialEvictionOverride } from "./partial-eviction-override.ts";
import { systemReservedMissing } from "./system-reserved-missing.ts";

/** The node.* rules, in catalog order. */
export const NODE_RULES: RuleDefinition[] = [
  healthIssues,
  systemReservedMissing,
  partialEvictionOverride,
  kubeReservedDisabled,
  kubeletConfigUnknown,
];
