import {
  DescribeInstances$,
  type DescribeInstancesRequest,
  DescribeInstanceTypes$,
  type DescribeInstanceTypesRequest,
  DescribeLaunchTemplates$,
  type DescribeLaunchTemplatesRequest,
  DescribeLaunchTemplateVersions$,
  type DescribeLaunchTemplateVersionsRequest,
  DescribeNetworkInterfaces$,
  type DescribeNetworkInterfacesRequest,
  DescribeRegions$,
  type DescribeRegionsRequest,
  DescribeRouteTables$,
  type DescribeRouteTablesRequest,
  DescribeSecurityGroups$,
  type DescribeSecurityGroupsRequest,
  DescribeSubnets$,
  type DescribeSubnetsRequest,
  DescribeVpcs$,
  type DescribeVpcsRequest,
  type Filter,
  GetSubnetCidrReservations$,
  type GetSubnetCidrReservationsRequest,
} from "@aws-sdk/client-ec2";
import type { EstateEc2 } from "#shared/estate/index.ts";
import { instanceCatalog } from "#sim/instance-catalog.ts";
import { paginate } from "#sim/pagination.ts";
import { AwsError } from "#sim/protocol/errors.ts";
import {
  type CallContext,
  listingFingerprint,
  type OperationHandler,
  operation,
  operationTable,
  regionOf,
} from "./context.ts";
import {
  applyFilters,
  type FilterSpec,
  instanceFilters,
  instanceTypeFilters,
  launchTemplateFilters,
  launchTemplateVersionFilters,
  networkInterfaceFilters,
  regionFilters,
  routeTableFilters,
  securityGroupFilters,
  subnetCidrReservationFilters,
  subnetFilters,
  vpcFilters,
} from "./ec2-filters.ts";

export const EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";

type Ec2Item<K extends keyof EstateEc2> = NonNullable<EstateEc2[K]>[number];

function ec2Of(ctx: CallContext): Partial<EstateEc2> {
  return regionOf(ctx)?.ec2 ?? {};
}

function invalidParameter(message: string): AwsError {
  return new AwsError("InvalidParameterValue", message);
}

function checkDryRun(input: { DryRun?: boolean | undefined }): void {
  if (input.DryRun)
    throw new AwsError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
}

/** `The subnet ID 'subnet-1' does not exist` / `The subnet IDs 'a, b' do not exist`, as EC2 words it. */
function notFound(code: string, noun: string, missing: string[]): AwsError {
  return missing.length === 1
    ? new AwsError(code, `The ${noun} ID '${missing[0]}' does not exist`)
    : new AwsError(code, `The ${noun} IDs '${missing.join(", ")}' do not exist`);
}

interface Listing<T> {
  items: readonly T[];
  ids?: string[] | undefined;
  idOf: (item: T) => string | undefined;
  missing: (ids: string[]) => AwsError;
  filters: Filter[] | undefined;
  spec: FilterSpec;
  bounds?: { min: number; max: number };
}

interface PagedInput {
  MaxResults?: number | undefined;
  NextToken?: string | undefined;
  DryRun?: boolean | undefined;
}

/** The common Describe* shape: ids must all exist, then filters, then MaxResults/NextToken pages. */
function describe<T>(
  ctx: CallContext,
  input: PagedInput,
  listing: Listing<T>,
): { items: T[]; NextToken?: string } {
  checkDryRun(input);
  let items = [...listing.items];
  if (listing.ids !== undefined && listing.ids.length > 0) {
    const wanted = new Set(listing.ids);
    const known = new Set(items.map(listing.idOf));
    const missing = [...wanted].filter((id) => !known.has(id));
    if (missing.length > 0) throw listing.missing(missing);
    items = items.filter((item) => wanted.has(listing.idOf(item) ?? ""));
  }
  items = applyFilters(items, listing.filters, listing.spec);
  const page = paginate(
    items,
    { maxResults: input.MaxResults, nextToken: input.NextToken },
    {
      ...(listing.bounds ? { bounds: listing.bounds } : {}),
      cap: ctx.faults.maxPageSize,
      fingerprint: listingFingerprint(ctx, input, "MaxResults", "NextToken"),
      invalidMaxResults: invalidParameter,
      invalidToken: invalidParameter,
    },
  );
  return page.nextToken === undefined
    ? { items: page.items }
    : { items: page.items, NextToken: page.nextToken };
}

