import {
  type AutoScalingClient,
  type AutoScalingGroup,
  paginateDescribeAutoScalingGroups,
} from "@aws-sdk/client-auto-scaling";
import {
  type _InstanceType,
  type EC2Client,
  type Filter,
  GetSubnetCidrReservationsCommand,
  type InstanceTypeInfo,
  type LaunchTemplateVersion,
  type NetworkInterface,
  paginateDescribeInstances,
  paginateDescribeInstanceTypes,
  paginateDescribeLaunchTemplates,
  paginateDescribeLaunchTemplateVersions,
  paginateDescribeNetworkInterfaces,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcs,
  type Reservation,
  type SecurityGroup,
  type SubnetCidrReservation,
} from "@aws-sdk/client-ec2";
import {
  type Addon,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeFargateProfileCommand,
  DescribeNodegroupCommand,
  type EKSClient,
  type FargateProfile,
  type Nodegroup,
  paginateListClusters,
  paginateListFargateProfiles,
  paginateListNodegroups,
} from "@aws-sdk/client-eks";
import pLimit from "p-limit";
import { loadTextFormats } from "#shared/models/text-formats.ts";
import {
  assembleInventory,
  clusterVpcIds,
  deriveClusterViews,
  fargatePodEniScope,
  instanceTypesToDescribe,
  launchTemplatesToDescribe,
  nodeSecurityGroupIds,
  prefixDelegationSubnets,
} from "./assemble.ts";
import { KARPENTER_TEMPLATE_TAG_KEYS, NODE_STATES, NODE_TAG_KEYS } from "./capacity.ts";
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
  autoscaling: AutoScalingClient;
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
/**
 * Descriptions of the ENIs Kubernetes components make in the cluster VPCs: the VPC resource controller's
 * security-groups-for-pods trunk and branch ENIs, and ipamd's `aws-K8S-<instance-id>`
 * (amazon-vpc-cni-k8s pkg/awsutils/awsutils.go `eniDescriptionPrefix`).
 */
export const K8S_ENI_DESCRIPTIONS = ["aws-k8s-branch-eni", "aws-k8s-trunk-eni", "aws-K8S-*"];
/** DescribeLaunchTemplates takes at most 200 per page. */
const LAUNCH_TEMPLATE_PAGE = 200;
/** DescribeAutoScalingGroups takes at most 100 per page. */
const AUTOSCALING_PAGE = 100;

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
 * one paginated listing per API per region (or per set of cluster VPCs), never one per instance, subnet or
 * SG. Per cluster: DescribeCluster, ListNodegroups, DescribeAddon vpc-cni, ListFargateProfiles, and one
 * describe per node group and Fargate profile (profiles are few: at most 10 per cluster). Per launch template
 * a capacity group launches: one DescribeLaunchTemplateVersions. Per prefix-delegation subnet: one
 * GetSubnetCidrReservations (the API takes one subnet). A call that fails for one resource only (an add-on,
 * a deleted node group or launch template version, an instance type the region does not know) or an
 * optional capacity listing that fails is recorded in `failures` and the scope goes on; any other error
 * rejects.
 */
