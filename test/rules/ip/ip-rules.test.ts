import { describe, expect, it } from "vitest";
import { RULE_IDS } from "#shared/findings/index.ts";
import { IP_RULES } from "#shared/rules/ip/index.ts";
import { healthySpec, inventoryOf, subnet, tightSpec } from "./fixtures.ts";

function runAll(spec: Parameters<typeof inventoryOf>[0]) {
  const inventory = inventoryOf(spec);
  return IP_RULES.flatMap((r) => r.evaluate(inventory));
}

describe("Rules: ip.*", () => {
  it("wires exactly the catalog's ip rules", () => {
    // Assess
    expect(IP_RULES.map((r) => r.id).sort()).toEqual(RULE_IDS.filter((id) => id.startsWith("ip.")).sort());
  });

  it("a healthy cluster with /19 node subnets produces no ip finding", () => {
    // Act
    const findings = runAll(healthySpec());

    // Assess
    expect(findings).toEqual([]);
  });

  it("keeps co-firing reasonable on one tight subnet", () => {
    // Act
    const findings = runAll(tightSpec());

    // Assess
    expect(findings.map((f) => [f.ruleId, f.resourceId, f.severity])).toEqual([
      ["ip.subnet-nearly-full", "subnet-0tight", "HIGH"],
      ["ip.warm-pool-oversized", "web", "LOW"],
    ]);
  });

  it("skips an unknown instance type, says so in the other findings, and never throws", () => {
    // Prepare
    const spec = tightSpec();
    const cluster = spec.clusters[0];
    cluster?.nodegroups.push({ name: "mystery", subnets: ["subnet-0tight"], instanceTypes: ["x9.mystery"] });

    // Act
    const findings = runAll(spec);

    // Assess
    const nearlyFull = findings.find((f) => f.ruleId === "ip.subnet-nearly-full");
    expect(nearlyFull?.evidence).toMatchObject({
      skippedNodegroups: [
        { nodegroup: "mystery", reason: expect.stringContaining("unknown instance type x9.mystery") },
      ],
    });
  });

  it("an unknown instance type alone yields no finding", () => {
    // Prepare
    const spec = tightSpec({}, { instanceTypes: ["x9.mystery"] });

    // Act / Assess
    expect(runAll(spec)).toEqual([]);
  });

  it("IPv6 clusters take 1 IPv4 per node: the tight subnet has room", () => {
    // Act
    const findings = runAll(tightSpec({ ipFamily: "ipv6" }));

    // Assess
    expect(findings).toEqual([]);
  });

  it("custom networking: node subnets pay 1 IP per node", () => {
    // Prepare
    const spec = tightSpec({ configurationValues: '{"env":{"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG":"true"}}' });
    spec.subnets[0] = subnet("subnet-0tight", "10.0.1.0/24", "eu-west-1a", 40);

    // Act
    const findings = runAll(spec);

    // Assess: 40 launches fit; only the 16 % free check could speak, and 40/251 is 15.9 %.
    expect(findings).toEqual([]);
  });

  it("skips Windows node groups", () => {
    // Prepare
    const spec = tightSpec({}, { amiType: "WINDOWS_CORE_2022_x86_64" });
    spec.subnets[0] = subnet("subnet-0tight", "10.0.1.0/24", "eu-west-1a", 3);

    // Act / Assess
    expect(runAll(spec)).toEqual([]);
  });

  it("an inventory without clusters yields nothing", () => {
    // Act / Assess
    expect(runAll({ subnets: [], clusters: [] })).toEqual([]);
  });
});
