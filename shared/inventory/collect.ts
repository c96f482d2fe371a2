import {
  type _InstanceType,
  type EC2Client,
  type Filter,
  type InstanceTypeInfo,
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
  type Nodegroup,
  paginateListClusters,
  paginateListNodegroups,
} from "@aws-sdk/client-eks";
import pLimit from "p-limit";
import {
  assembleInventory,
  clusterVpcIds,
  instanceTypesToDescribe,
  launchTemplatesToDescribe,
  nodeSecurityGroupIds,
  prefixDelegationSubnets,
} from "./assemble.ts";
import {
  emptyRawRegion,
  type Inventory,
  type RawCluster,
  type RawRegion,
  type ReadFailure,
} from "./types.ts";

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

/** The raw API results of one account-region and the calls that failed for one resource only. */
export interface CollectedRegion {
  raw: RawRegion;
  failures: ReadFailure[];
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

/** A launch template or one of its versions deleted while a node group still names it. */
const LAUNCH_TEMPLATE_GONE = new Set([
  "InvalidLaunchTemplateId.NotFound",
  "InvalidLaunchTemplateId.VersionNotFound",
  "InvalidLaunchTemplateName.NotFoundException",
]);
/** DescribeInstanceTypes refuses the whole batch when one type is unknown to the region. */
const UNKNOWN_INSTANCE_TYPE = "InvalidInstanceType";
const NOT_FOUND = "ResourceNotFoundException";

type Run = <T>(fn: () => Promise<T>) => Promise<T>;

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

function nameOf(err: unknown): string {
  const name = (err as { name?: unknown } | undefined)?.name;
  return typeof name === "string" ? name : "Error";
}

/** Fetches one account-region and assembles its Inventory (`assembleInventory`). */
export async function collectInventory(
  clients: ScopeClients,
  options: CollectOptions = {},
): Promise<Inventory> {
  const { raw, failures } = await collectRegion(clients, options);
  return assembleInventory(clients, raw, failures);
}

/**
 * Fetches everything the rules need for one account-region into the raw shape, with as few calls as possible:
 * one paginated listing per API per region (or per set of cluster VPCs), never one per subnet. A call that
 * fails for one resource only (an add-on, a deleted node group or launch template version, an instance type
 * the region does not know) is recorded in `failures` and the scope goes on; any other error rejects.
 */
export async function collectRegion(
  clients: ScopeClients,
  options: CollectOptions = {},
): Promise<CollectedRegion> {
  const { ec2, eks } = clients;
  const limit = pLimit(options.concurrency ?? DEFAULT_SCOPE_CONCURRENCY);
  const run: Run = (fn) => limit(fn);
  const failures: ReadFailure[] = [];
  const raw = emptyRawRegion();

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

  const clusters = await Promise.all(clusterNames.map((name) => collectCluster(eks, name, run, failures)));
  raw.eks.clusters = clusters;
  raw.ec2.Subnets = (await subnetsPromise).flatMap((p) => p.Subnets ?? []);
  raw.ec2.Vpcs = (await vpcsPromise).flatMap((p) => p.Vpcs ?? []);
  if (clusters.length === 0) return { raw, failures: inCallOrder(failures) };

  const vpcIds = clusterVpcIds(clusters, raw.ec2.Subnets);
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
      [...templates].map(([id, versions]) => describeLaunchTemplate(ec2, id, [...versions], run, failures)),
    ),
  ]);
  raw.ec2.RouteTables = routeTables.flat().flatMap((p) => p.RouteTables ?? []);
  // User data stays in the raw shape: the assembly reads the kubelet settings from it, then drops it.
  raw.ec2.LaunchTemplateVersions = launchTemplateVersions.flat();

  const instanceTypes = instanceTypesToDescribe(clusters, raw.ec2.LaunchTemplateVersions);
  const nodeGroupIds = nodeSecurityGroupIds(clusters, raw.ec2.LaunchTemplateVersions);
  const pdSubnets = prefixDelegationSubnets(clusters, failures);

  const [types, referencing, sgpEnis, pdEnis] = await Promise.all([
    Promise.all(
      chunks(instanceTypes, INSTANCE_TYPES_MAX).map((names) =>
        describeInstanceTypes(ec2, names, run, failures),
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
  raw.ec2.InstanceTypes = types.flat();
  raw.ec2.SecurityGroups = dedupeBy(
    [...securityGroups, ...referencing].flat().flatMap((p) => p.SecurityGroups ?? []),
    (g: SecurityGroup) => g.GroupId,
  );
  raw.ec2.NetworkInterfaces = dedupeBy(
    [...sgpEnis, ...pdEnis].flat().flatMap((p) => p.NetworkInterfaces ?? []),
    (n: NetworkInterface) => n.NetworkInterfaceId,
  );
  return { raw, failures: inCallOrder(failures) };
}

async function collectCluster(
  eks: EKSClient,
  name: string,
  run: Run,
  failures: ReadFailure[],
): Promise<RawCluster> {
  const [described, nodegroupNames, vpcCni] = await Promise.all([
    run(() => eks.send(new DescribeClusterCommand({ name }))),
    run(() => all(paginateListNodegroups({ client: eks, pageSize: EKS_PAGE }, { clusterName: name }))),
    // Only the vpc-cni add-on is read; a missing one means a self-managed aws-node DaemonSet. Any other
    // error costs the CNI settings only: the assembly assumes the defaults and names the error.
    run(() =>
      eks.send(new DescribeAddonCommand({ clusterName: name, addonName: "vpc-cni" })).then(
        (r) => r.addon,
        (err: unknown) => {
          if (nameOf(err) !== NOT_FOUND)
            failures.push({
              operation: "DescribeAddon",
              cluster: name,
              addonName: "vpc-cni",
              errorName: nameOf(err),
            });
          return undefined;
        },
      ),
    ),
  ]);
  const nodegroups = await Promise.all(
    nodegroupNames
      .flatMap((p) => p.nodegroups ?? [])
      .map((ng) =>
        run(() =>
          eks.send(new DescribeNodegroupCommand({ clusterName: name, nodegroupName: ng })).then(
            (r) => r.nodegroup,
            (err: unknown): Nodegroup | undefined => {
              // Deleted between ListNodegroups and DescribeNodegroup.
              if (nameOf(err) !== NOT_FOUND) throw err;
              failures.push({
                operation: "DescribeNodegroup",
                cluster: name,
                nodegroup: ng,
                errorName: NOT_FOUND,
              });
              return undefined;
            },
          ),
        ),
      ),
  );
  return {
    cluster: described.cluster ?? { name },
    nodegroups: nodegroups.filter((ng) => ng !== undefined),
    addons: [vpcCni].filter((a): a is Addon => a !== undefined),
  };
}

/**
 * The named versions of one launch template in one call (no page size: AWS answers named versions in one
 * page, but a NextToken is still followed). When a version is gone the call fails whole: only then is each
 * version asked for on its own, so the gone one is named and the others are still read.
 */
async function describeLaunchTemplate(
  ec2: EC2Client,
  id: string,
  versions: string[],
  run: Run,
  failures: ReadFailure[],
): Promise<LaunchTemplateVersion[]> {
  const describe = (wanted: string[]) =>
    run(() =>
      all(
        paginateDescribeLaunchTemplateVersions({ client: ec2 }, { LaunchTemplateId: id, Versions: wanted }),
      ),
    ).then((pages) => pages.flatMap((p) => p.LaunchTemplateVersions ?? []));
  const gone = (err: unknown, wanted: string[]): LaunchTemplateVersion[] => {
    if (!LAUNCH_TEMPLATE_GONE.has(nameOf(err))) throw err;
    for (const version of wanted)
      failures.push({
        operation: "DescribeLaunchTemplateVersions",
        launchTemplateId: id,
        version,
        errorName: nameOf(err),
      });
    return [];
  };
  try {
    return await describe(versions);
  } catch (err) {
    if (versions.length === 1 || nameOf(err) !== "InvalidLaunchTemplateId.VersionNotFound")
      return gone(err, versions);
    const each = await Promise.all(versions.map((v) => describe([v]).catch((e: unknown) => gone(e, [v]))));
    return each.flat();
  }
}

/**
 * One batch of instance types. EC2 refuses a whole batch naming one type the region does not know
 * (InvalidInstanceType): only then is the batch halved until the unknown types stand alone, so they are
 * named and every other type is still read.
 */
async function describeInstanceTypes(
  ec2: EC2Client,
  names: string[],
  run: Run,
  failures: ReadFailure[],
): Promise<InstanceTypeInfo[]> {
  try {
    const pages = await run(() =>
      all(paginateDescribeInstanceTypes({ client: ec2 }, { InstanceTypes: names as _InstanceType[] })),
    );
    return pages.flatMap((p) => p.InstanceTypes ?? []);
  } catch (err) {
    if (nameOf(err) !== UNKNOWN_INSTANCE_TYPE) throw err;
    if (names.length === 1) {
      failures.push({
        operation: "DescribeInstanceTypes",
        instanceType: names[0] ?? "",
        errorName: nameOf(err),
      });
      return [];
    }
    const half = Math.ceil(names.length / 2);
    const parts = await Promise.all(
      [names.slice(0, half), names.slice(half)].map((part) =>
        describeInstanceTypes(ec2, part, run, failures),
      ),
    );
    return parts.flat();
  }
}

/** Calls settle in any order: sorted, the same failures always give the same unread list. */
function inCallOrder(failures: ReadFailure[]): ReadFailure[] {
  const key = (f: ReadFailure) => JSON.stringify(f);
  return [...failures].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function dedupeBy<T>(items: readonly T[], key: (item: T) => string | undefined): T[] {
  const seen = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined && !seen.has(k)) seen.set(k, item);
  }
  return [...seen.values()];
}
