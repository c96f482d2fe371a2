import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  EKS_ACTION_RESOURCE_TYPES,
  MEMBER_ROLE_ACTIONS,
  ORGANIZATIONS_ACTIONS,
  REGION_LISTING_ACTIONS,
  readPermissionGroups,
  UNSCOPED_EKS_ACTIONS,
} from "#shared/aws/permissions.ts";

const SHARED = fileURLToPath(new URL("../../shared/", import.meta.url));
/** SDK package → IAM service prefix, for the services whose calls the member role or the planner makes. */
const SERVICES: Record<string, string> = {
  ec2: "ec2",
  eks: "eks",
  "auto-scaling": "autoscaling",
  organizations: "organizations",
};
/** The services of the member role's read actions. */
const MEMBER_SERVICES = ["autoscaling:", "ec2:", "eks:"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** `ec2:DescribeSubnets` for each `DescribeSubnetsCommand` / `paginateDescribeSubnets` imported (as a value) in shared/. */
function actionsCalledInShared(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const importPattern = /import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-([a-z0-9-]+)"/g;
  for (const file of sourceFiles(SHARED)) {
    const text = readFileSync(file, "utf8");
    for (const [, names = "", pkg = ""] of text.matchAll(importPattern)) {
      const service = SERVICES[pkg];
      if (service === undefined) continue;
      for (const raw of names.split(",")) {
        const name = raw.trim();
        if (name === "" || name.startsWith("type ")) continue;
        const op = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
        if (op === undefined) continue;
        const action = `${service}:${op}`;
        found.set(action, [...(found.get(action) ?? []), relative(SHARED, file)]);
      }
    }
  }
  return found;
}

describe("Constant: MEMBER_ROLE_ACTIONS", () => {
  const called = actionsCalledInShared();

  it("covers exactly the EC2, EKS and Auto Scaling calls made in shared/", () => {
    // Act
    const memberCalls = [...called.keys()].filter((a) => MEMBER_SERVICES.some((s) => a.startsWith(s))).sort();

    // Assess
    expect(memberCalls).toEqual([...MEMBER_ROLE_ACTIONS].sort());
  });

  it("covers, with ORGANIZATIONS_ACTIONS, the Organizations calls of the planner", () => {
    // Act
    const organizations = [...called.keys()].filter((a) => a.startsWith("organizations:")).sort();

    // Assess
    expect(organizations).toEqual([...ORGANIZATIONS_ACTIONS].sort());
  });

  it("derives from the collector and the planner", () => {
    // Assess
    expect(called.get("eks:DescribeAddon")).toContain("inventory/collect.ts");
    expect(called.get("ec2:DescribeRegions")).toContain("scan/plan.ts");
    for (const action of [
      "autoscaling:DescribeAutoScalingGroups",
      "ec2:DescribeInstances",
      "ec2:DescribeLaunchTemplates",
      "ec2:GetSubnetCidrReservations",
      "eks:ListFargateProfiles",
      "eks:DescribeFargateProfile",
    ])
      expect(called.get(action), action).toContain("inventory/collect.ts");
  });

  it("has no wildcard", () => {
    expect([...MEMBER_ROLE_ACTIONS, ...ORGANIZATIONS_ACTIONS].filter((a) => a.includes("*"))).toEqual([]);
  });
});

describe("Constant: EKS_ACTION_RESOURCE_TYPES", () => {
  it("says, for every EKS action of the member role, which resource it takes or that it takes none", () => {
    // Act
    const undecided = MEMBER_ROLE_ACTIONS.filter(
      (a) =>
        a.startsWith("eks:") &&
        EKS_ACTION_RESOURCE_TYPES[a] === undefined &&
        !UNSCOPED_EKS_ACTIONS.includes(a),
    );

    // Assess
    expect(undecided).toEqual([]);
  });
});

describe("Function: readPermissionGroups", () => {
  it("puts the resource-scoped EKS actions on the account's ARNs and everything else on *", () => {
    // Act
    const groups = readPermissionGroups(MEMBER_ROLE_ACTIONS, "aws-cn", "222233334444");
    const resourceOf = (action: string) => groups.find((g) => g.actions.includes(action))?.resources;

    // Assess
    expect(groups.flatMap((g) => g.actions).sort()).toEqual([...MEMBER_ROLE_ACTIONS].sort());
    expect(resourceOf("eks:DescribeCluster")).toEqual(["arn:aws-cn:eks:*:222233334444:cluster/*"]);
    expect(resourceOf("eks:ListNodegroups")).toEqual(["arn:aws-cn:eks:*:222233334444:cluster/*"]);
    expect(resourceOf("eks:DescribeNodegroup")).toEqual(["arn:aws-cn:eks:*:222233334444:nodegroup/*/*/*"]);
    expect(resourceOf("eks:DescribeAddon")).toEqual(["arn:aws-cn:eks:*:222233334444:addon/*/*/*"]);
    expect(resourceOf("eks:ListFargateProfiles")).toEqual(["arn:aws-cn:eks:*:222233334444:cluster/*"]);
    expect(resourceOf("eks:DescribeFargateProfile")).toEqual([
      "arn:aws-cn:eks:*:222233334444:fargateprofile/*/*/*",
    ]);
    expect(resourceOf("eks:ListClusters")).toEqual(["*"]);
    expect(resourceOf("ec2:DescribeSubnets")).toEqual(["*"]);
    expect(resourceOf("ec2:DescribeInstances")).toEqual(["*"]);
    expect(resourceOf("autoscaling:DescribeAutoScalingGroups")).toEqual(["*"]);
  });

  it("gives the planner's region listing one statement on *", () => {
    expect(readPermissionGroups(REGION_LISTING_ACTIONS, "aws", "1")).toEqual([
      { actions: ["ec2:DescribeRegions"], resources: ["*"] },
    ]);
  });
});
