/**
 * IAM actions the auditor needs, derived from the SDK commands in shared/ (test/infra/permissions.test.ts
 * greps them and fails when a command is added without its action, or an action is left without a command).
 * The single source of the member role's policy, the scanner's policy for its own account, and the planner's.
 */

/**
 * The member role's policy: exactly the EC2/EKS/Auto Scaling List/Describe/Get calls of the collector
 * (shared/inventory/collect.ts) and of the CLI's region listing (shared/scan/plan.ts).
 */
export const MEMBER_ROLE_ACTIONS = [
  "autoscaling:DescribeAutoScalingGroups",
  "ec2:DescribeInstanceTypes",
  "ec2:DescribeInstances",
  "ec2:DescribeLaunchTemplateVersions",
  "ec2:DescribeLaunchTemplates",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeRegions",
  "ec2:DescribeRouteTables",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeSubnets",
  "ec2:DescribeVpcs",
  "ec2:GetSubnetCidrReservations",
  "eks:DescribeAddon",
  "eks:DescribeCluster",
  "eks:DescribeFargateProfile",
  "eks:DescribeNodegroup",
  "eks:ListClusters",
  "eks:ListFargateProfiles",
  "eks:ListNodegroups",
] as const;

export type MemberRoleAction = (typeof MEMBER_ROLE_ACTIONS)[number];

/** EKS resource types an IAM policy can name (Service Authorization Reference, Amazon EKS, "Resource types"). */
export type EksResourceType = "cluster" | "nodegroup" | "addon" | "fargateprofile";

/**
 * The resource type each EKS action of the member role requires, from the Service Authorization Reference
 * ("Actions, resources, and condition keys for Amazon Elastic Kubernetes Service", Actions table): these
 * actions are granted on their ARNs only. A new `eks:` action must be added here or to
 * UNSCOPED_EKS_ACTIONS (test/infra/permissions.test.ts fails otherwise).
 */
export const EKS_ACTION_RESOURCE_TYPES: Partial<Record<string, EksResourceType>> = {
  "eks:DescribeCluster": "cluster",
  "eks:ListNodegroups": "cluster",
  "eks:DescribeNodegroup": "nodegroup",
  "eks:DescribeAddon": "addon",
  "eks:ListAddons": "cluster",
  "eks:ListFargateProfiles": "cluster",
  "eks:DescribeFargateProfile": "fargateprofile",
};

/** EKS actions whose Resource types column is empty in the reference: they take `*` only. */
export const UNSCOPED_EKS_ACTIONS: readonly string[] = ["eks:ListClusters"];

/**
 * ARN patterns of an EKS resource type in one account, every region and name (the reference's "Resource
 * types" table: `cluster/${ClusterName}`, `nodegroup/${ClusterName}/${NodegroupName}/${UUID}`,
 * `addon/${ClusterName}/${AddonName}/${UUID}`, `fargateprofile/${ClusterName}/${FargateProfileName}/${UUID}`).
 */
export function eksResourceArn(type: EksResourceType, partition: string, accountId: string): string {
  const path = type === "cluster" ? "cluster/*" : `${type}/*/*/*`;
  return `arn:${partition}:eks:*:${accountId}:${path}`;
}

export interface PermissionGroup {
  actions: string[];
  resources: string[];
}

/**
 * A read policy as statements grouped by resource: the resource-scoped EKS actions on their ARNs in
 * `accountId`, everything else (EC2 Describe*, which supports no resource-level permissions,
 * autoscaling:DescribeAutoScalingGroups, which takes none either, and eks:ListClusters) on `*`.
 */
export function readPermissionGroups(
  actions: readonly string[],
  partition: string,
  accountId: string,
): PermissionGroup[] {
  const byResource = new Map<string, string[]>();
  for (const action of [...actions].sort()) {
    const type = EKS_ACTION_RESOURCE_TYPES[action];
    const resource = type === undefined ? "*" : eksResourceArn(type, partition, accountId);
    byResource.set(resource, [...(byResource.get(resource) ?? []), action]);
  }
  return [...byResource].map(([resource, grouped]) => ({ actions: grouped, resources: [resource] }));
}

/** The planner's own calls to AWS Organizations (management or delegated-admin account, or the org role). */
export const ORGANIZATIONS_ACTIONS = ["organizations:ListAccounts"] as const;

/**
 * Everything the planner may do in an account: list its enabled regions (shared/scan/plan.ts), with its own
 * credentials in the central account and through the member regions role everywhere else.
 */
export const REGION_LISTING_ACTIONS = ["ec2:DescribeRegions"] as const;
