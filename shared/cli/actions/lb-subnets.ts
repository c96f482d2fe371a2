import Table from "cli-table3";
import { EXIT } from "#shared/cli/common/command.ts";
import type { CliIo } from "#shared/cli/common/io.ts";
import { FlagError, oneAccount, oneRegion } from "#shared/cli/common/options.ts";
import { type OutputFlags, outputChoice } from "#shared/cli/common/output.ts";
import { fitLines, type TextLayout } from "#shared/cli/common/render.ts";
import { openSession, type SessionFlags } from "#shared/cli/common/session.ts";
import { capacityTitle } from "#shared/inventory/capacity-label.ts";
import type { CapacityKind } from "#shared/inventory/capacity-types.ts";
import { collectInventory } from "#shared/inventory/collect.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import {
  discoverLbSubnets,
  type LbController,
  type LbSubnetDiscovery,
  type LbType,
} from "#shared/models/lb-discovery/discovery.ts";
import type { LbScheme } from "#shared/models/lb-discovery/tags.ts";
import { colors, MIN_WIDTH, wrapIndented } from "#shared/report/index.ts";
import { nodeAzsOf } from "#shared/rules/elb/node-az-without-lb-subnet.ts";
import type { RegionSelection } from "#shared/scan/plan.ts";

export interface LbSubnetsFlags extends SessionFlags, OutputFlags {
  cluster: string;
  /** `--account`/`--accounts`: exactly one. */
  accounts?: string[];
  /** `--region`/`--regions`: exactly one. */
  regions?: RegionSelection;
  scheme?: LbScheme;
  type?: LbType;
  controller: LbController;
}

/** Where the cluster's capacity runs, and the zones of it the load balancer would not reach. */
export interface CapacityZones {
  kind: CapacityKind;
  name: string;
  azs: string[];
  /** AZs of the group with no chosen subnet: targets there get no traffic from this load balancer. */
  azsWithoutSubnet: string[];
}

/** Every capacity group of the cluster (node groups, Karpenter, self-managed, Auto Mode, Fargate) by zone. */
export function capacityZones(inventory: Inventory, cluster: string, d: LbSubnetDiscovery): CapacityZones[] {
  const chosen = new Set(d.chosen.map((c) => c.availabilityZone));
  const groups = inventory.clusters.find((c) => c.cluster.name === cluster)?.capacity ?? [];
  return groups.map((group) => {
    const azs = nodeAzsOf(group, inventory);
    return {
      kind: group.kind,
      name: group.name,
      azs,
      azsWithoutSubnet: d.chosen.length === 0 ? [] : azs.filter((az) => !chosen.has(az)),
    };
  });
}

/** The JSON contract of `lb-subnets --format json`. */
export function lbSubnetsJson(d: LbSubnetDiscovery, capacity: readonly CapacityZones[] = []) {
  return {
    controller: d.controller,
    scheme: d.scheme,
    type: d.type,
    candidates: d.candidates,
    excluded: d.excluded,
    chosen: d.chosen,
    error: d.error,
    capacity,
  };
}

const CONTROLLER_NAMES: Record<LbController, string> = {
  lbc: "AWS Load Balancer Controller",
  legacy: "cloud-provider-aws service controller (legacy)",
};

/** Columns of the subnet, AZ and outcome (padding included): the reason takes the rest of the line. */
const LB_COLUMNS = [26, 17, 10] as const;

