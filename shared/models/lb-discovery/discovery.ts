import type { RouteTable, Subnet } from "@aws-sdk/client-ec2";
import type { ClusterInventory, Inventory } from "#shared/inventory/types.ts";
import {
  defaultRouteTarget,
  hasInternetGatewayRoute,
  internetGatewayOf,
  routeTableOf,
} from "#shared/models/network/route-tables.ts";
import { type SubnetLocale, subnetLocaleOf, zoneTypeOf } from "#shared/models/network/zones.ts";
import {
  clusterPrefixKeys,
  hasLegacyProviderClusterTag,
  hasOwnClusterTag,
  hasTag,
  hasValidRoleTag,
  INTERNAL_ROLE_TAG,
  type LbScheme,
  lbcForeignClusterKeys,
  MIN_LB_SUBNET_IPS,
  PUBLIC_ROLE_TAG,
  roleTagKeyFor,
  tagValue,
} from "./tags.ts";

/**
 * Load-balancer subnet discovery of the two controllers, as pure functions over an inventory.
 *
 * - `lbc`: kubernetes-sigs/aws-load-balancer-controller `pkg/networking/subnet_resolver.go`
 *   (`ResolveViaDiscovery`, v2.12.1+ with the reachability fallback, default feature gates).
 * - `legacy`: kubernetes/cloud-provider-aws `pkg/providers/v1/aws.go` (`findELBSubnets`).
 *
 * The result is what `eks-audit lb-subnets` prints: every subnet of the cluster VPC is either chosen
 * or excluded with a human reason, and `error` is the controller's own message when it would fail.
 */

export type LbController = "lbc" | "legacy";
export type LbType = "alb" | "nlb";

export interface LbDiscoveryOptions {
  controller: LbController;
  scheme: LbScheme;
  type: LbType;
  /** LBC feature gate `SubnetsClusterTagCheck` (default on). */
  subnetsClusterTagCheck?: boolean;
  /** LBC feature gate `ALBSingleSubnet` (default off). */
  albSingleSubnet?: boolean;
  /** LBC feature gate `SubnetDiscoveryByReachability` (default on). */
  subnetDiscoveryByReachability?: boolean;
}

export type ExclusionCause =
  | "no-role-tag"
  | "invalid-role-tag-value"
  | "reachability"
  | "foreign-cluster-tag"
  | "insufficient-ips"
  | "zone-type"
  | "same-az";

export interface ExcludedSubnet {
  subnetId: string;
  availabilityZone: string;
  cause: ExclusionCause;
  reason: string;
  /** foreign-cluster-tag: the keys that exclude the subnet. */
  foreignClusterKeys?: string[];
  /** insufficient-ips: AvailableIpAddressCount. */
  availableIps?: number;
  /** same-az: the subnet picked instead. */
  chosenSubnetId?: string;
}

export interface ChosenSubnet {
  availabilityZone: string;
  subnetId: string;
  /** Why this subnet won its AZ. */
  reason: string;
}

/** Machine-readable outcome behind `error`. */
export type LbDiscoveryFailure =
  | "cluster-not-found"
  | "route-table-missing"
  | "no-subnet"
  | "mixed-locales"
  | "too-few-subnets";

export interface LbSubnetDiscovery {
  controller: LbController;
  scheme: LbScheme;
  type: LbType;
  cluster: string;
  vpcId: string | null;
  /** The role tag key of the scheme. */
  roleTagKey: string;
  /** How candidates were found: role tag, LBC reachability fallback, or (legacy) cluster tags. */
  candidateSource: "role-tag" | "reachability" | "cluster-tag";
  /** LBC only: no subnet of the VPC has the role tag with value `""`/`"1"`, so reachability decided. */
  fallbackUsed: boolean;
  /** Subnets with a valid role tag in the VPC (any eligibility); one of them switches the fallback off. */
  roleTaggedSubnetIds: string[];
  /** The subnets the controller evaluated ("Evaluated N subnets"). */
  candidates: string[];
  /** Every subnet of the VPC that is not chosen, with a human reason. */
  excluded: { subnetId: string; reason: string }[];
  /** One subnet per AZ. */
  chosen: { availabilityZone: string; subnetId: string }[];
  /** `excluded` with the AZ, a cause code and the facts behind the reason. */
  exclusions: ExcludedSubnet[];
  /** `chosen` with why each subnet won its AZ. */
  choices: ChosenSubnet[];
  /** The locale of the chosen subnets when they share one. */
  locale: SubnetLocale | null;
  minimumSubnets: number;
  counts: { vpcSubnets: number; evaluated: number; taggedForOtherClusters: number; insufficientIps: number };
  /** The controller's error, worded as the controller words it; null when a load balancer can be created. */
  error: string | null;
  failure: LbDiscoveryFailure | null;
}