const describeRegions = operation<DescribeRegionsRequest>(DescribeRegions$, (ctx, input) => {
  checkDryRun(input);
  const notEnabled = new Set(ctx.faults.regionsNotEnabled(ctx.accountId));
  const estateRegions = Object.keys(ctx.estate.accounts[ctx.accountId]?.regions ?? {});
  const names = new Set(input.AllRegions ? [...estateRegions, ...notEnabled] : estateRegions);
  let regions = [...names]
    .filter((name) => input.AllRegions || !notEnabled.has(name))
    .sort()
    .map((name) => ({
      RegionName: name,
      Endpoint: `ec2.${name}.amazonaws.com`,
      OptInStatus: notEnabled.has(name) ? "not-opted-in" : "opt-in-not-required",
    }));
  if (input.RegionNames && input.RegionNames.length > 0) {
    const wanted = new Set(input.RegionNames);
    regions = regions.filter((r) => wanted.has(r.RegionName));
  }
  return { Regions: applyFilters(regions, input.Filters, regionFilters) };
});

const describeVpcs = operation<DescribeVpcsRequest>(DescribeVpcs$, (ctx, input) => {
  const { items, NextToken } = describe<Ec2Item<"Vpcs">>(ctx, input, {
    items: ec2Of(ctx).Vpcs ?? [],
    ids: input.VpcIds,
    idOf: (v) => v.VpcId,
    missing: (ids) => notFound("InvalidVpcID.NotFound", "vpc", ids),
    filters: input.Filters,
    spec: vpcFilters,
    bounds: { min: 5, max: 1000 },
  });
  return { Vpcs: items, NextToken };
});

const describeSubnets = operation<DescribeSubnetsRequest>(DescribeSubnets$, (ctx, input) => {
  const { items, NextToken } = describe<Ec2Item<"Subnets">>(ctx, input, {
    items: ec2Of(ctx).Subnets ?? [],
    ids: input.SubnetIds,
    idOf: (s) => s.SubnetId,
    missing: (ids) => notFound("InvalidSubnetID.NotFound", "subnet", ids),
    filters: input.Filters,
    spec: subnetFilters,
    bounds: { min: 5, max: 1000 },
  });
  return { Subnets: items, NextToken };
});

const describeRouteTables = operation<DescribeRouteTablesRequest>(DescribeRouteTables$, (ctx, input) => {
  const { items, NextToken } = describe<Ec2Item<"RouteTables">>(ctx, input, {
    items: ec2Of(ctx).RouteTables ?? [],
    ids: input.RouteTableIds,
    idOf: (r) => r.RouteTableId,
    missing: (ids) => notFound("InvalidRouteTableID.NotFound", "routeTable", ids),
    filters: input.Filters,
    spec: routeTableFilters,
    bounds: { min: 5, max: 100 },
  });
  return { RouteTables: items, NextToken };
});

const describeSecurityGroups = operation<DescribeSecurityGroupsRequest>(
  DescribeSecurityGroups$,
  (ctx, input) => {
    const groups = ec2Of(ctx).SecurityGroups ?? [];
    if (input.GroupNames && input.GroupNames.length > 0) {
      const names = new Set(groups.map((g) => g.GroupName));
      const missing = input.GroupNames.filter((n) => !names.has(n));
      if (missing.length > 0) {
        throw new AwsError(
          "InvalidGroup.NotFound",
          `The security group '${missing.join(", ")}' does not exist`,
        );
      }
    }
    const byName = input.GroupNames?.length ? new Set(input.GroupNames) : undefined;
    const { items, NextToken } = describe<Ec2Item<"SecurityGroups">>(ctx, input, {
      items: byName ? groups.filter((g) => byName.has(g.GroupName ?? "")) : groups,
      ids: input.GroupIds,
      idOf: (g) => g.GroupId,
      missing: (ids) =>
        ids.length === 1
          ? new AwsError("InvalidGroup.NotFound", `The security group '${ids[0]}' does not exist`)
          : new AwsError("InvalidGroup.NotFound", `The security groups '${ids.join(", ")}' do not exist`),
      filters: input.Filters,
      spec: securityGroupFilters,
      bounds: { min: 5, max: 1000 },
    });
    return { SecurityGroups: items, NextToken };
  },
);

