import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = new URL("../../bin/eks-audit.js", import.meta.url).pathname;

describe("Command: eks-audit without credentials", () => {
  it("prints one line that says how to provide them and mentions npm run demo", () => {
    // Prepare: a home with no AWS config, and no instance metadata to fall back on
    const home = mkdtempSync(join(tmpdir(), "eks-audit-home-"));
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: home,
      AWS_CONFIG_FILE: join(home, "missing-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(home, "missing-credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_REGION: "eu-west-1",
    };

    // Act
    const run = spawnSync(process.execPath, [BIN, "scan", "--store", "none"], {
      env,
      encoding: "utf8",
      timeout: 60_000,
    });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/no AWS credentials found/);
    expect(lines[0]).toMatch(/--profile/);
    expect(lines[0]).toMatch(/npm run demo/);
  });
});
