import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = new URL("../../dist/eks-audit.js", import.meta.url).pathname;

/** A home with the given AWS files, and no instance metadata to fall back on. */
function homeWith(files: { config?: string; credentials?: string } = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), "eks-audit-home-"));
  mkdirSync(join(home, ".aws"));
  if (files.config !== undefined) writeFileSync(join(home, ".aws", "config"), files.config);
  if (files.credentials !== undefined) writeFileSync(join(home, ".aws", "credentials"), files.credentials);
  return {
    PATH: process.env.PATH ?? "",
    HOME: home,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_REGION: "eu-west-1",
  };
}

function eksAudit(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8", timeout: 90_000 });
}

const PROFILES = {
  config:
    "[default]\nregion = eu-west-1\n[profile dev]\nregion = eu-west-1\n[sso-session corp]\nsso_region = eu-west-1\n",
  credentials:
    "[prod]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\naws_secret_access_key = example-secret-key\n",
};

describe("Command: eks-audit without credentials", () => {
  it("prints one line that says how to provide them and mentions npm run demo", () => {
    // Prepare: a home with no AWS config at all
    const env = homeWith();

    // Act
    const run = eksAudit(["scan", "--store", "none"], env);

    // Assess
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/no AWS credentials found/);
    expect(lines[0]).toMatch(/--profile/);
    expect(lines[0]).toMatch(/npm run demo/);
  });

  it("names a --profile that does not exist, with the profiles of both files (no sso-session)", () => {
    // Prepare
    const env = homeWith(PROFILES);

    // Act
    const run = eksAudit(["scan", "--store", "none", "--profile", "nope"], env);

    // Assess
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      'eks-audit: profile "nope" not found in ~/.aws/config or ~/.aws/credentials (profiles there: default, dev, prod)\n',
    );
  });

  it("names an AWS_PROFILE that does not exist, for every command that reaches AWS or its store", () => {
    // Prepare
    const env: NodeJS.ProcessEnv = { ...homeWith(PROFILES), AWS_PROFILE: "nope" };
    const missing =
      'eks-audit: profile "nope" (from AWS_PROFILE) not found in ~/.aws/config or ~/.aws/credentials (profiles there: default, dev, prod)\n';

    // Act
    const snapshot = eksAudit(["snapshot", "--out", join(env.HOME ?? "", "out.json")], env);
    const findings = eksAudit(["findings", "--store", "dynamodb:eks-auditor-findings"], env);

    // Assess
    expect(snapshot.status).toBe(1);
    expect(snapshot.stderr).toBe(missing);
    expect(findings.status).toBe(1);
    expect(findings.stderr).toBe(missing);
  });

  it("says a profile that exists gave no credentials, and --debug adds the SDK's error without its secrets", () => {
    // Prepare: dev exists in ~/.aws/config but has no credentials; a secret sits in the environment
    const env = { ...homeWith(PROFILES), AWS_SESSION_TOKEN: "session-token-that-must-not-print" };

    // Act
    const plain = eksAudit(["lb-subnets", "--cluster", "web", "--profile", "dev"], env);
    const debug = eksAudit(["lb-subnets", "--cluster", "web", "--profile", "dev", "--debug"], env);

    // Assess
    expect(plain.status).toBe(1);
    expect(plain.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^eks-audit: no AWS credentials from profile "dev": .*aws sso login --profile dev/,
      ),
    ]);
    expect(debug.status).toBe(1);
    const [line, ...details] = debug.stderr.trim().split("\n");
    expect(line).toBe(plain.stderr.trim());
    expect(details[0]).toMatch(/^CredentialsProviderError: /);
    expect(details.some((l) => /^ {4}at /.test(l))).toBe(true);
    expect(debug.stderr).not.toContain("session-token-that-must-not-print");
    expect(debug.stderr).not.toContain("example-secret-key");
  });
});
