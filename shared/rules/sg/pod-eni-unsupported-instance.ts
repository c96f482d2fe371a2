import type { Finding } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import {
  bundledLimits,
  type InstanceNetworkLimits,
  limitsFor,
} from "#shared/models/instance-types/limits.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  type AuditedNodegroup,
  auditedNodegroups,
  cniConfigOf,
  deleteNodegroupCommand,
  groupEvidence,
  inlineLabel,
  instanceTypesOf,
  listText,
  recreateNodegroupCommand,
} from "./audit.ts";

const FALLBACK_X86 = "m5.large";
/** Graviton families (m6g, c7gn, t4g, im4gn…): the Arm suggestion when no AMI type says so. */
const GRAVITON = /^[a-z]+\d+g/;
const FALLBACK_ARM = "m6g.large";

interface UnsupportedType {
  instanceType: string;
  reason: "windows" | "no-trunking";
  hypervisor?: string;
  branchInterfaces?: number;
}

interface Suggestion {
  instanceType: string;
  branchInterfaces: number;
}

export const podEniUnsupportedInstance: RuleDefinition = {
  id: "sg.pod-eni-unsupported-instance",
  family: "sg",
  severity: "LOW",
  title: "Security groups for pods on instance types that cannot trunk",
  why: "`ENABLE_POD_ENI` needs trunk-capable Nitro instance types (no `t` family); pods with a security group policy cannot run on the others.",
  firesWhen: "`ENABLE_POD_ENI=true` but the node group's instance types cannot trunk (e.g. `t` family).",
  link: "https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html",
  evaluate: (inventory) =>
    auditedNodegroups(inventory).flatMap((ng) => {
      // Auto Mode has no vpc-cni (and no security groups for pods); Fargate pods get their SGs without a trunk.
      if (ng.kind === "auto-mode" || ng.kind === "fargate") return [];
      const cni = cniConfigOf(ng);
      if (!cni.settings.enablePodEni) return [];
      const types = instanceTypesOf(inventory, ng);
      const unknown: string[] = [];
      const unsupported = types.flatMap((t): UnsupportedType[] => {
        if (ng.windows) return [{ instanceType: t, reason: "windows" }];
        const limits = limitsOf(inventory, t);
        if (limits === undefined) {
          unknown.push(t);
          return [];
        }
        if (limits.trunking) return [];
        return [
          { instanceType: t, reason: "no-trunking", hypervisor: limits.hypervisor, branchInterfaces: 0 },
        ];
      });
      if (unsupported.length === 0 && !(ng.windows && types.length === 0)) return [];
      return [podEniFinding(inventory, ng, types, unsupported, unknown, cni.source)];
    }),
};

/** The account's answer first (trunking is then read from the bundled resource-controller table), else the table. */
function limitsOf(inventory: Inventory, instanceType: string): InstanceNetworkLimits | undefined {
  return limitsFor(inventory, instanceType) ?? bundledLimits(instanceType);
}

/** The same size in m5 (m6g for Arm AMIs) when it trunks, else the family's `large`. */
export function trunkingAlternative(instanceType: string | undefined, arm: boolean): Suggestion {
  const size = instanceType?.split(".")[1];
  const family = arm ? "m6g" : "m5";
  const candidates = [...(size ? [`${family}.${size}`] : []), arm ? FALLBACK_ARM : FALLBACK_X86];
  for (const candidate of candidates) {
    const limits = bundledLimits(candidate);
    if (limits?.trunking) return { instanceType: candidate, branchInterfaces: limits.branchInterfaces };
  }
  return { instanceType: FALLBACK_X86, branchInterfaces: bundledLimits(FALLBACK_X86)?.branchInterfaces ?? 0 };
}

