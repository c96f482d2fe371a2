import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { SAMPLE_ESTATE } from "#test/support/cli.ts";

/** The executable package.json's `bin` names: built from the sources by the integration tests' global setup. */
const BIN = new URL("../../dist/eks-audit.js", import.meta.url).pathname;

function eksAudit(args: string[]) {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  return spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8", timeout: 90_000 });
}

describe("Command: the compiled eks-audit reads the shipped instance-type data", () => {
  it("ip-cost knows m5.large (3 ENIs × 10 IPv4: maxPods 29)", () => {
    // Act
    const run = eksAudit(["ip-cost", "--instance-type", "m5.large"]);

    // Assess
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^m5\.large .*\(maxPods 29\)/m);
  });

  it("answers --estate runs through the simulator's instance catalogue", () => {
    // Act: edge-use1's internal-elb subnets are short of IPs in the sample: the controller would fail (exit 3)
    const run = eksAudit([
      "lb-subnets",
      "--estate",
      SAMPLE_ESTATE,
      "--account",
      "111122223333",
      "--region",
      "us-east-1",
      "--cluster",
      "edge-use1",
      "--scheme",
      "internal",
      "--format",
      "json",
    ]);

    // Assess
    expect(run.stderr).toBe("");
    expect(run.status).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ scheme: "internal", chosen: [] });
  });
});
