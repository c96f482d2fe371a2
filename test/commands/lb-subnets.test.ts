import { describe, expect, it } from "vitest";
import { runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";

const EDGE = [
  "--estate",
  SAMPLE_ESTATE,
  "--account",
  "111122223333",
  "--region",
  "us-east-1",
  "--cluster",
  "edge-use1",
];

describe("Command: eks-audit lb-subnets", () => {
  it("explains why internal load balancers of edge-use1 get no subnet, in the controller's words", async () => {
    // Act
    const run = await runCli(["lb-subnets", ...EDGE, "--scheme", "internal", "--format", "json"]);

    // Assess
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual([
      "controller",
      "scheme",
      "type",
      "candidates",
      "excluded",
      "chosen",
      "error",
    ]);
    expect(out).toMatchObject({ controller: "lbc", scheme: "internal", type: "alb", chosen: [] });
    expect(out.error).toBe(
      "unable to resolve at least one subnet. Evaluated 2 subnets: 0 are tagged for other clusters, and 2 have insufficient available IP addresses",
    );
    const excluded = out.excluded as { subnetId: string; reason: string }[];
    expect(excluded.find((e) => e.subnetId === "subnet-0b88e1d8b5b459abe")?.reason).toMatch(
      /3 available IPs/,
    );
  });

  it("chooses one subnet per AZ on a healthy cluster and reports no error", async () => {
    const run = await runCli([
      "lb-subnets",
      "--estate",
      SAMPLE_ESTATE,
      "--region",
      "eu-west-1",
      "--cluster",
      "platform-prod-euw1",
      "--scheme",
      "internet-facing",
      "--format",
      "json",
    ]);
    const out = JSON.parse(run.stdout) as { chosen: { availabilityZone: string }[]; error: string | null };
    expect(out.error).toBeNull();
    expect(new Set(out.chosen.map((c) => c.availabilityZone)).size).toBe(out.chosen.length);
    expect(out.chosen.length).toBeGreaterThanOrEqual(2);
  });

  it("replays the legacy controller too, and prints a readable table by default", async () => {
    const legacy = await runCli(["lb-subnets", ...EDGE, "--controller", "legacy", "--format", "json"]);
    expect(JSON.parse(legacy.stdout)).toMatchObject({ controller: "legacy", scheme: "internet-facing" });
    const table = await runCli(["lb-subnets", ...EDGE, "--scheme", "internet-facing"]);
    expect(table.stdout).toMatch(/AWS Load Balancer Controller, internet-facing ALB/);
    expect(table.stdout).toMatch(/subnets count less than minimal required count: 1 < 2/);
  });

  it("names the flag when the cluster does not exist", async () => {
    const run = await runCli([
      "lb-subnets",
      "--estate",
      SAMPLE_ESTATE,
      "--region",
      "us-east-1",
      "--cluster",
      "nope",
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /--cluster: no cluster "nope" in 111122223333\/us-east-1 \(clusters there: edge-use1, tools-use1, storefront-use1\)/,
    );
  });
});
