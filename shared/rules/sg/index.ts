import type { RuleDefinition } from "#shared/rules/rule.ts";
import { datastoreReachableByAllPods } from "./datastore-reachable-by-all-pods.ts";
import { missingControlPlaneRules } from "./missing-control-plane-rules.ts";
import { multipleClusterTaggedSgs } from "./multiple-cluster-tagged-sgs.ts";
import { nodeWorldIngress } from "./node-world-ingress.ts";
import { podEniUnsupportedInstance } from "./pod-eni-unsupported-instance.ts";
import { sshOpenToWorld } from "./ssh-open-to-world.ts";

export { type AuditedNodegroup, auditedNodegroups } from "./audit.ts";
export { DATA_STORE_PORTS } from "./datastore-reachable-by-all-pods.ts";

/** The sg.* rules, in catalog order. */
export const SG_RULES: RuleDefinition[] = [
  sshOpenToWorld,
  nodeWorldIngress,
  datastoreReachableByAllPods,
  missingControlPlaneRules,
  multipleClusterTaggedSgs,
  podEniUnsupportedInstance,
];
