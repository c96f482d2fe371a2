import {
  type _InstanceType,
  type EC2Client,
  type Filter,
  type LaunchTemplateVersion,
  type NetworkInterface,
  paginateDescribeInstanceTypes,
  paginateDescribeLaunchTemplateVersions,
  paginateDescribeNetworkInterfaces,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcs,
  type SecurityGroup,
} from "@aws-sdk/client-ec2";
import {
  type Addon,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  type EKSClient,
  paginateListClusters,
  paginateListNodegroups,
} from "@aws-sdk/client-eks";
import pLimit from "p-limit";
import { prefixDelegationEnabled } from "#shared/models/cni/config.ts";
import {
  launchTemplateVersionOf,
  nodeSecurityGroups,
} from "#shared/models/security-groups/node-security-groups.ts";
import { kubeletReadings, withoutUserData } from "./kubelet-readings.ts";
import { type ClusterInventory, emptyInventory, type Inventory } from "./types.ts";

export interface ScopeClients {
  accountId: string;
  region: string;
  ec2: EC2Client;
  eks: EKSClient;
}

export interface CollectOptions {
  /** Calls in flight at once inside this account-region: EC2 throttles per account-region-API. */
  concurrency?: number;
}

export const DEFAULT_SCOPE_CONCURRENCY = 4;
const EC2_PAGE = 1000;
/** DescribeRouteTables takes at most 100 per page. */
const ROUTE_TABLE_PAGE = 100;
const EKS_PAGE = 100;
/** EC2 accepts at most 200 values per filter. */
const FILTER_VALUES_MAX = 200;
/** DescribeInstanceTypes accepts at most 100 types per call. */
const INSTANCE_TYPES_MAX = 100;
const SGP_ENI_DESCRIPTIONS = ["aws-k8s-branch-eni", "aws-k8s-trunk-eni"];

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function isNotFound(err: unknown): boolean {
  return (err as { name?: string } | undefined)?.name === "ResourceNotFoundException";
}

/**
 * Fetches everything the rules need for one account-region, with as few calls as possible:
 * one paginated listing per API per region (or per set of cluster VPCs), never one per subnet.
 */
export async function collectInventory(
  clients: ScopeClients,
  options: CollectOptions = {},
): Promise<Inventory> {
  const { ec2, eks, accountId, region } = clients;
  const limit = pLimit(options.concurrency ?? DEFAULT_SCOPE_CONCURRENCY);
  const run = <T>(fn: () => Promise<T>) => limit(fn);

  // Every subnet and VPC of the region: stale cluster tags matter outside cluster VPCs too, and a
  // snapshot of the region must hold the VPC of every subnet it records.
  const subnetsPromise = run(() => all(paginateDescribeSubnets({ client: ec2, pageSize: EC2_PAGE }, {})));
  const vpcsPromise = run(() => all(paginateDescribeVpcs({ client: ec2, pageSize: EC2_PAGE }, {})));
  // Awaited below; marked handled so a failure elsewhere first does not leave them unobserved.
  subnetsPromise.catch(() => undefined);
  vpcsPromise.catch(() => undefined);
  const clusterNames = (
    await run(() => all(paginateListClusters({ client: eks, pageSize: EKS_PAGE }, {})))
  ).flatMap((p) => p.clusters ?? []);

  const clusters = await Promise.all(clusterNames.map((name) => collectCluster(eks, name, run)));
  const subnets = (await subnetsPromise).flatMap((p) => p.Subnets ?? []);
  const vpcs = (await vpcsPromise).flatMap((p) => p.Vpcs ?? []);
  const inventory: Inventory = { ...emptyInventory(accountId, region), clusters, subnets, vpcs };
  if (clusters.length === 0) return inventory;

  const vpcIds = [...new Set(clusters.map((c) => c.cluster.resourcesVpcConfig?.vpcId).filter(isString))];
  const vpcFilter = (ids: string[]): Filter[] => [{ Name: "vpc-id", Values: ids }];
  const templates = launchTemplatesToDescribe(clusters);

  const [routeTables, securityGroups, launchTemplateVersions] = await Promise.all([
    Promise.all(
      chunks(vpcIds, FILTER_VALUES_MAX).map((ids) =>
        run(() =>
          all(
            paginateDescribeRouteTables(
              { client: ec2, pageSize: ROUTE_TABLE_PAGE },
              { Filters: vpcFilter(ids) },
            ),
          ),
        ),
      ),
    ),
    Promise.all(
      chunks(vpcIds, FILTER_VALUES_MAX).map((ids) =>
        run(() =>
          all(
            paginateDescribeSecurityGroups({ client: ec2, pageSize: EC2_PAGE }, { Filters: vpcFilter(ids) }),
          ),
        ),
      ),
    ),
    Promise.all(
      [...templates].map(([id, versions]) =>
        // No page size: AWS answers named versions in one page, but a NextToken is still followed.
        run(() =>
          all(
            paginateDescribeLaunchTemplateVersions(
              { client: ec2 },
              { LaunchTemplateId: id, Versions: [...versions] },
            ),
          ),
        ),
      ),
    ),
  ]);
  inventory.routeTables = routeTables.flat().flatMap((p) => p.RouteTables ?? []);
  inventory.securityGroups = securityGroups.flat().flatMap((p) => p.SecurityGroups ?? []);
  // User data can hold secrets: keep only what the kubelet settings parse to, never the data itself.
  const versionsWithUserData = launchTemplateVersions.flat().flatMap((r) => r.LaunchTemplateVersions ?? []);
  inventory.launchTemplateVersions = withoutUserData(versionsWithUserData);

  const instanceTypes = instanceTypesOf(clusters, inventory.launchTemplateVersions);
  const nodeGroupIds = [
    ...new Set(
      clusters.flatMap((c) =>
        c.nodegroups.flatMap(
          (ng) => nodeSecurityGroups(c.cluster, ng, inventory.launchTemplateVersions).groupIds,
        ),
      ),
    ),
  ].sort();
  const pdSubnets = [
    ...new Set(
      clusters
        .filter((c) => prefixDelegationEnabled(c.addons.find((a) => a.addonName === "vpc-cni")))
        .flatMap((c) => c.nodegroups.flatMap((ng) => ng.subnets ?? [])),
    ),
  ].sort();

  const [types, referencing, sgpEnis, pdEnis] = await Promise.all([
    Promise.all(
      chunks(instanceTypes, INSTANCE_TYPES_MAX).map((names) =>
        run(() =>
          all(paginateDescribeInstanceTypes({ client: ec2 }, { InstanceTypes: names as _InstanceType[] })),
        ),
      ),
    ),
    // One call per region: catches data stores in other VPCs of the account-region too.
    Promise.all(
      chunks(nodeGroupIds, FILTER_VALUES_MAX).map((ids) =>
        run(() =>
          all(
            paginateDescribeSecurityGroups(
              { client: ec2, pageSize: EC2_PAGE },
              { Filters: [{ Name: "ip-permission.group-id", Values: ids }] },
            ),
          ),
        ),
      ),
    ),
    Promise.all(
      chunks(vpcIds, FILTER_VALUES_MAX).map((ids) =>
        run(() =>
          all(
            paginateDescribeNetworkInterfaces(
              { client: ec2, pageSize: EC2_PAGE },
              { Filters: [...vpcFilter(ids), { Name: "description", Values: SGP_ENI_DESCRIPTIONS }] },
            ),
          ),
        ),
      ),
    ),
    Promise.all(
      chunks(pdSubnets, FILTER_VALUES_MAX).map((ids) =>
        run(() =>
          all(
            paginateDescribeNetworkInterfaces(
              { client: ec2, pageSize: EC2_PAGE },
              { Filters: [{ Name: "subnet-id", Values: ids }] },
            ),
          ),
        ),
      ),
    ),
  ]);
  inventory.instanceTypes = types.flat().flatMap((r) => r.InstanceTypes ?? []);
  inventory.kubelet = await kubeletReadings(clusters, versionsWithUserData, inventory.instanceTypes);
  inventory.referencingSecurityGroups = dedupeBy(
    referencing.flat().flatMap((p) => p.SecurityGroups ?? []),
    (g: SecurityGroup) => g.GroupId,
  );
  inventory.networkInterfaces = dedupeBy(
    [...sgpEnis, ...pdEnis].flat().flatMap((p) => p.NetworkInterfaces ?? []),
    (n: NetworkInterface) => n.NetworkInterfaceId,
  );
  return inventory;
}

