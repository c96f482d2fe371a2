import { describe, expect, it } from "vitest";
import { runCli } from "#test/support/cli.ts";

async function ipCost(...args: string[]) {
  const run = await runCli(["ip-cost", ...args, "--format", "json"]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as {
    ips: { nodeSubnet: number; eniConfigSubnet: number; total: number };
    enis: number;
  };
}

describe("Command: eks-audit ip-cost", () => {
  it.each([
    // m5.large: 3 ENIs × 10 IPv4 — empty 10, 1–9 pods 20, 10+ pods 30 (vpc-cni-ip-math.md)
    ["m5.large", 0, 10],
    ["m5.large", 1, 20],
    ["m5.large", 9, 20],
    ["m5.large", 10, 30],
    ["m5.large", 27, 30],
    // t3.small: 3 ENIs × 4 IPv4 (amazon-vpc-cni-k8s docs/eni-and-ip-target.md)
    ["t3.small", 0, 4],
    ["t3.small", 4, 12],
  ])("%s with %i pods holds %i IPs under the defaults", async (type, pods, total) => {
    const out = await ipCost("--instance-type", String(type), "--pods", String(pods));
    expect(out.ips.total).toBe(total);
  });

  it("applies WARM_IP_TARGET/MINIMUM_IP_TARGET, prefix delegation and custom networking from --cni", async () => {
    const warm = await ipCost(
      "--instance-type",
      "m5.large",
      "--pods",
      "3",
      "--cni",
      "WARM_IP_TARGET=2",
      "--cni",
      "MINIMUM_IP_TARGET=10",
    );
    expect(warm.ips.total).toBe(12);
    const pd = await ipCost(
      "--instance-type",
      "m5.large",
      "--pods",
      "1",
      "--cni",
      "ENABLE_PREFIX_DELEGATION=true",
    );
    expect(pd.ips.total).toBe(1 + 16 * 2);
    const custom = await ipCost(
      "--instance-type",
      "m5.large",
      "--pods",
      "1",
      "--cni",
      "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true",
    );
    expect(custom.ips.nodeSubnet).toBe(1);
    expect(custom.ips.eniConfigSubnet).toBeGreaterThan(0);
  });

  it("rejects an unknown instance type or CNI key with one line naming the flag", async () => {
    const bad = await runCli(["ip-cost", "--instance-type", "m5.huge"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/--instance-type: unknown instance type "m5.huge"/);
    const key = await runCli(["ip-cost", "--instance-type", "m5.large", "--cni", "WARM_TARGET=1"]);
    expect(key.code).toBe(1);
    expect(key.stderr).toMatch(/--cni "WARM_TARGET=1"/);
  });
});
