import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { Estate } from "./types.ts";

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

const accountId = z.string().regex(ACCOUNT_ID, "must be a 12-digit AWS account id");
const region = z.string().regex(REGION, "must be an AWS region name such as eu-west-1");
const tag = z.looseObject({ Key: z.string(), Value: z.string().optional() });
const tags = z.array(tag).optional();
const eksTags = z.record(z.string(), z.string()).optional();

// Only the fields the auditor relies on are required; every other SDK field passes through untouched.
const vpc = z.looseObject({ VpcId: z.string(), CidrBlock: z.string(), Tags: tags });
const subnet = z.looseObject({
  SubnetId: z.string().startsWith("subnet-"),
  VpcId: z.string(),
  CidrBlock: z.string(),
  AvailabilityZone: z.string(),
  AvailableIpAddressCount: z.number().int().nonnegative(),
  Tags: tags,
});
const routeTable = z.looseObject({
  RouteTableId: z.string(),
  VpcId: z.string(),
  Routes: z.array(z.looseObject({})).optional(),
  Associations: z
    .array(z.looseObject({ Main: z.boolean().optional(), SubnetId: z.string().optional() }))
    .optional(),
  Tags: tags,
});
const securityGroup = z.looseObject({
  GroupId: z.string().startsWith("sg-"),
  GroupName: z.string(),
  VpcId: z.string().optional(),
  IpPermissions: z.array(z.looseObject({})).optional(),
  IpPermissionsEgress: z.array(z.looseObject({})).optional(),
  Tags: tags,
});
const instanceType = z.looseObject({
  InstanceType: z.string(),
  NetworkInfo: z.looseObject({
    MaximumNetworkInterfaces: z.number().int().positive(),
    Ipv4AddressesPerInterface: z.number().int().positive(),
  }),
});
const launchTemplateVersion = z.looseObject({
  LaunchTemplateId: z.string(),
  VersionNumber: z.number().int().positive(),
  LaunchTemplateData: z.looseObject({}).optional(),
});
const networkInterface = z.looseObject({
  NetworkInterfaceId: z.string().startsWith("eni-"),
  SubnetId: z.string().optional(),
  VpcId: z.string().optional(),
  Description: z.string().optional(),
  Groups: z.array(z.looseObject({ GroupId: z.string().optional() })).optional(),
});

// v2: every node however it is launched.
const instanceNetworkInterface = z.looseObject({
  NetworkInterfaceId: z.string().startsWith("eni-"),
  SubnetId: z.string().optional(),
  Groups: z.array(z.looseObject({ GroupId: z.string().optional() })).optional(),
});
const instance = z.looseObject({
  InstanceId: z.string().startsWith("i-"),
  InstanceType: z.string().optional(),
  SubnetId: z.string().optional(),
  VpcId: z.string().optional(),
  State: z.looseObject({ Name: z.string().optional() }).optional(),
  NetworkInterfaces: z.array(instanceNetworkInterface).optional(),
  Tags: tags,
  Operator: z
    .looseObject({ Managed: z.boolean().optional(), HiddenByDefault: z.boolean().optional() })
    .optional(),
});
const reservation = z.looseObject({
  ReservationId: z.string().optional(),
  OwnerId: z.string().optional(),
  Instances: z.array(instance).optional(),
});
const launchTemplate = z.looseObject({
  LaunchTemplateId: z.string().startsWith("lt-"),
  LaunchTemplateName: z.string().optional(),
  DefaultVersionNumber: z.number().int().positive().optional(),
  LatestVersionNumber: z.number().int().positive().optional(),
  Tags: tags,
});
const subnetCidrReservation = z.looseObject({
  SubnetCidrReservationId: z.string().optional(),
  SubnetId: z.string().startsWith("subnet-"),
  Cidr: z.string(),
  ReservationType: z.enum(["prefix", "explicit"]),
});
const autoScalingGroup = z.looseObject({
  AutoScalingGroupName: z.string().min(1),
  MinSize: z.number().int().nonnegative(),
  MaxSize: z.number().int().nonnegative(),
  DesiredCapacity: z.number().int().nonnegative(),
  VPCZoneIdentifier: z.string().optional(),
  LaunchTemplate: z
    .looseObject({
      LaunchTemplateId: z.string().optional(),
      LaunchTemplateName: z.string().optional(),
      Version: z.string().optional(),
    })
    .optional(),
  MixedInstancesPolicy: z.looseObject({}).optional(),
  Instances: z
    .array(z.looseObject({ InstanceId: z.string(), InstanceType: z.string().optional() }))
    .optional(),
  Tags: z
    .array(
      z.looseObject({ Key: z.string(), Value: z.string().optional(), ResourceId: z.string().optional() }),
    )
    .optional(),
});
const fargateProfile = z.looseObject({
  fargateProfileName: z.string().min(1),
  clusterName: z.string().optional(),
  status: z.string().optional(),
  subnets: z.array(z.string().startsWith("subnet-")).optional(),
  selectors: z.array(z.looseObject({ namespace: z.string().optional() })).optional(),
  podExecutionRoleArn: z.string().optional(),
  tags: eksTags,
});

