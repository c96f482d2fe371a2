import type { Nodegroup } from "@aws-sdk/client-eks";
import type { CapacityKind } from "#shared/inventory/capacity-types.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import type { KubeletConfigReading } from "#shared/models/kubelet/types.ts";

/**
 * A capacity group whose kubelet settings the node rules judge: a managed node group, a self-managed Auto
 * Scaling group, or one launch template of a Karpenter NodePool (each renders its own user data). Auto Mode and
 * Fargate have none: AWS manages their kubelet (rule catalog v2).
 */
export interface AuditedNodegroup {
  clusterName: string;
  /** The group's name (node group, Auto Scaling group, NodePool). */
  nodegroupName: string;
  kind: CapacityKind;
  /** The node group's DescribeNodegroup record; undefined for the other kinds. */
  nodegroup: Nodegroup | undefined;
  /** What findings name: the node group name (v1 identity), else `<kind>/<name>`. */
  resourceId: string;
  /** Karpenter: the launch template the reading comes from (a NodePool may have several: one finding each). */
  variant?: string;
  /** `Node group web`, `Self-managed group legacy`, `Karpenter node pool default (launch template lt-…)`. */
  label: string;
  /** Undefined when the collector produced no reading for the group. */
  reading: KubeletConfigReading | undefined;
}

const LABEL: Partial<Record<CapacityKind, string>> = {
  "managed-nodegroup": "Node group",
  "self-managed": "Self-managed group",
  karpenter: "Karpenter node pool",
};

/** The label inside a sentence (`node group web`). */
export function inlineLabel(ng: Pick<AuditedNodegroup, "label" | "kind">): string {
  return ng.kind === "karpenter" ? ng.label : ng.label.charAt(0).toLowerCase() + ng.label.slice(1);
}

export function auditedNodegroups(inventory: Pick<Inventory, "clusters" | "kubelet">): AuditedNodegroup[] {
  return inventory.clusters.flatMap(({ cluster, capacity }) => {
    const clusterName = cluster.name;
    if (clusterName === undefined) return [];
    return capacity.flatMap((group) => {
      const kindLabel = LABEL[group.kind];
      if (kindLabel === undefined) return [];
      return group.kubeletKeys.map((key, i) => {
        const templateId = group.kind === "karpenter" ? group.launchTemplates[i]?.id : undefined;
        const reading = Object.hasOwn(inventory.kubelet, key) ? inventory.kubelet[key] : undefined;
        return {
          clusterName,
          nodegroupName: group.name,
          kind: group.kind,
          nodegroup: group.source.nodegroup,
          resourceId: group.resourceId,
          ...(templateId !== undefined ? { variant: templateId } : {}),
          label: `${kindLabel} ${group.name}${templateId !== undefined ? ` (launch template ${templateId})` : ""}`,
          reading,
        };
      });
    });
  });
}

/** Groups whose kubelet settings were read with confidence: known AMI, user data parsed. */
export function readableNodegroups(
  inventory: Pick<Inventory, "clusters" | "kubelet">,
): (AuditedNodegroup & { reading: KubeletConfigReading })[] {
  return auditedNodegroups(inventory).flatMap((ng) =>
    ng.reading?.known === true && ng.reading.parseError === undefined ? [{ ...ng, reading: ng.reading }] : [],
  );
}

/** Managed node groups only (node.health-issues reads DescribeNodegroup's health). */
export function managedNodegroups(
  inventory: Pick<Inventory, "clusters" | "kubelet">,
): (AuditedNodegroup & { nodegroup: Nodegroup })[] {
  return auditedNodegroups(inventory).flatMap((ng) =>
    ng.nodegroup !== undefined ? [{ ...ng, nodegroup: ng.nodegroup }] : [],
  );
}

/** The finding fields naming the group: its resourceId and, for a Karpenter template, the variant. */
export function identity(ng: AuditedNodegroup): { resourceId: string; variant?: string } {
  return { resourceId: ng.resourceId, ...(ng.variant !== undefined ? { variant: ng.variant } : {}) };
}