interface DiscoveryContext {
  clusterName: string;
  vpcId: string;
  /** Subnets of the cluster VPC, sorted by subnet id. */
  subnets: Subnet[];
  routeTables: RouteTable[];
}

export function discoverLbSubnets(
  inventory: Inventory,
  clusterName: string,
  options: LbDiscoveryOptions,
): LbSubnetDiscovery {
  const cluster = inventory.clusters.find((c) => c.cluster.name === clusterName);
  if (!cluster) {
    return {
      ...emptyResult(clusterName, null, options),
      error: `cluster ${clusterName} not found in ${inventory.accountId}/${inventory.region}`,
      failure: "cluster-not-found",
    };
  }
  return discoverForCluster(inventory, cluster, options);
}

export function discoverForCluster(
  inventory: Inventory,
  cluster: ClusterInventory,
  options: LbDiscoveryOptions,
): LbSubnetDiscovery {
  const clusterName = cluster.cluster.name ?? "";
  const vpcId = cluster.vpcId;
  if (vpcId === undefined) {
    return {
      ...emptyResult(clusterName, null, options),
      error: `cluster ${clusterName} has no VPC in its resourcesVpcConfig`,
      failure: "cluster-not-found",
    };
  }
  const context: DiscoveryContext = {
    clusterName,
    vpcId,
    subnets: subnetsOfVpc(inventory.subnets, vpcId),
    routeTables: inventory.routeTables.filter((t) => t.VpcId === undefined || t.VpcId === vpcId),
  };
  return options.controller === "lbc"
    ? discoverWithLbc(context, options)
    : discoverWithLegacy(context, options);
}

export function subnetsOfVpc(subnets: Subnet[], vpcId: string): Subnet[] {
  // Grouped and sorted once per subnet list (every cluster and scheme asks), then copied out.
  let byVpc = subnetsByVpc.get(subnets);
  if (byVpc === undefined) {
    const built = new Map<string, Subnet[]>();
    for (const s of subnets) {
      const list = built.get(s.VpcId ?? "") ?? [];
      list.push(s);
      built.set(s.VpcId ?? "", list);
    }
    for (const list of built.values()) list.sort((a, b) => compareIds(idOf(a), idOf(b)));
    byVpc = built;
    subnetsByVpc.set(subnets, byVpc);
  }
  return [...(byVpc.get(vpcId) ?? [])];
}

const subnetsByVpc = new WeakMap<readonly Subnet[], ReadonlyMap<string, Subnet[]>>();

// ---------------------------------------------------------------------------------------------------
// aws-load-balancer-controller

function discoverWithLbc(context: DiscoveryContext, options: LbDiscoveryOptions): LbSubnetDiscovery {
  const base = emptyResult(context.clusterName, context.vpcId, options);
  const selection = lbcCandidates(context, options);
  const common = {
    ...base,
    roleTaggedSubnetIds: selection.roleTaggedSubnetIds,
    candidateSource: selection.fallbackUsed ? ("reachability" as const) : ("role-tag" as const),
    fallbackUsed: selection.fallbackUsed,
  };
  if (selection.missingRouteTable) {
    return {
      ...common,
      counts: { ...base.counts, vpcSubnets: context.subnets.length },
      error: `failed to list subnets by reachability: [this shall never happen] could not identify main route table for vpc: ${context.vpcId}`,
      failure: "route-table-missing",
    };
  }
  const eligibility = lbcEligibility(selection.candidates, context, options);
  const { chosen, passedOver } = chooseOnePerAz(eligibility.eligible, (azSubnets) =>
    rankLbcSubnets(azSubnets, context.clusterName),
  );
  chosen.sort((a, b) => compareIds(a.subnetId, b.subnetId));
  const result: LbSubnetDiscovery = {
    ...common,
    ...outcome(chosen, [...selection.excluded, ...eligibility.excluded, ...passedOver]),
    candidates: selection.candidates.map(idOf),
    counts: {
      vpcSubnets: context.subnets.length,
      evaluated: selection.candidates.length,
      taggedForOtherClusters: eligibility.taggedForOtherClusters,
      insufficientIps: eligibility.insufficientIps,
    },
  };
  return { ...result, ...validateLbcChoice(result, context, options) };
}