export async function collectRegion(
  clients: ScopeClients,
  options: CollectOptions = {},
): Promise<CollectedRegion> {
  const { ec2, eks, autoscaling } = clients;
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
  if (clusterNames.length === 0) {
    raw.ec2.Subnets = (await subnetsPromise).flatMap((p) => p.Subnets ?? []);
    raw.ec2.Vpcs = (await vpcsPromise).flatMap((p) => p.Vpcs ?? []);
    return { raw, failures: inCallOrder(failures) };
  }

  // Listings that need cluster names only: self-managed groups and Karpenter's templates, one call each.
  const groupsPromise = optionalListing(failures, "DescribeAutoScalingGroups", () =>
    describeClusterAutoScalingGroups(autoscaling, clusterNames, run),
  );
  const templatesPromise = optionalListing(failures, "DescribeLaunchTemplates", () =>
    run(() =>
      all(
        paginateDescribeLaunchTemplates(
          { client: ec2, pageSize: LAUNCH_TEMPLATE_PAGE },
          { Filters: [{ Name: "tag-key", Values: KARPENTER_TEMPLATE_TAG_KEYS }] },
        ),
      ),
    ).then((pages) => pages.flatMap((p) => p.LaunchTemplates ?? [])),
  );
  const clusters = await Promise.all(clusterNames.map((name) => collectCluster(eks, name, run, failures)));
  raw.eks.clusters = clusters;
  raw.ec2.Subnets = (await subnetsPromise).flatMap((p) => p.Subnets ?? []);
  raw.ec2.Vpcs = (await vpcsPromise).flatMap((p) => p.Vpcs ?? []);

  const vpcIds = clusterVpcIds(clusters, raw.ec2.Subnets);
  const vpcFilter = (ids: string[]): Filter[] => [{ Name: "vpc-id", Values: ids }];

  const [routeTables, securityGroups, reservations, groups, templates] = await Promise.all([
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
    optionalListing(failures, "DescribeInstances", () =>
      describeNodeInstances(ec2, vpcIds, clusterNames, run),
    ),
    groupsPromise,
    templatesPromise,
  ]);
  raw.ec2.RouteTables = routeTables.flat().flatMap((p) => p.RouteTables ?? []);
  raw.ec2.SecurityGroups = securityGroups.flat().flatMap((p) => p.SecurityGroups ?? []);
  raw.ec2.Reservations = reservations ?? [];
  raw.ec2.LaunchTemplates = templates ?? [];
  raw.autoscaling = { AutoScalingGroups: groups ?? [] };

  // The capacity the raw results show so far tells which templates, types, subnets and SGs to read next. The
  // views hold each cluster's vpc-cni settings, which may be YAML (as `assembleInventory`, only with a cluster).
  if (raw.eks.clusters.length > 0) await loadTextFormats();
  const derive = () => raw.eks.clusters.map((c) => deriveClusterViews(c, raw, failures));
  const templatesToRead = launchTemplatesToDescribe(derive());
  const launchTemplateVersions = await Promise.all(
    [...templatesToRead].map(([id, versions]) =>
      describeLaunchTemplate(ec2, id, [...versions], run, failures),
    ),
  );
  // User data stays in the raw shape: the assembly reads the kubelet settings from it, then drops it.
  raw.ec2.LaunchTemplateVersions = launchTemplateVersions.flat();

  const views = derive();
  const instanceTypes = instanceTypesToDescribe(views);
  const nodeGroupIds = nodeSecurityGroupIds(views);
  const pdSubnets = prefixDelegationSubnets(views);
  const fargate = fargatePodEniScope(views);
  const eniListing = (filters: Filter[]) =>
    run(() =>
      all(
        paginateDescribeNetworkInterfaces(
          { client: ec2, pageSize: EC2_PAGE },
          // Auto Mode's ENIs are hidden from the account unless asked for.
          { Filters: filters, IncludeManagedResources: true },
        ),
      ),
    );

  const [types, referencing, k8sEnis, pdEnis, fargateEnis, reservationsOfSubnets] = await Promise.all([
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
    // SGP trunk and branch ENIs, and ipamd's ENIs (custom-networking pod subnets, leaked ones too).
    Promise.all(
      chunks(vpcIds, FILTER_VALUES_MAX).map((ids) =>
        eniListing([...vpcFilter(ids), { Name: "description", Values: K8S_ENI_DESCRIPTIONS }]),
      ),
    ),
    Promise.all(
      chunks(pdSubnets, FILTER_VALUES_MAX).map((ids) => eniListing([{ Name: "subnet-id", Values: ids }])),
    ),
    Promise.all(
      fargate.groupIds.length === 0
        ? []
        : chunks(fargate.subnetIds, FILTER_VALUES_MAX).map((ids) =>
            eniListing([
              { Name: "subnet-id", Values: ids },
              { Name: "group-id", Values: fargate.groupIds },
              { Name: "requester-managed", Values: ["true"] },
            ]),
          ),
    ),
    Promise.all(pdSubnets.map((id) => subnetCidrReservations(ec2, id, run, failures))),
  ]);
  raw.ec2.InstanceTypes = types.flat();
  raw.ec2.SecurityGroups = dedupeBy(
    [...raw.ec2.SecurityGroups, ...referencing.flat().flatMap((p) => p.SecurityGroups ?? [])],
    (g: SecurityGroup) => g.GroupId,
  );
  raw.ec2.NetworkInterfaces = dedupeBy(
    [...k8sEnis, ...pdEnis, ...fargateEnis].flat().flatMap((p) => p.NetworkInterfaces ?? []),
    (n: NetworkInterface) => n.NetworkInterfaceId,
  );
  raw.ec2.SubnetCidrReservations = reservationsOfSubnets.flat();
  return { raw, failures: inCallOrder(failures) };
}

/**
 * An optional capacity listing: when it fails, what it would have told is named in `failures` (the scope
 * completes, the findings resting on it are kept as they were) and `undefined` stands for its answer.
 */
async function optionalListing<T>(
  failures: ReadFailure[],
  operation: "DescribeInstances" | "DescribeAutoScalingGroups" | "DescribeLaunchTemplates",
  call: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    failures.push({ operation, errorName: nameOf(err) });
    return undefined;
  }
}

/**
 * The instances that are nodes in the cluster VPCs: running or pending, carrying a tag some capacity kind
 * puts on its nodes (`NODE_TAG_KEYS`, `kubernetes.io/cluster/<cluster>`), Auto Mode's managed instances
 * included (IncludeManagedResources). One paginated listing per 200 VPCs.
 */
