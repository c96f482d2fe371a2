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

    // Assess: exit 3, the controller would fail
    expect(run.code).toBe(3);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual([
      "controller",
      "scheme",
      "type",
      "candidates",
      "excluded",
      "chosen",
      "error",
      "capacity",
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
    expect(run.code).toBe(0);
    expect(out.error).toBeNull();
    expect(new Set(out.chosen.map((c) => c.availabilityZone)).size).toBe(out.chosen.length);
    expect(out.chosen.length).toBeGreaterThanOrEqual(2);
  });

  it("replays the legacy controller too, and prints a readable table by default", async () => {
    const legacy = await runCli(["lb-subnets", ...EDGE, "--controller", "legacy", "--format", "json"]);
    expect(JSON.parse(legacy.stdout)).toMatchObject({ controller: "legacy", scheme: "internet-facing" });
    const table = await runCli(["lb-subnets", ...EDGE, "--scheme", "internet-facing"]);
    expect(table.code).toBe(3);
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

  it("takes --accounts and --regions as aliases, and says it looks at one of each when given several", async () => {
    // Act
    const aliases = await runCli([
      "lb-subnets",
      "--estate",
      SAMPLE_ESTATE,
      "--accounts",
      "111122223333",
      "--regions",
      "us-east-1",
      "--cluster",
      "edge-use1",
      "--format",
      "json",
    ]);
    const accounts = await runCli(["lb-subnets", ...EDGE, "--accounts", "111122223333,222233334444"]);
    const regions = await runCli(["lb-subnets", ...EDGE, "--region", "eu-west-1"]);
    const all = await runCli(["lb-subnets", ...EDGE, "--regions", "all"]);

    // Assess
    expect(aliases.code).toBe(3);
    expect(JSON.parse(aliases.stdout)).toMatchObject({ controller: "lbc", scheme: "internal" });
    for (const run of [accounts, regions, all]) {
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
    }
    expect(accounts.stderr).toBe(
      "eks-audit: --account: lb-subnets looks at one account, got 2 (111122223333, 222233334444); pass one.\n",
    );
    expect(regions.stderr).toBe(
      "eks-audit: --region: lb-subnets looks at one region, got 2 (us-east-1, eu-west-1); pass one, e.g. eu-west-1.\n",
    );
    expect(all.stderr).toBe(
      'eks-audit: --region: lb-subnets looks at one region, got "all"; pass one, e.g. eu-west-1.\n',
    );
  });

  it("prints one line for an AWS error, and with --debug the whole error with its request id and status", async () => {
    // Act: 444455556666 denies AssumeRole in the sample
    const scope = ["lb-subnets", "--estate", SAMPLE_ESTATE, "--account", "444455556666", "--cluster", "x"];
    const plain = await runCli(scope);
    const debug = await runCli([...scope, "--debug"]);

    // Assess
    expect(plain.code).toBe(1);
    expect(plain.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^eks-audit: AccessDenied: .*sts:AssumeRole.* \(--debug prints the whole error\)$/,
      ),
    ]);
    expect(debug.code).toBe(1);
    const [line, ...details] = debug.stderr.trim().split("\n");
    expect(line).toMatch(/^eks-audit: AccessDenied: .*sts:AssumeRole.*EksAuditorReadRole$/);
    expect(details[0]).toMatch(/^AccessDenied: /);
    expect(details.some((l) => /^ {4}at /.test(l))).toBe(true);
    expect(details).toContainEqual(
      expect.stringMatching(/^\$metadata: requestId=[\w-]+ httpStatusCode=403 /),
    );
    expect(details).toContain("$fault=client Code=AccessDenied");
  });

  it("places every kind of capacity by zone, and names the zones the load balancer would not reach", async () => {
    // Prepare: tools-use1 runs managed node groups and a Fargate profile; ml-staging is Karpenter only.
    const tools = ["--estate", SAMPLE_ESTATE, "--account", "111122223333", "--region", "us-east-1"];
    const ml = ["--estate", SAMPLE_ESTATE, "--account", "333344445555", "--region", "eu-west-1"];
    const scan = [...tools, "--store", "none", "--format", "json"];

    // Act
    const toolsRun = await runCli(["lb-subnets", ...tools, "--cluster", "tools-use1", "--format", "json"]);
    const mlRun = await runCli(["lb-subnets", ...ml, "--cluster", "ml-staging"]);
    const findings = JSON.parse((await runCli(["scan", ...scan])).stdout) as {
      ruleId: string;
      cluster: string;
      variant?: string;
      evidence: { azs?: string[]; nodegroup?: string; capacityGroup?: string };
    }[];

    // Assess
    const capacity = (
      JSON.parse(toolsRun.stdout) as {
        capacity: { kind: string; name: string; azsWithoutSubnet: string[] }[];
      }
    ).capacity;
    expect(capacity.map((g) => g.kind)).toContain("fargate");
    // The zones without a subnet are the elb rule's gaps for internal load balancers, group by group.
    const gaps = findings
      .filter(
        (f) =>
          f.ruleId === "elb.node-az-without-lb-subnet" &&
          f.cluster === "tools-use1" &&
          f.variant === "internal",
      )
      .map((f) => `${f.evidence.nodegroup ?? f.evidence.capacityGroup}:${(f.evidence.azs ?? []).join(",")}`)
      .sort();
    expect(
      capacity
        .filter((g) => g.azsWithoutSubnet.length > 0)
        .map((g) => `${g.name}:${g.azsWithoutSubnet.join(",")}`)
        .sort(),
    ).toEqual(gaps);
    expect(mlRun.stdout).toMatch(
      /^Capacity: Karpenter node pool default \(eu-west-1a, eu-west-1b, eu-west-1c\)$/m,
    );
  });
});
