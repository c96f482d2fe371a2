import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MEMBER_ROLE_ACTIONS, ORGANIZATIONS_ACTIONS } from "#shared/aws/permissions.ts";

const SHARED = fileURLToPath(new URL("../../shared/", import.meta.url));
/** SDK package → IAM service prefix, for the services whose calls the member role or the planner makes. */
const SERVICES: Record<string, string> = { ec2: "ec2", eks: "eks", organizations: "organizations" };

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

  it("covers exactly the EC2 and EKS calls made in shared/", () => {
    // Act
    const ec2AndEks = [...called.keys()].filter((a) => a.startsWith("ec2:") || a.startsWith("eks:")).sort();

    // Assess
    expect(ec2AndEks).toEqual([...MEMBER_ROLE_ACTIONS].sort());
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
  });

  it("has no wildcard", () => {
    expect([...MEMBER_ROLE_ACTIONS, ...ORGANIZATIONS_ACTIONS].filter((a) => a.includes("*"))).toEqual([]);
  });
});