export function renderLbSubnets(
  d: LbSubnetDiscovery,
  layout: TextLayout = { width: 160, color: false },
  capacity: readonly CapacityZones[] = [],
): string {
  const width = Math.max(MIN_WIDTH + 20, layout.width);
  const c = colors(layout.color);
  const lines = [
    `Cluster ${d.cluster} (${d.vpcId ?? "no VPC"}) — ${CONTROLLER_NAMES[d.controller]}, ${d.scheme} ${d.type.toUpperCase()}`,
    d.candidateSource === "role-tag"
      ? `Candidates: subnets tagged ${d.roleTagKey} with value "1" or "" (${d.candidates.length}): ${d.candidates.join(", ") || "none"}`
      : d.candidateSource === "reachability"
        ? `No subnet of the VPC has ${d.roleTagKey}: candidates by route table (${d.scheme === "internet-facing" ? "IGW route" : "no IGW route"}) (${d.candidates.length}): ${d.candidates.join(", ") || "none"}`
        : `Candidates: subnets tagged for this cluster or for no cluster (${d.candidates.length}): ${d.candidates.join(", ") || "none"}`,
  ].map((line) => fitLines(line, width));
  // Five borders; the reason column gets what the others leave.
  const reason = width - LB_COLUMNS.reduce((n, w) => n + w, 0) - 5;
  const table = new Table({
    head: ["Subnet", "AZ", "Outcome", "Reason"],
    colWidths: [...LB_COLUMNS, reason],
    wordWrap: false,
    style: { head: [], border: [] },
  });
  const wrapReason = (text: string) => wrapIndented(text, reason - 2, 0).join("\n");
  for (const ch of d.choices)
    table.push([ch.subnetId, ch.availabilityZone, c.green("chosen"), wrapReason(ch.reason)]);
  for (const e of d.exclusions)
    table.push([e.subnetId, e.availabilityZone, c.yellow("excluded"), wrapReason(e.reason)]);
  lines.push(table.toString());
  if (capacity.length > 0) {
    const where = capacity.map(
      (g) =>
        `${capacityTitle(g.kind, g.name)} (${g.azs.join(", ") || "no known zone"}${g.azsWithoutSubnet.length > 0 ? `; no subnet for it in ${g.azsWithoutSubnet.join(", ")}` : ""})`,
    );
    lines.push(fitLines(`Capacity: ${where.join("; ")}`, width));
  }
  lines.push(
    fitLines(
      d.error === null
        ? `Result: a load balancer can be created in ${d.chosen.map((ch) => `${ch.subnetId} (${ch.availabilityZone})`).join(", ")}.`
        : `Result: the controller would fail with: ${d.error}`,
      width,
    ),
  );
  return lines.join("\n");
}

/** "Why can't my Service get a load balancer?": the chosen controller's subnet discovery, step by step. */
export async function lbSubnetsCommand(flags: LbSubnetsFlags, io: CliIo): Promise<number> {
  const account = oneAccount("lb-subnets", flags.accounts);
  const inRegion = oneRegion("lb-subnets", flags.regions);
  const output = outputChoice(flags, io);
  const session = await openSession(flags, io.env);
  try {
    const accountId = account ?? (await session.factory.callerIdentity()).accountId;
    const region = inRegion ?? (await session.defaultRegion());
    const inventory = await collectInventory(await session.factory.scopeClients(accountId, region));
    const names = inventory.clusters.map((c) => c.cluster.name ?? "");
    if (!names.includes(flags.cluster)) {
      throw new FlagError(
        `--cluster: no cluster "${flags.cluster}" in ${accountId}/${region} (clusters there: ${names.join(", ") || "none"})`,
      );
    }
    // Each controller's own default: LBC creates internal load balancers, the legacy controller internet-facing ones.
    const scheme = flags.scheme ?? (flags.controller === "lbc" ? "internal" : "internet-facing");
    const type = flags.type ?? (flags.controller === "lbc" ? "alb" : "nlb");
    const discovery = discoverLbSubnets(inventory, flags.cluster, {
      controller: flags.controller,
      scheme,
      type,
    });
    const capacity = capacityZones(inventory, flags.cluster, discovery);
    io.stdout(
      output.format === "json"
        ? `${JSON.stringify(lbSubnetsJson(discovery, capacity), null, 2)}\n`
        : `${renderLbSubnets(discovery, { width: io.columns, color: output.color }, capacity)}\n`,
    );
    return discovery.error === null ? EXIT.ok : EXIT.controllerWouldFail;
  } finally {
    await session.close();
  }
}
