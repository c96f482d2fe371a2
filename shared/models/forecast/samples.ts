import type { Inventory, SampledGroup, SubnetSample } from "#shared/inventory/types.ts";
import { clusterHeadroom, type SubnetHeadroom } from "#shared/models/ip-headroom/headroom.ts";
import { sampleHour } from "./hour.ts";

/**
 * What a complete scan records per subnet used by a capacity group (the forecast's history): free IPs and
 * /28 blocks, the room of each group in it, its nodes. From the headroom already computed for the ip
 * rules: no AWS call of its own.
 */
export function subnetSamples(inventory: Inventory, at: string): SubnetSample[] {
  const bySubnet = new Map<string, SubnetSample>();
  const nodesBySubnet = new Map<string, Set<string>>();
  for (const c of clusterHeadroom(inventory)) {
    const capacity = inventory.clusters.find((ci) => ci.cluster.name === c.cluster)?.capacity ?? [];
    for (const ng of c.nodegroups) {
      const group = capacity.find((g) => g.resourceId === ng.resourceId);
      for (const s of [...ng.subnets, ...ng.podSubnets]) {
        let sample = bySubnet.get(s.subnetId);
        if (!sample) {
          sample = {
            subnetId: s.subnetId,
            accountId: inventory.accountId,
            region: inventory.region,
            ...(s.availabilityZone ? { availabilityZone: s.availabilityZone } : {}),
            at,
            availableIps: s.available,
            ...(s.prefixBlocks ? { freePrefixBlocks: s.prefixBlocks.free } : {}),
            nodes: 0,
            groups: [],
          };
          bySubnet.set(s.subnetId, sample);
        }
        const here = (group?.nodes ?? []).filter((n) => n.subnetId === s.subnetId).map((n) => n.id);
        const seen = nodesBySubnet.get(s.subnetId) ?? new Set<string>();
        for (const id of here) seen.add(id);
        nodesBySubnet.set(s.subnetId, seen);
        const launch = s.podSubnetCost?.launch ?? ng.launch;
        const full = s.podSubnetCost?.full ?? ng.full;
        const fargate = ng.kind === "fargate";
        const entry: SampledGroup = {
          cluster: c.cluster,
          group: ng.resourceId,
          kind: ng.kind,
          instanceType: ng.instanceType,
          launchIps: launch.ips.nodeSubnet,
          needIps: oneMoreNeeds(s, launch.ips.nodeSubnet),
          fitsAtLaunch: s.fitsAtLaunch,
          fitsAtFull: s.fitsAtFull,
          podsAtLaunch: fargate ? s.fitsAtLaunch : s.fitsAtLaunch * launch.pods,
          podsAtFull: fargate ? s.fitsAtFull : s.fitsAtFull * full.pods,
          nodes: fargate ? (s.fargatePods ?? here.length) : here.length,
        };
        // A group listed twice for one subnet (node and pod subnet at once) keeps its first entry.
        if (!sample.groups.some((g) => g.cluster === entry.cluster && g.group === entry.group)) {
          sample.groups.push(entry);
        }
      }
    }
  }
  return [...bySubnet.values()]
    .map((s) => ({ ...s, nodes: nodesBySubnet.get(s.subnetId)?.size ?? 0 }))
    .sort((a, b) => a.subnetId.localeCompare(b.subnetId));
}

/**
 * Free IPs a subnet needs for one more node of a given launch cost: the cost, the reserve kept free in a
 * cluster subnet, less the addresses of prefix reservations EC2 still hands out as prefixes (as the headroom's
 * `fitsAtLaunchByIps` counts them). Below it `ip.subnet-exhausted` fires.
 */
export function oneMoreNeeds(subnet: SubnetHeadroom, launchIps: number): number {
  const unheld = subnet.prefixBlocks?.prefixReservations?.unheldAddresses ?? 0;
  return subnet.reserve + Math.max(1, launchIps) - unheld;
}

/** What the subnet needs for one more node of any of its groups (of `cluster` when given): the largest need. */
export function subnetNeed(sample: SubnetSample, cluster?: string): number | undefined {
  const needs = sample.groups
    .filter((g) => cluster === undefined || g.cluster === cluster)
    .map((g) => g.needIps);
  return needs.length > 0 ? Math.max(...needs) : undefined;
}

/**
 * The forecast's history: the stored samples plus this scan's. A subnet whose hour already holds a stored
 * sample of this account keeps that one (so a re-run within the hour sees, and projects, exactly what the
 * first run did); the others are this scan's samples to record.
 */
export function withCurrentSamples(
  stored: ReadonlyMap<string, readonly SubnetSample[]>,
  current: readonly SubnetSample[],
): { bySubnet: Map<string, SubnetSample[]>; toRecord: SubnetSample[] } {
  const bySubnet = new Map<string, SubnetSample[]>();
  const toRecord: SubnetSample[] = [];
  for (const sample of current) {
    const earlier = [...(stored.get(sample.subnetId) ?? [])];
    const hour = sampleHour(sample.at);
    const taken = earlier.some((s) => s.accountId === sample.accountId && sampleHour(s.at) === hour);
    if (!taken) {
      earlier.push(sample);
      toRecord.push(sample);
    }
    bySubnet.set(
      sample.subnetId,
      earlier.sort((a, b) => a.at.localeCompare(b.at)),
    );
  }
  return { bySubnet, toRecord };
}