interface LbcSelection {
  candidates: Subnet[];
  excluded: ExcludedSubnet[];
  roleTaggedSubnetIds: string[];
  fallbackUsed: boolean;
  /** Fallback only: some subnet has neither an explicit nor a main route table. */
  missingRouteTable: boolean;
}

/** `ResolveViaDiscovery`: role tag `""`/`"1"`, else (no such subnet in the VPC) subnets of the right reachability. */
function lbcCandidates(context: DiscoveryContext, options: LbDiscoveryOptions): LbcSelection {
  const roleTagKey = roleTagKeyFor(options.scheme);
  const roleTagged = context.subnets.filter((s) => hasValidRoleTag(s, roleTagKey));
  const roleTaggedSubnetIds = roleTagged.map(idOf);
  const fallbackUsed = roleTagged.length === 0 && options.subnetDiscoveryByReachability !== false;
  if (!fallbackUsed) {
    return {
      candidates: roleTagged,
      excluded: context.subnets
        .filter((s) => !roleTagged.includes(s))
        .map((s) => roleTagExclusion(s, roleTagKey, options.scheme)),
      roleTaggedSubnetIds,
      fallbackUsed,
      missingRouteTable: false,
    };
  }
  if (context.subnets.some((s) => routeTableOf(s, context.routeTables) === undefined)) {
    return { candidates: [], excluded: [], roleTaggedSubnetIds, fallbackUsed, missingRouteTable: true };
  }
  const needsPublic = options.scheme === "internet-facing";
  const candidates = context.subnets.filter((s) => isPublic(s, context) === needsPublic);
  return {
    candidates,
    excluded: context.subnets
      .filter((s) => !candidates.includes(s))
      .map((s) => reachabilityExclusion(s, context, options.scheme)),
    roleTaggedSubnetIds,
    fallbackUsed,
    missingRouteTable: false,
  };
}

/** `categorizeSubnetsByEligibility`: another cluster's tag first, then the 8-IP floor. */
function lbcEligibility(candidates: Subnet[], context: DiscoveryContext, options: LbDiscoveryOptions) {
  const eligible: Subnet[] = [];
  const excluded: ExcludedSubnet[] = [];
  let taggedForOtherClusters = 0;
  let insufficientIps = 0;
  for (const s of candidates) {
    const foreignKeys = lbcForeignClusterKeys(s, context.clusterName);
    const availableIps = s.AvailableIpAddressCount ?? 0;
    if (options.subnetsClusterTagCheck !== false && foreignKeys.length > 0) {
      taggedForOtherClusters++;
      excluded.push(foreignClusterExclusion(s, foreignKeys));
    } else if (availableIps < MIN_LB_SUBNET_IPS) {
      insufficientIps++;
      excluded.push({
        ...where(s),
        cause: "insufficient-ips",
        reason: `only ${availableIps} available IPs (needs at least ${MIN_LB_SUBNET_IPS})`,
        availableIps,
      });
    } else {
      eligible.push(s);
    }
  }
  return { eligible, excluded, taggedForOtherClusters, insufficientIps };
}