const cluster = z.looseObject({
  name: z.string().min(1),
  arn: z.string().optional(),
  status: z.string().optional(),
  version: z.string().optional(),
  resourcesVpcConfig: z.looseObject({
    vpcId: z.string(),
    subnetIds: z.array(z.string()),
    securityGroupIds: z.array(z.string()).optional(),
    clusterSecurityGroupId: z.string().optional(),
  }),
  tags: eksTags,
});
const nodegroup = z.looseObject({
  nodegroupName: z.string().min(1),
  clusterName: z.string().optional(),
  status: z.string().optional(),
  subnets: z.array(z.string()),
  instanceTypes: z.array(z.string()).optional(),
  amiType: z.string().optional(),
  scalingConfig: z
    .looseObject({
      minSize: z.number().int().nonnegative().optional(),
      maxSize: z.number().int().nonnegative().optional(),
      desiredSize: z.number().int().nonnegative().optional(),
    })
    .optional(),
  launchTemplate: z
    .looseObject({ id: z.string().optional(), name: z.string().optional(), version: z.string().optional() })
    .optional(),
  tags: eksTags,
});
const addon = z.looseObject({
  addonName: z.string().min(1),
  clusterName: z.string().optional(),
  addonVersion: z.string().optional(),
  configurationValues: z.string().optional(),
});

const ec2 = z.strictObject({
  Vpcs: z.array(vpc).default([]),
  Subnets: z.array(subnet).default([]),
  RouteTables: z.array(routeTable).default([]),
  SecurityGroups: z.array(securityGroup).default([]),
  InstanceTypes: z.array(instanceType).default([]),
  LaunchTemplateVersions: z.array(launchTemplateVersion).default([]),
  NetworkInterfaces: z.array(networkInterface).default([]),
  Reservations: z.array(reservation).optional(),
  LaunchTemplates: z.array(launchTemplate).optional(),
  SubnetCidrReservations: z.array(subnetCidrReservation).optional(),
});

const estateCluster = z.strictObject({
  cluster,
  nodegroups: z.array(nodegroup).default([]),
  addons: z.array(addon).default([]),
  fargateProfiles: z.array(fargateProfile).optional(),
});

const estateRegion = z.strictObject({
  ec2: ec2.default({
    Vpcs: [],
    Subnets: [],
    RouteTables: [],
    SecurityGroups: [],
    InstanceTypes: [],
    LaunchTemplateVersions: [],
    NetworkInterfaces: [],
  }),
  eks: z.strictObject({ clusters: z.array(estateCluster).default([]) }).default({ clusters: [] }),
  autoscaling: z.strictObject({ AutoScalingGroups: z.array(autoScalingGroup).default([]) }).optional(),
});

const rate = z.number().min(0).max(1);
const faults = z.looseObject({
  seed: z.number().int().optional(),
  latencyMs: z.number().nonnegative().optional(),
  throttle: z
    .strictObject({ bucket: z.number().positive(), refillPerSecond: z.number().nonnegative() })
    .optional(),
  serverErrorRate: rate.optional(),
  slowCalls: z.strictObject({ rate, delayMs: z.number().nonnegative() }).optional(),
  assumeRoleDenied: z.array(accountId).optional(),
  regionsNotEnabled: z.record(accountId, z.array(region)).optional(),
  maxPageSize: z.number().int().positive().optional(),
  failingCalls: z
    .array(
      z.strictObject({
        accountId,
        region: region.optional(),
        operation: z.string().min(1),
        errorCode: z.string().optional(),
        resources: z.array(z.string().min(1)).min(1).optional(),
      }),
    )
    .optional(),
});

const estateSchema = z.strictObject({
  version: z.union([z.literal(1), z.literal(2)]),
  capturedAt: z.iso.datetime({ offset: true }).optional(),
  organization: z.strictObject({
    managementAccountId: accountId.optional(),
    accounts: z.array(
      z.looseObject({ Id: accountId, Name: z.string().optional(), Status: z.string().optional() }),
    ),
  }),
  accounts: z.record(accountId, z.strictObject({ regions: z.record(region, estateRegion) })),
  faults: faults.optional(),
});

