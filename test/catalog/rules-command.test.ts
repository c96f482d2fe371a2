import { describe, expect, it } from "vitest";
import { RULE_CATALOG, ruleMetadata } from "#shared/catalog/index.ts";
import { runCli } from "#test/support/cli.ts";

describe("Command: eks-audit rules", () => {
  it("lists every rule with its id, default severity and title", async () => {
    // Act
    const { code, stdout, stderr } = await runCli(["rules"]);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const rows = stdout.split("\n").filter((line) => /^│ \w+\.[\w-]+ /.test(line));
    expect(rows.map((line) => line.split("│").map((c) => c.trim())[1])).toEqual(
      RULE_CATALOG.map((r) => r.id),
    );
    const subnetExhausted = rows.find((line) => line.includes("ip.subnet-exhausted"));
    expect(subnetExhausted).toContain("CRITICAL");
    expect(subnetExhausted).toContain("Subnet cannot fit one more node");
    expect(stdout).toContain(`${RULE_CATALOG.length} rules;`);
  });

  it("prints the full metadata as one JSON array with --format json", async () => {
    // Act
    const { code, stdout } = await runCli(["rules", "--format", "json"]);

    // Assess
    expect(code).toBe(0);
    const rules = JSON.parse(stdout) as unknown[];
    expect(rules).toEqual(RULE_CATALOG.map(ruleMetadata));
    expect(rules[0]).toEqual({
      id: "elb.no-eligible-subnet",
      family: "elb",
      severity: "HIGH",
      title: expect.any(String),
      why: expect.any(String),
      firesWhen: expect.any(String),
      link: expect.stringMatching(/^https:\/\//),
    });
  });

  it("rejects an unknown format with a non-zero exit naming the flag", async () => {
    // Act
    const { code, stderr } = await runCli(["rules", "--format", "yaml"]);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain("--format");
  });
});