async function collectCluster(
  eks: EKSClient,
  name: string,
  run: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<ClusterInventory> {
  const [described, nodegroupNames, vpcCni] = await Promise.all([
    run(() => eks.send(new DescribeClusterCommand({ name }))),
    run(() => all(paginateListNodegroups({ client: eks, pageSize: EKS_PAGE }, { clusterName: name }))),
    // Only the vpc-cni add-on is read; a missing one means a self-managed aws-node DaemonSet.
    run(() =>
      eks.send(new DescribeAddonCommand({ clusterName: name, addonName: "vpc-cni" })).then(
        (r) => r.addon,
        (err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        },
      ),
    ),
  ]);
  const nodegroups = await Promise.all(
    nodegroupNames
      .flatMap((p) => p.nodegroups ?? [])
      .map((ng) =>
        run(() => eks.send(new DescribeNodegroupCommand({ clusterName: name, nodegroupName: ng }))),
      ),
  );
  return {
    cluster: described.cluster ?? { name },
    nodegroups: nodegroups.map((r) => r.nodegroup).filter((ng) => ng !== undefined),
    addons: [vpcCni].filter((a): a is Addon => a !== undefined),
  };
}

/** Launch template id → the versions the node groups pin (`$Default` when they pin none). */
function launchTemplatesToDescribe(clusters: readonly ClusterInventory[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const c of clusters) {
    for (const ng of c.nodegroups) {
      const id = ng.launchTemplate?.id;
      if (!id) continue;
      const versions = out.get(id) ?? new Set<string>();
      versions.add(ng.launchTemplate?.version ?? "$Default");
      out.set(id, versions);
    }
  }
  return out;
}

function instanceTypesOf(
  clusters: readonly ClusterInventory[],
  versions: readonly LaunchTemplateVersion[],
): string[] {
  const names = new Set<string>();
  for (const c of clusters) {
    for (const ng of c.nodegroups) {
      for (const t of ng.instanceTypes ?? []) names.add(t);
      const fromTemplate = launchTemplateVersionOf(ng, versions)?.LaunchTemplateData?.InstanceType;
      if (fromTemplate) names.add(fromTemplate);
    }
  }
  return [...names].sort();
}

function isString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

function dedupeBy<T>(items: readonly T[], key: (item: T) => string | undefined): T[] {
  const seen = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined && !seen.has(k)) seen.set(k, item);
  }
  return [...seen.values()];
}
