import { describe, expect, it } from "vitest";
import { runCli } from "#test/support/cli.ts";

describe("Command: eks-audit ip-cost --auto-mode / --fargate", () => {
  it("--auto-mode costs a node with /28 prefixes and one warm prefix", async () => {
    // Act
    const run = await runCli(["ip-cost", "--instance-type", "m5.large", "--auto-mode", "--format", "json"]);

    // Assess: 1 pod → P = ceil(1/16) + 1 = 2 prefixes on 1 ENI: 1 + 16 × 2.
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ prefixes: 2, ips: { nodeSubnet: 33 } });
  });

  it("--fargate counts one address per pod, without an instance type", async () => {
    // Act
    const run = await runCli(["ip-cost", "--fargate", "--pods", "12", "--format", "json"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ instanceType: "fargate", enis: 12, ips: { total: 12 } });
  });

  it("refuses vpc-cni settings with --auto-mode and a missing --instance-type, naming the flag", async () => {
    // Act
    const cni = await runCli([
      "ip-cost",
      "--instance-type",
      "m5.large",
      "--auto-mode",
      "--cni",
      "WARM_IP_TARGET=2",
    ]);
    const missing = await runCli(["ip-cost", "--pods", "3"]);

    // Assess
    expect(cni.code).toBe(1);
    expect(cni.stderr).toContain("--auto-mode");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("--instance-type");
  });
});