/** Thrown when an estate does not match the estate format (v1, or v2 with its optional keys); `issues` name the JSON path of each problem. */
export class EstateValidationError extends Error {
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`${source}: invalid estate:\n  ${issues.join("\n  ")}`);
    this.name = "EstateValidationError";
  }
}

/** `accounts.111122223333.regions.eu-west-1.ec2.Subnets[3].SubnetId` */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out || "(root)";
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type" && issue.input === undefined) return "required";
  if (issue.code === "unrecognized_keys")
    return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  return issue.message;
}

/** The keys format v2 added, per account-region; a file using one must say `"version": 2`. */
function v2KeysOf(r: Estate["accounts"][string]["regions"][string]): string[] {
  return [
    ...(["Reservations", "LaunchTemplates", "SubnetCidrReservations"] as const)
      .filter((k) => r.ec2[k] !== undefined)
      .map((k) => `ec2.${k}`),
    ...(r.autoscaling !== undefined ? ["autoscaling"] : []),
    ...r.eks.clusters.flatMap((c, i) =>
      c.fargateProfiles !== undefined ? [`eks.clusters[${i}].fargateProfiles`] : [],
    ),
  ];
}

function crossCheck(estate: Estate): string[] {
  const problems: string[] = [];
  if (estate.version === 1 && estate.capturedAt !== undefined)
    problems.push('capturedAt: a format v2 key; a version 1 estate cannot hold it (set "version": 2)');
  for (const [id, account] of Object.entries(estate.accounts)) {
    for (const [regionName, r] of Object.entries(account.regions)) {
      const base = `accounts.${id}.regions.${regionName}`;
      if (estate.version === 1) {
        for (const key of v2KeysOf(r))
          problems.push(
            `${base}.${key}: a format v2 key; a version 1 estate cannot hold it (set "version": 2)`,
          );
      }
      const vpcIds = new Set(r.ec2.Vpcs.map((v) => v.VpcId));
      r.ec2.Subnets.forEach((s, i) => {
        if (!vpcIds.has(s.VpcId))
          problems.push(`${base}.ec2.Subnets[${i}].VpcId: ${s.VpcId} is not in ec2.Vpcs`);
      });
      const subnetIds = new Set(r.ec2.Subnets.map((s) => s.SubnetId));
      r.ec2.SubnetCidrReservations?.forEach((c, i) => {
        if (!subnetIds.has(c.SubnetId))
          problems.push(
            `${base}.ec2.SubnetCidrReservations[${i}].SubnetId: ${c.SubnetId} is not in ec2.Subnets`,
          );
      });
      const names = new Set<string>();
      r.eks.clusters.forEach((c, i) => {
        const name = c.cluster.name ?? "";
        if (names.has(name))
          problems.push(`${base}.eks.clusters[${i}].cluster.name: duplicate cluster ${name}`);
        names.add(name);
        c.nodegroups.forEach((ng, j) => {
          if (ng.clusterName !== undefined && ng.clusterName !== name) {
            problems.push(
              `${base}.eks.clusters[${i}].nodegroups[${j}].clusterName: ${ng.clusterName} does not match cluster ${name}`,
            );
          }
        });
        const profiles = new Set<string>();
        c.fargateProfiles?.forEach((p, j) => {
          const at = `${base}.eks.clusters[${i}].fargateProfiles[${j}]`;
          if (p.clusterName !== undefined && p.clusterName !== name)
            problems.push(`${at}.clusterName: ${p.clusterName} does not match cluster ${name}`);
          if (profiles.has(p.fargateProfileName ?? ""))
            problems.push(`${at}.fargateProfileName: duplicate profile ${p.fargateProfileName}`);
          profiles.add(p.fargateProfileName ?? "");
        });
      });
    }
  }
  return problems;
}

/** Validate parsed JSON as an estate (format v1 or v2). Throws EstateValidationError naming each JSON path. */
export function parseEstate(input: unknown, source = "estate"): Estate {
  const result = estateSchema.safeParse(input);
  if (!result.success) {
    throw new EstateValidationError(
      source,
      result.error.issues.map((issue) => `${formatJsonPath(issue.path)}: ${describeIssue(issue)}`),
    );
  }
  const estate = result.data as unknown as Estate;
  const problems = crossCheck(estate);
  if (problems.length > 0) throw new EstateValidationError(source, problems);
  return estate;
}

/** Read and validate an estate file; errors name the file and the JSON path. */
export async function loadEstateFile(file: string): Promise<Estate> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new EstateValidationError(file, [`cannot read file: ${(err as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new EstateValidationError(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  return parseEstate(json, file);
}