/** `chooseAndValidateSubnetsPerAZ`: nothing chosen, mixed locales, then the minimal count. */
function validateLbcChoice(
  result: LbSubnetDiscovery,
  context: DiscoveryContext,
  options: LbDiscoveryOptions,
): Pick<LbSubnetDiscovery, "error" | "failure" | "locale" | "minimumSubnets"> {
  const { chosen, counts } = result;
  if (chosen.length === 0) {
    return {
      error: `unable to resolve at least one subnet. Evaluated ${counts.evaluated} subnets: ${counts.taggedForOtherClusters} are tagged for other clusters, and ${counts.insufficientIps} have insufficient available IP addresses`,
      failure: "no-subnet",
      locale: null,
      minimumSubnets: result.minimumSubnets,
    };
  }
  const locales = [
    ...new Set(
      chosen.map((c) => {
        const subnet = context.subnets.find((s) => idOf(s) === c.subnetId);
        return subnet ? subnetLocaleOf(subnet) : "availability-zone";
      }),
    ),
  ].sort();
  const [locale] = locales;
  if (locales.length > 1 || locale === undefined) {
    return {
      error: `subnets in multiple locales: [${locales.join(" ")}]`,
      failure: "mixed-locales",
      locale: null,
      minimumSubnets: result.minimumSubnets,
    };
  }
  const minimumSubnets =
    options.type === "alb" && locale === "availability-zone" && options.albSingleSubnet !== true ? 2 : 1;
  if (chosen.length < minimumSubnets) {
    return {
      error: `subnets count less than minimal required count: ${chosen.length} < ${minimumSubnets}`,
      failure: "too-few-subnets",
      locale,
      minimumSubnets,
    };
  }
  return { error: null, failure: null, locale, minimumSubnets };
}

/** `chooseSubnetsPerAZ`: the current cluster's tag first, then the lowest subnet id (plain string order). */
function rankLbcSubnets(azSubnets: Subnet[], clusterName: string): RankedChoice {
  const ranked = [...azSubnets].sort((a, b) => {
    const ownA = hasOwnClusterTag(a, clusterName);
    const ownB = hasOwnClusterTag(b, clusterName);
    if (ownA !== ownB) return ownA ? -1 : 1;
    return compareIds(idOf(a), idOf(b));
  });
  return {
    ranked,
    decidedBy: (winner, others) =>
      hasOwnClusterTag(winner, clusterName) && others.some((o) => !hasOwnClusterTag(o, clusterName))
        ? "cluster-tag"
        : "id",
  };
}

// ---------------------------------------------------------------------------------------------------
// cloud-provider-aws (in-tree service controller)

function discoverWithLegacy(context: DiscoveryContext, options: LbDiscoveryOptions): LbSubnetDiscovery {
  const roleTagKey = roleTagKeyFor(options.scheme);
  const base = emptyResult(context.clusterName, context.vpcId, options);
  base.roleTaggedSubnetIds = context.subnets.filter((s) => hasValidRoleTag(s, roleTagKey)).map(idOf);
  const excluded: ExcludedSubnet[] = [];

  // findSubnets: tagged for this cluster, or no `kubernetes.io/cluster/` key at all.
  const candidates: Subnet[] = [];
  for (const s of context.subnets) {
    const prefixKeys = clusterPrefixKeys(s);
    if (hasLegacyProviderClusterTag(s, context.clusterName) || prefixKeys.length === 0) candidates.push(s);
    else excluded.push(foreignClusterExclusion(s, prefixKeys));
  }

  // isSubnetPublic runs for every candidate and fails the whole call when no table applies.
  const missing = candidates.find((s) => routeTableOf(s, context.routeTables) === undefined);
  if (missing) {
    return {
      ...base,
      candidates: candidates.map(idOf),
      error: `could not locate routing table for subnet ${idOf(missing)}`,
      failure: "route-table-missing",
    };
  }

  const usable: Subnet[] = [];
  for (const s of candidates) {
    if (options.scheme === "internet-facing" && !isPublic(s, context)) {
      excluded.push(reachabilityExclusion(s, context, options.scheme));
    } else if (zoneTypeOf(azOf(s)) !== "availability-zone") {
      // The zone-type filter runs per AZ after the choice upstream; the outcome is the same.
      excluded.push({ ...where(s), cause: "zone-type", reason: "not in zone type availability-zone" });
    } else {
      usable.push(s);
    }
  }

  const { chosen, passedOver } = chooseOnePerAz(usable, (azSubnets) =>
    rankLegacySubnets(azSubnets, roleTagKey, context.clusterName),
  );
  excluded.push(...passedOver);
  chosen.sort((a, b) => compareIds(a.availabilityZone, b.availabilityZone));

  return {
    ...base,
    ...outcome(chosen, excluded),
    candidateSource: "cluster-tag",
    candidates: candidates.map(idOf),
    locale: chosen.length > 0 ? "availability-zone" : null,
    minimumSubnets: 1,
    counts: {
      vpcSubnets: context.subnets.length,
      evaluated: candidates.length,
      taggedForOtherClusters: context.subnets.length - candidates.length,
      insufficientIps: 0,
    },
    error: chosen.length === 0 ? "could not find any suitable subnets for creating the ELB" : null,
    failure: chosen.length === 0 ? "no-subnet" : null,
  };
}