interface Operated {
  Operator?: { HiddenByDefault?: boolean | undefined } | undefined;
}

/**
 * Resources an AWS service manages in the account (EKS Auto Mode's instances and ENIs) carry `Operator`.
 * Those the account's managed-resource visibility hides (`Operator.HiddenByDefault`) are left out of the
 * answer unless the request sets IncludeManagedResources (EC2 API Reference: OperatorResponse, and the
 * IncludeManagedResources parameter of DescribeInstances, DescribeNetworkInterfaces, DescribeLaunchTemplates).
 */
function visible<T extends Operated>(items: readonly T[], includeManaged: boolean | undefined): T[] {
  return includeManaged === true
    ? [...items]
    : items.filter((item) => item.Operator?.HiddenByDefault !== true);
}

const describeNetworkInterfaces = operation<DescribeNetworkInterfacesRequest>(
  DescribeNetworkInterfaces$,
  (ctx, input) => {
    const { items, NextToken } = describe<Ec2Item<"NetworkInterfaces">>(ctx, input, {
      items: visible(ec2Of(ctx).NetworkInterfaces ?? [], input.IncludeManagedResources),
      ids: input.NetworkInterfaceIds,
      idOf: (n) => n.NetworkInterfaceId,
      missing: (ids) => notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", ids),
      filters: input.Filters,
      spec: networkInterfaceFilters,
      bounds: { min: 5, max: 1000 },
    });
    return { NetworkInterfaces: items, NextToken };
  },
);

const describeInstanceTypes = operation<DescribeInstanceTypesRequest>(
  DescribeInstanceTypes$,
  async (ctx, input) => {
    const own = ec2Of(ctx).InstanceTypes ?? [];
    const ownNames = new Set(own.map((t) => t.InstanceType));
    const wanted = input.InstanceTypes ?? [];
    // The catalogue is only needed for a full listing or for types the estate does not hold.
    const needsCatalog = wanted.length === 0 || wanted.some((t) => !ownNames.has(t));
    const catalog = needsCatalog ? await instanceCatalog() : new Map();
    const universe = [...own, ...[...catalog.values()].filter((t) => !ownNames.has(t.InstanceType))];
    const { items, NextToken } = describe<Ec2Item<"InstanceTypes">>(ctx, input, {
      items: wanted.length > 0 ? universe.filter((t) => wanted.includes(t.InstanceType ?? "")) : universe,
      ids: wanted,
      idOf: (t) => t.InstanceType,
      missing: (ids) =>
        new AwsError(
          "InvalidInstanceType",
          `The following supplied instance types do not exist: [${ids.join(", ")}]`,
        ),
      filters: input.Filters,
      spec: instanceTypeFilters,
      bounds: { min: 5, max: 100 },
    });
    return { InstanceTypes: items, NextToken };
  },
);

type Reservation = Ec2Item<"Reservations">;
type Instance = NonNullable<Reservation["Instances"]>[number];

/**
 * DescribeInstances: MaxResults counts instances (5..1000, not with InstanceIds); a page holds the
 * reservations of its instances, each with only the instances that matched.
 */