async function describeNodeInstances(
  ec2: EC2Client,
  vpcIds: readonly string[],
  clusterNames: readonly string[],
  run: Run,
): Promise<Reservation[]> {
  const tagKeys = [...NODE_TAG_KEYS, ...clusterNames.map((n) => `kubernetes.io/cluster/${n}`)];
  const pages = await Promise.all(
    chunks(vpcIds, FILTER_VALUES_MAX).flatMap((vpcs) =>
      chunks(tagKeys, FILTER_VALUES_MAX).map((keys) =>
        run(() =>
          all(
            paginateDescribeInstances(
              { client: ec2, pageSize: EC2_PAGE },
              {
                Filters: [
                  { Name: "vpc-id", Values: vpcs },
                  { Name: "instance-state-name", Values: NODE_STATES },
                  { Name: "tag-key", Values: keys },
                ],
                IncludeManagedResources: true,
              },
            ),
          ),
        ),
      ),
    ),
  );
  const seen = new Set<string>();
  return pages
    .flat()
    .flatMap((p) => p.Reservations ?? [])
    .flatMap((r) => {
      const fresh = (r.Instances ?? []).filter((i) => i.InstanceId !== undefined && !seen.has(i.InstanceId));
      for (const i of fresh) seen.add(i.InstanceId ?? "");
      return fresh.length > 0 ? [{ ...r, Instances: fresh }] : [];
    });
}

/** The Auto Scaling groups tagged for any of the clusters: one filtered listing (tag-key values OR). */
async function describeClusterAutoScalingGroups(
  autoscaling: AutoScalingClient,
  clusterNames: readonly string[],
  run: Run,
): Promise<AutoScalingGroup[]> {
  const keys = clusterNames.map((n) => `kubernetes.io/cluster/${n}`);
  const pages = await Promise.all(
    chunks(keys, FILTER_VALUES_MAX).map((values) =>
      run(() =>
        all(
          paginateDescribeAutoScalingGroups(
            { client: autoscaling, pageSize: AUTOSCALING_PAGE },
            { Filters: [{ Name: "tag-key", Values: values }] },
          ),
        ),
      ),
    ),
  );
  return dedupeBy(
    pages.flat().flatMap((p) => p.AutoScalingGroups ?? []),
    (g: AutoScalingGroup) => g.AutoScalingGroupName,
  );
}

/**
 * The CIDR reservations of one subnet (GetSubnetCidrReservations takes one subnet, and the SDK has no
 * paginator for it: NextToken is followed here). A failure costs that subnet's headroom findings only.
 */
async function subnetCidrReservations(
  ec2: EC2Client,
  subnetId: string,
  run: Run,
  failures: ReadFailure[],
): Promise<SubnetCidrReservation[]> {
  const out: SubnetCidrReservation[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await run(() =>
        ec2.send(
          new GetSubnetCidrReservationsCommand({
            SubnetId: subnetId,
            MaxResults: EC2_PAGE,
            ...(token !== undefined ? { NextToken: token } : {}),
          }),
        ),
      );
      out.push(...(page.SubnetIpv4CidrReservations ?? []), ...(page.SubnetIpv6CidrReservations ?? []));
      token = page.NextToken || undefined;
    } while (token !== undefined);
    return out;
  } catch (err) {
    failures.push({ operation: "GetSubnetCidrReservations", subnetId, errorName: nameOf(err) });
    return [];
  }
}

async function collectCluster(
  eks: EKSClient,
  name: string,
  run: Run,
  failures: ReadFailure[],
): Promise<RawCluster> {
  const [described, nodegroupNames, vpcCni, profileNames] = await Promise.all([
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
    run(() =>
      all(paginateListFargateProfiles({ client: eks, pageSize: EKS_PAGE }, { clusterName: name })).then(
        (pages) => pages.flatMap((p) => p.fargateProfileNames ?? []),
        (err: unknown) => {
          failures.push({ operation: "ListFargateProfiles", cluster: name, errorName: nameOf(err) });
          return [] as string[];
        },
      ),
    ),
  ]);
  const [nodegroups, fargateProfiles] = await Promise.all([
    Promise.all(
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
    ),
    // Profiles are few (at most 10 per cluster): one describe each.
    Promise.all(
      profileNames.map((profile) =>
        run(() =>
          eks
            .send(new DescribeFargateProfileCommand({ clusterName: name, fargateProfileName: profile }))
            .then(
              (r) => r.fargateProfile,
              (err: unknown): FargateProfile | undefined => {
                failures.push({
                  operation: "DescribeFargateProfile",
                  cluster: name,
                  fargateProfile: profile,
                  errorName: nameOf(err),
                });
                return undefined;
              },
            ),
        ),
      ),
    ),
  ]);
  return {
    cluster: described.cluster ?? { name },
    nodegroups: nodegroups.filter((ng) => ng !== undefined),
    addons: [vpcCni].filter((a): a is Addon => a !== undefined),
    fargateProfiles: fargateProfiles.filter((p) => p !== undefined),
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
