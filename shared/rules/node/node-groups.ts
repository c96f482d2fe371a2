import type { Nodegroup } from "@aws-sdk/client-eks";
import { kubeletReadingKey } from "#shared/inventory/kubelet-readings.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import type { KubeletConfigReading } from "#shared/models/kubelet/types.ts";

export interface AuditedNodegroup {
  clusterName: string;
  nodegroupName: string;
  nodegroup: Nodegroup;
  /** Undefined when the collector produced no reading for the node group. */
  reading: KubeletConfigReading | undefined;
}

export function auditedNodegroups(inventory: Pick<Inventory, "clusters" | "kubelet">): AuditedNodegroup[] {
  return inventory.clusters.flatMap(({ cluster, nodegroups }) =>
    nodegroups.flatMap((nodegroup) => {
      const clusterName = cluster.name;
      const nodegroupName = nodegroup.nodegroupName;
      if (clusterName === undefined || nodegroupName === undefined) return [];
      const key = kubeletReadingKey(clusterName, nodegroupName);
      const reading = Object.hasOwn(inventory.kubelet, key) ? inventory.kubelet[key] : undefined;
      return [{ clusterName, nodegroupName, nodegroup, reading }];
    }),
  );
}

/** Node groups whose kubelet settings were read with confidence: known AMI, user data parsed. */
export function readableNodegroups(
  inventory: Pick<Inventory, "clusters" | "kubelet">,
): (AuditedNodegroup & { reading: KubeletConfigReading })[] {
  return auditedNodegroups(inventory).flatMap((ng) =>
    ng.reading?.known === true && ng.reading.parseError === undefined ? [{ ...ng, reading: ng.reading }] : [],
  );
}