const describeInstances = operation<DescribeInstancesRequest>(DescribeInstances$, (ctx, input) => {
  checkDryRun(input);
  if ((input.InstanceIds?.length ?? 0) > 0 && input.MaxResults !== undefined) {
    throw new AwsError(
      "InvalidParameterCombination",
      "The parameter instancesSet cannot be used with the parameter maxResults",
    );
  }
  const reservationOf = new Map<Instance, Reservation>();
  for (const r of ec2Of(ctx).Reservations ?? []) for (const i of r.Instances ?? []) reservationOf.set(i, r);
  const ofReservation =
    (key: "ReservationId" | "OwnerId" | "RequesterId") =>
    (item: unknown): unknown[] => [reservationOf.get(item as Instance)?.[key]];
  const { items, NextToken } = describe<Instance>(ctx, input, {
    items: visible([...reservationOf.keys()], input.IncludeManagedResources),
    ids: input.InstanceIds,
    idOf: (i) => i.InstanceId,
    missing: (ids) => notFound("InvalidInstanceID.NotFound", "instance", ids),
    filters: input.Filters,
    spec: {
      ...instanceFilters,
      "reservation-id": ofReservation("ReservationId"),
      "owner-id": ofReservation("OwnerId"),
      "requester-id": ofReservation("RequesterId"),
    },
    bounds: { min: 5, max: 1000 },
  });
  const pages: { source: Reservation | undefined; instances: Instance[] }[] = [];
  for (const instance of items) {
    const source = reservationOf.get(instance);
    const last = pages.at(-1);
    if (last !== undefined && last.source === source) last.instances.push(instance);
    else pages.push({ source, instances: [instance] });
  }
  return {
    Reservations: pages.map(({ source, instances }) => ({ ...source, Instances: instances })),
    NextToken,
  };
});

const describeLaunchTemplates = operation<DescribeLaunchTemplatesRequest>(
  DescribeLaunchTemplates$,
  (ctx, input) => {
    checkDryRun(input);
    const all = visible(ec2Of(ctx).LaunchTemplates ?? [], input.IncludeManagedResources);
    const names = input.LaunchTemplateNames ?? [];
    if (names.length > 0) {
      const known = new Set(all.map((t) => t.LaunchTemplateName));
      if (names.some((n) => !known.has(n))) {
        throw new AwsError(
          "InvalidLaunchTemplateName.NotFoundException",
          "At least one of the launch templates specified in the request does not exist.",
        );
      }
    }
    const { items, NextToken } = describe<Ec2Item<"LaunchTemplates">>(ctx, input, {
      items: names.length > 0 ? all.filter((t) => names.includes(t.LaunchTemplateName ?? "")) : all,
      ids: input.LaunchTemplateIds,
      idOf: (t) => t.LaunchTemplateId,
      missing: () =>
        new AwsError(
          "InvalidLaunchTemplateId.NotFound",
          "At least one of the launch templates specified in the request does not exist.",
        ),
      filters: input.Filters,
      spec: launchTemplateFilters,
      bounds: { min: 1, max: 200 },
    });
    return { LaunchTemplates: items, NextToken };
  },
);

/**
 * GetSubnetCidrReservations: one subnet per call (SubnetId is required); the estate's flat list is answered
 * as `SubnetIpv4CidrReservations` and `SubnetIpv6CidrReservations`, a page at a time.
 */
const getSubnetCidrReservations = operation<GetSubnetCidrReservationsRequest>(
  GetSubnetCidrReservations$,
  (ctx, input) => {
    checkDryRun(input);
    if (input.SubnetId === undefined || input.SubnetId === "")
      throw new AwsError("MissingParameter", "The request must contain the parameter SubnetId");
    const data = ec2Of(ctx);
    if (!(data.Subnets ?? []).some((s) => s.SubnetId === input.SubnetId))
      throw notFound("InvalidSubnetID.NotFound", "subnet", [input.SubnetId]);
    const { items, NextToken } = describe<Ec2Item<"SubnetCidrReservations">>(ctx, input, {
      items: (data.SubnetCidrReservations ?? []).filter((r) => r.SubnetId === input.SubnetId),
      idOf: (r) => r.SubnetCidrReservationId,
      missing: () => invalidParameter("unreachable"),
      filters: input.Filters,
      spec: subnetCidrReservationFilters,
      bounds: { min: 5, max: 1000 },
    });
    const v6 = (r: Ec2Item<"SubnetCidrReservations">) => (r.Cidr ?? "").includes(":");
    return {
      SubnetIpv4CidrReservations: items.filter((r) => !v6(r)),
      SubnetIpv6CidrReservations: items.filter(v6),
      NextToken,
    };
  },
);

type LaunchTemplateVersion = Ec2Item<"LaunchTemplateVersions">;