/** findELBSubnets tie-break: the role key (any value), then the cluster tag, then the lowest subnet id. */
function rankLegacySubnets(azSubnets: Subnet[], roleTagKey: string, clusterName: string): RankedChoice {
  const ranked = [...azSubnets].sort((a, b) => {
    const roleA = hasTag(a, roleTagKey);
    const roleB = hasTag(b, roleTagKey);
    if (roleA !== roleB) return roleA ? -1 : 1;
    const ownA = hasLegacyProviderClusterTag(a, clusterName);
    const ownB = hasLegacyProviderClusterTag(b, clusterName);
    if (ownA !== ownB) return ownA ? -1 : 1;
    return compareIds(idOf(a), idOf(b));
  });
  return {
    ranked,
    decidedBy: (winner, others) => {
      const role = hasTag(winner, roleTagKey);
      if (role && others.some((o) => !hasTag(o, roleTagKey))) return "role-tag";
      const own = hasLegacyProviderClusterTag(winner, clusterName);
      if (own && others.some((o) => !hasLegacyProviderClusterTag(o, clusterName))) return "cluster-tag";
      return "id";
    },
    roleTagKey,
  };
}

// ---------------------------------------------------------------------------------------------------
// shared steps

interface RankedChoice {
  /** The AZ's subnets, best first. */
  ranked: Subnet[];
  /** What separated the winner from the others. */
  decidedBy: (winner: Subnet, others: Subnet[]) => "role-tag" | "cluster-tag" | "id";
  roleTagKey?: string;
}

function chooseOnePerAz(
  subnets: Subnet[],
  rank: (azSubnets: Subnet[]) => RankedChoice,
): { chosen: ChosenSubnet[]; passedOver: ExcludedSubnet[] } {
  const chosen: ChosenSubnet[] = [];
  const passedOver: ExcludedSubnet[] = [];
  for (const [az, azSubnets] of groupByAz(subnets)) {
    const { ranked, decidedBy, roleTagKey } = rank(azSubnets);
    const [winner, ...others] = ranked;
    if (!winner) continue;
    const winnerId = idOf(winner);
    const decision = decidedBy(winner, others);
    chosen.push({
      availabilityZone: az,
      subnetId: winnerId,
      reason: chosenReason(az, ranked.length, decision, roleTagKey),
    });
    for (const other of others) {
      passedOver.push({
        ...where(other),
        cause: "same-az",
        reason: passedOverReason(az, winnerId, decision, roleTagKey),
        chosenSubnetId: winnerId,
      });
    }
  }
  return { chosen, passedOver };
}

function chosenReason(
  az: string,
  eligible: number,
  decision: string,
  roleTagKey: string | undefined,
): string {
  if (eligible === 1) return `only eligible subnet in ${az}`;
  if (decision === "role-tag")
    return `has the role tag ${roleTagKey ?? ""} (preferred among ${eligible} in ${az})`;
  if (decision === "cluster-tag") return `has the cluster tag (preferred among ${eligible} in ${az})`;
  return `lowest subnet id of ${eligible} eligible in ${az}`;
}

function passedOverReason(az: string, winnerId: string, decision: string, roleTagKey: string | undefined) {
  if (decision === "role-tag") return `in ${az}, where ${winnerId} has the role tag ${roleTagKey ?? ""}`;
  if (decision === "cluster-tag") return `in ${az}, where ${winnerId} has the cluster tag`;
  return `in ${az}, where lower subnet id ${winnerId} was chosen`;
}

