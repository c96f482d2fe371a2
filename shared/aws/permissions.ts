/**
 * IAM actions the auditor needs, derived from the SDK commands in shared/ (test/infra/permissions.test.ts
 * greps them and fails when a command is added without its action, or an action is left without a command).
 */

/**
 * The member role's policy: exactly the EC2/EKS List/Describe calls of the collector
 * (shared/inventory/collect.ts) and of the planner's region listing (shared/scan/plan.ts). None of these
 * APIs supports resource-level permissions, so the policy names the actions on every resource.
 */
export const MEMBER_ROLE_ACTIONS = [
  "ec2:DescribeInstanceTypes",
  "ec2:DescribeLaunchTemplateVersions",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeRegions",
  "ec2:DescribeRouteTables",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeSubnets",
  "ec2:DescribeVpcs",
  "eks:DescribeAddon",
  "eks:DescribeCluster",
  "eks:DescribeNodegroup",
  "eks:ListClusters",
  "eks:ListNodegroups",
] as const;

/** The planner's own calls to AWS Organizations (management or delegated-admin account, or the org role). */
export const ORGANIZATIONS_ACTIONS = ["organizations:ListAccounts"] as const;

/** The region listing the planner does with its own credentials for the central account itself. */
export const PLANNER_OWN_ACCOUNT_ACTIONS = ["ec2:DescribeRegions"] as const;

export type MemberRoleAction = (typeof MEMBER_ROLE_ACTIONS)[number];