/** Resolves `Versions` (numbers, `$Latest`, `$Default`) within one launch template's versions. */
function pickVersions(
  versions: LaunchTemplateVersion[],
  wanted: string[],
  templateId: string,
): LaunchTemplateVersion[] {
  const numbers = versions.map((v) => v.VersionNumber ?? 0);
  const latest = Math.max(...numbers);
  const defaultVersion = versions.find((v) => v.DefaultVersion)?.VersionNumber ?? Math.min(...numbers);
  const picked = new Set<number>();
  for (const w of wanted) {
    const n =
      w === "$Latest" ? latest : w === "$Default" ? defaultVersion : /^\d+$/.test(w) ? Number(w) : Number.NaN;
    if (!numbers.includes(n)) {
      throw new AwsError(
        "InvalidLaunchTemplateId.VersionNotFound",
        `Could not find the specified version ${w} for the launch template with ID ${templateId}.`,
      );
    }
    picked.add(n);
  }
  return versions.filter((v) => picked.has(v.VersionNumber ?? 0));
}

const describeLaunchTemplateVersions = operation<DescribeLaunchTemplateVersionsRequest>(
  DescribeLaunchTemplateVersions$,
  (ctx, input) => {
    checkDryRun(input);
    const all = ec2Of(ctx).LaunchTemplateVersions ?? [];
    const wanted = input.Versions ?? [];
    let items: LaunchTemplateVersion[];
    if (input.LaunchTemplateId !== undefined || input.LaunchTemplateName !== undefined) {
      const versions =
        input.LaunchTemplateId !== undefined
          ? all.filter((v) => v.LaunchTemplateId === input.LaunchTemplateId)
          : all.filter((v) => v.LaunchTemplateName === input.LaunchTemplateName);
      if (versions.length === 0) {
        throw input.LaunchTemplateId !== undefined
          ? new AwsError(
              "InvalidLaunchTemplateId.NotFound",
              `The specified launch template, with template ID ${input.LaunchTemplateId}, does not exist.`,
            )
          : new AwsError(
              "InvalidLaunchTemplateName.NotFoundException",
              `The specified launch template, with template name ${input.LaunchTemplateName}, does not exist.`,
            );
      }
      const templateId = versions[0]?.LaunchTemplateId ?? input.LaunchTemplateId ?? "";
      items = wanted.length > 0 ? pickVersions(versions, wanted, templateId) : versions;
    } else if (wanted.length > 0) {
      // Without a template, `$Latest`/`$Default` describe that version of every template.
      const byTemplate = new Map<string, LaunchTemplateVersion[]>();
      for (const v of all)
        byTemplate.set(v.LaunchTemplateId ?? "", [...(byTemplate.get(v.LaunchTemplateId ?? "") ?? []), v]);
      const picked = new Set<LaunchTemplateVersion>();
      for (const [templateId, versions] of byTemplate) {
        for (const v of pickVersions(versions, wanted, templateId)) picked.add(v);
      }
      items = all.filter((v) => picked.has(v));
    } else {
      items = all;
    }
    const min = input.MinVersion !== undefined ? Number(input.MinVersion) : Number.NEGATIVE_INFINITY;
    const max = input.MaxVersion !== undefined ? Number(input.MaxVersion) : Number.POSITIVE_INFINITY;
    items = items.filter((v) => (v.VersionNumber ?? 0) >= min && (v.VersionNumber ?? 0) <= max);
    const result = describe<LaunchTemplateVersion>(ctx, input, {
      items,
      idOf: (v) => `${v.LaunchTemplateId}:${v.VersionNumber}`,
      missing: () =>
        new AwsError("InvalidLaunchTemplateId.VersionNotFound", "Could not find the specified version."),
      filters: input.Filters,
      spec: launchTemplateVersionFilters,
      bounds: { min: 1, max: 200 },
    });
    return { LaunchTemplateVersions: result.items, NextToken: result.NextToken };
  },
);

export const ec2Operations: Map<string, OperationHandler> = operationTable([
  describeRegions,
  describeVpcs,
  describeSubnets,
  describeRouteTables,
  describeSecurityGroups,
  describeInstanceTypes,
  describeLaunchTemplateVersions,
  describeNetworkInterfaces,
  describeInstances,
  describeLaunchTemplates,
  getSubnetCidrReservations,
]);