function podEniFinding(
  inventory: Inventory,
  ng: AuditedNodegroup,
  types: string[],
  unsupported: UnsupportedType[],
  unknown: string[],
  cniSource: string,
): Finding {
  const arm =
    ng.nodegroup !== undefined
      ? (ng.nodegroup.amiType ?? "").includes("ARM_64")
      : types.some((t) => GRAVITON.test(t));
  const suggestion = trunkingAlternative(unsupported[0]?.instanceType, arm);
  const names = unsupported.map((u) => u.instanceType);
  const allUnsupported = unsupported.length === types.length;
  const why = ng.windows
    ? `it runs Windows (${ng.nodegroup?.amiType ?? "WINDOWS"}), where security groups for pods is not available`
    : `${listText(names)} cannot attach a trunk ENI (not trunking-compatible in the VPC resource controller's limits${unsupported.some((u) => u.hypervisor === "xen") ? "; Xen-based types never are" : ""})`;
  return newFinding(inventory, {
    cluster: ng.clusterName,
    ruleId: "sg.pod-eni-unsupported-instance",
    resourceId: ng.resourceId,
    severity: "LOW",
    title: ng.windows
      ? `Windows node group ${ng.name} cannot run pods with security groups`
      : `${ng.label} uses ${listText(names, 2)}, which cannot trunk: no security groups for pods there`,
    detail: `ENABLE_POD_ENI is true on cluster ${ng.clusterName}, but ${inlineLabel(ng)}: ${why}. Its nodes advertise no vpc.amazonaws.com/pod-eni capacity, so pods matched by a SecurityGroupPolicy ${allUnsupported ? "stay Pending unless another node group takes them" : "only land on the group's other instance types"}. ${suggestion.instanceType} trunks with up to ${suggestion.branchInterfaces} branch ENIs.`,
    remediation: remediation(inventory, ng, unsupported, suggestion),
    evidence: {
      ...groupEvidence(ng),
      amiType: ng.nodegroup?.amiType,
      instanceTypes: types,
      unsupported,
      ...(unknown.length > 0 ? { instanceTypesWithoutData: unknown } : {}),
      ENABLE_POD_ENI: true,
      cniSettingsSource: cniSource,
      suggestedInstanceType: suggestion,
    },
  });
}

function remediation(
  inventory: Inventory,
  ng: AuditedNodegroup,
  unsupported: UnsupportedType[],
  suggestion: Suggestion,
): string {
  const region = inventory.region;
  if (ng.windows) {
    return `Run the pods that need security groups on a Linux node group of a trunking type such as ${suggestion.instanceType} (${suggestion.branchInterfaces} branch ENIs), and keep SecurityGroupPolicy podSelectors off the Windows workloads.`;
  }
  const bad = new Set(unsupported.map((u) => u.instanceType));
  if (ng.nodegroup === undefined) return otherKindRemediation(inventory, ng, bad, suggestion);
  const keep = (ng.nodegroup.instanceTypes ?? []).filter((t) => !bad.has(t));
  const types = [...new Set([...keep, suggestion.instanceType])];
  if (ng.nodegroup.launchTemplate?.id && (ng.nodegroup.instanceTypes ?? []).length === 0) {
    return `Instance types cannot change in place. Create a launch template version with InstanceType ${suggestion.instanceType} (${suggestion.branchInterfaces} branch ENIs) and roll the node group onto it: aws ec2 create-launch-template-version --region ${region} --launch-template-id ${ng.nodegroup.launchTemplate.id} --source-version '${ng.nodegroup.launchTemplate.version ?? "$Default"}' --launch-template-data '{"InstanceType":"${suggestion.instanceType}"}' && aws eks update-nodegroup-version --region ${region} --cluster-name ${ng.clusterName} --nodegroup-name ${ng.name} --launch-template id=${ng.nodegroup.launchTemplate.id},version=NEW_VERSION (NEW_VERSION: the VersionNumber the first command prints)`;
  }
  return `Instance types of a managed node group cannot change in place: create one with trunking types (${suggestion.instanceType}: ${suggestion.branchInterfaces} branch ENIs), move the workloads, then delete ${ng.name}: ${recreateNodegroupCommand(ng, region, { suffix: "trunk", instanceTypes: types })} && ${deleteNodegroupCommand(ng, region)}`;
}

/** Karpenter and self-managed groups: the types come from the NodePool's requirements or the launch template. */
function otherKindRemediation(
  inventory: Inventory,
  ng: AuditedNodegroup,
  bad: ReadonlySet<string>,
  suggestion: Suggestion,
): string {
  const avoid = [...bad].join(", ");
  if (ng.kind === "karpenter") {
    return `Keep ${avoid} out of NodePool ${ng.name} (or out of a dedicated NodePool for the pods with a SecurityGroupPolicy), e.g. spec.template.spec.requirements: [{key: karpenter.k8s.aws/instance-family, operator: NotIn, values: [${[...new Set([...bad].map((t) => t.split(".")[0]))].join(", ")}]}] — ${suggestion.instanceType} trunks with ${suggestion.branchInterfaces} branch ENIs: kubectl edit nodepool ${ng.name}`;
  }
  const template = ng.group.launchTemplates[0];
  const id = template?.id ?? "LAUNCH_TEMPLATE_ID";
  return `Create a launch template version with InstanceType ${suggestion.instanceType} (${suggestion.branchInterfaces} branch ENIs) instead of ${avoid} and roll the Auto Scaling group onto it: aws ec2 create-launch-template-version --region ${inventory.region} --launch-template-id ${id} --source-version '${template?.version ?? "$Default"}' --launch-template-data '{"InstanceType":"${suggestion.instanceType}"}' && aws autoscaling start-instance-refresh --region ${inventory.region} --auto-scaling-group-name ${ng.name}`;
}