function roleTagExclusion(subnet: Subnet, roleTagKey: string, scheme: LbScheme): ExcludedSubnet {
  const value = tagValue(subnet, roleTagKey);
  if (value !== undefined) {
    return {
      ...where(subnet),
      cause: "invalid-role-tag-value",
      reason: `role tag ${roleTagKey} has value "${value}" (must be "1" or empty)`,
    };
  }
  const otherKey = scheme === "internal" ? PUBLIC_ROLE_TAG : INTERNAL_ROLE_TAG;
  const hint = hasTag(subnet, otherKey) ? ` (it has ${otherKey}, the other scheme's tag)` : "";
  return { ...where(subnet), cause: "no-role-tag", reason: `no ${roleTagKey} tag${hint}` };
}

function reachabilityExclusion(subnet: Subnet, context: DiscoveryContext, scheme: LbScheme): ExcludedSubnet {
  const table = routeTableOf(subnet, context.routeTables);
  const tableName = table?.RouteTableId ?? "its route table";
  if (scheme === "internet-facing") {
    const target = defaultRouteTarget(table);
    const via = target ? ` (0.0.0.0/0 goes to ${target})` : "";
    return {
      ...where(subnet),
      cause: "reachability",
      reason: `private subnet: ${tableName} has no route to an internet gateway${via}`,
    };
  }
  return {
    ...where(subnet),
    cause: "reachability",
    reason: `public subnet: ${tableName} routes to ${internetGatewayOf(table) ?? "an internet gateway"}`,
  };
}

function foreignClusterExclusion(subnet: Subnet, keys: string[]): ExcludedSubnet {
  return {
    ...where(subnet),
    cause: "foreign-cluster-tag",
    reason: `tagged for other cluster(s): ${keys.join(", ")}`,
    foreignClusterKeys: keys,
  };
}

function isPublic(subnet: Subnet, context: DiscoveryContext): boolean {
  return hasInternetGatewayRoute(routeTableOf(subnet, context.routeTables));
}

function groupByAz(subnets: Subnet[]): Map<string, Subnet[]> {
  const byAz = new Map<string, Subnet[]>();
  for (const s of subnets) byAz.set(azOf(s), [...(byAz.get(azOf(s)) ?? []), s]);
  return byAz;
}

function emptyResult(cluster: string, vpcId: string | null, options: LbDiscoveryOptions): LbSubnetDiscovery {
  return {
    controller: options.controller,
    scheme: options.scheme,
    type: options.type,
    cluster,
    vpcId,
    roleTagKey: roleTagKeyFor(options.scheme),
    candidateSource: options.controller === "lbc" ? "role-tag" : "cluster-tag",
    fallbackUsed: false,
    roleTaggedSubnetIds: [],
    candidates: [],
    excluded: [],
    chosen: [],
    exclusions: [],
    choices: [],
    locale: null,
    minimumSubnets: options.controller === "lbc" && options.type === "alb" ? 2 : 1,
    counts: { vpcSubnets: 0, evaluated: 0, taggedForOtherClusters: 0, insufficientIps: 0 },
    error: null,
    failure: null,
  };
}

/** The printed lists and their detailed twins, excluded subnets sorted by id. */
function outcome(
  choices: ChosenSubnet[],
  excluded: ExcludedSubnet[],
): Pick<LbSubnetDiscovery, "chosen" | "excluded" | "choices" | "exclusions"> {
  const exclusions = [...excluded].sort((a, b) => compareIds(a.subnetId, b.subnetId));
  return {
    chosen: choices.map(({ availabilityZone, subnetId }) => ({ availabilityZone, subnetId })),
    excluded: exclusions.map(({ subnetId, reason }) => ({ subnetId, reason })),
    choices,
    exclusions,
  };
}

function where(subnet: Subnet): { subnetId: string; availabilityZone: string } {
  return { subnetId: idOf(subnet), availabilityZone: azOf(subnet) };
}

function idOf(subnet: Subnet): string {
  return subnet.SubnetId ?? "";
}

function azOf(subnet: Subnet): string {
  return subnet.AvailabilityZone ?? "";
}

/** Go's `<` on strings: code-unit order, not locale order. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
