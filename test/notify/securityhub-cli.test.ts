import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type Estate, loadEstateFile } from "#shared/estate/index.ts";
import type { Finding } from "#shared/findings/index.ts";
import { type Simulator, simAccessKeyId, startSimulator } from "#sim/index.ts";
import { runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";

const CALLER = "111122223333";
const PRODUCT = `arn:aws:securityhub:eu-west-1:${CALLER}:product/${CALLER}/default`;
const PAYMENTS = { accountId: "222233334444", region: "eu-west-1" };

let sim: Simulator;
let estate: Estate;
let dir: string;

/** Payments changes: node group batch is deleted (its findings resolve), ledger gets an SSH key (NEW). */
function changedPayments(base: Estate): Estate {
  const changed = structuredClone(base);
  const cluster = changed.accounts[PAYMENTS.accountId]?.regions[PAYMENTS.region]?.eks.clusters[0];
  const ledger = cluster?.nodegroups.find((n) => n.nodegroupName === "ledger");
  if (cluster === undefined || ledger === undefined)
    throw new Error("sample estate changed: no ledger node group");
  cluster.nodegroups = cluster.nodegroups.filter((n) => n.nodegroupName !== "batch");
  ledger.remoteAccess = { ec2SshKey: "payments-ops" };
  return changed;
}

beforeAll(async () => {
  estate = await loadEstateFile(SAMPLE_ESTATE);
  sim = await startSimulator({ estate });
  dir = mkdtempSync(join(tmpdir(), "eks-audit-sechub-"));
  const home = mkdtempSync(join(tmpdir(), "eks-audit-home-"));
  vi.stubEnv("AWS_ACCESS_KEY_ID", simAccessKeyId(CALLER));
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "simulator");
  vi.stubEnv("AWS_REGION", "eu-west-1");
  vi.stubEnv("AWS_PROFILE", "");
  vi.stubEnv("AWS_CONFIG_FILE", join(home, "config"));
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(home, "credentials"));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  sim.setEstate(estate);
  sim.securityHub.clear();
});

function scan(...args: string[]) {
  return runCli(["scan", "--endpoint-url", sim.url, "--org", "--regions", "eu-west-1,us-east-1", ...args]);
}

const scopeOf = (f: { accountId: string; region: string }) => `${f.accountId}/${f.region}`;
const fields = (f: AwsSecurityFinding) => f.ProductFields ?? {};

describe("Command: eks-audit scan --notify securityhub", () => {
  it("imports every finding of a first scan, then only the changes (archiving resolutions), then nothing", async () => {
    // Prepare
    const store = `dynalite:${join(dir, "three")}`;

    // Act
    const first = await scan("--store", store, "--notify", "securityhub", "--format", "json");
    const firstImport = sim.securityHub.received();
    sim.setEstate(changedPayments(estate));
    const second = await scan("--store", store, "--notify", "securityhub", "--format", "json");
    const secondImport = sim.securityHub.received().slice(firstImport.length);
    const callsBefore = sim.securityHub.imports.length;
    const third = await scan("--store", store, "--notify", "securityhub", "--format", "json");

    // Assess: the first scan's findings (carried-over ones excluded) are what was imported
    expect(first.code, first.stderr).toBe(4); // the sample's planted scan failures
    const findings = (JSON.parse(first.stdout) as (Finding & { carriedOver?: boolean })[]).filter(
      (f) => !f.carriedOver,
    );
    expect(firstImport).toHaveLength(findings.length);
    expect(
      firstImport
        .map(
          (f) =>
            `${fields(f)["eksAuditor/AccountId"]}/${fields(f)["eksAuditor/Region"]}/${f.GeneratorId}/${fields(f)["eksAuditor/ResourceId"]}`,
        )
        .sort(),
    ).toEqual(findings.map((f) => `${scopeOf(f)}/${f.ruleId}/${f.resourceId}`).sort());
    expect(firstImport.every((f) => f.ProductArn === PRODUCT && f.AwsAccountId === CALLER)).toBe(true);
    expect(firstImport.every((f) => f.RecordState === "ACTIVE")).toBe(true);
    expect(sim.securityHub.imports.every((c) => c.failed.length === 0 && c.region === "eu-west-1")).toBe(
      true,
    );
    expect(first.stderr).toMatch(
      new RegExp(
        `^Imported ${findings.length} findings into Security Hub \\(${PRODUCT}; 0 archived as resolved\\):$`,
        "m",
      ),
    );

    // The second: only payments changed; its resolutions are archived, its new SSH finding is active
    expect(second.code, second.stderr).toBe(4);
    expect(secondImport.length).toBeGreaterThan(0);
    expect(
      new Set(
        secondImport.map((f) => `${fields(f)["eksAuditor/AccountId"]}/${fields(f)["eksAuditor/Region"]}`),
      ),
    ).toEqual(new Set([scopeOf(PAYMENTS)]));
    const archived = secondImport.filter((f) => f.RecordState === "ARCHIVED");
    expect(archived.length).toBeGreaterThan(0);
    expect(
      archived.every(
        (f) => f.Compliance?.Status === "PASSED" && fields(f)["eksAuditor/Transition"] === "RESOLVED",
      ),
    ).toBe(true);
    const key = (f: Finding) => `${scopeOf(f)}/${f.ruleId}/${f.resourceId}/${f.variant ?? ""}`;
    const asffKey = (f: AwsSecurityFinding) =>
      `${fields(f)["eksAuditor/AccountId"]}/${fields(f)["eksAuditor/Region"]}/${f.GeneratorId}/${fields(f)["eksAuditor/ResourceId"]}/${fields(f)["eksAuditor/Variant"] ?? ""}`;
    const now = (JSON.parse(second.stdout) as (Finding & { carriedOver?: boolean })[]).filter(
      (f) => !f.carriedOver,
    );
    const before = new Set(findings.map(key));
    const after = new Set(now.map(key));
    expect(archived.map(asffKey).sort()).toEqual([...before].filter((k) => !after.has(k)).sort());
    expect(
      secondImport
        .filter((f) => f.RecordState === "ACTIVE")
        .map(asffKey)
        .sort(),
    ).toEqual([...after].filter((k) => !before.has(k)).sort());
    expect(
      secondImport.find(
        (f) => f.GeneratorId === "sg.ssh-open-to-world" && fields(f)["eksAuditor/ResourceId"] === "ledger",
      ),
    ).toMatchObject({
      RecordState: "ACTIVE",
      Compliance: { Status: "FAILED" },
    });

    // The third: unchanged, no call
    expect(third.code, third.stderr).toBe(4);
    expect(sim.securityHub.imports).toHaveLength(callsBefore);
    expect(third.stderr).not.toMatch(/^Imported/m);
  });

  it("--format asff prints the findings as ASFF that Security Hub accepts", async () => {
    // Act
    const run = await scan("--store", "none", "--format", "asff");
    const json = await scan("--store", "none", "--format", "json");

    // Assess
    expect(run.code, run.stderr).toBe(4);
    const asff = JSON.parse(run.stdout) as AwsSecurityFinding[];
    expect(asff.map((f) => f.GeneratorId).sort()).toEqual(
      (JSON.parse(json.stdout) as Finding[]).map((f) => f.ruleId).sort(),
    );
    expect(
      asff.every((f) => f.ProductArn === PRODUCT && f.AwsAccountId === CALLER && f.RecordState === "ACTIVE"),
    ).toBe(true);
    const hub = new SecurityHubClient({
      endpoint: sim.url,
      region: "eu-west-1",
      credentials: { accessKeyId: simAccessKeyId(CALLER), secretAccessKey: "x" },
    });
    for (let i = 0; i < asff.length; i += 100) {
      const out = await hub.send(new BatchImportFindingsCommand({ Findings: asff.slice(i, i + 100) }));
      expect(out.FailedFindings).toEqual([]);
    }
    hub.destroy();
    expect(sim.securityHub.findings.size).toBe(asff.length);
  });

  it("exits 1 naming the error while Security Hub refuses, and the next scan imports what stayed pending", async () => {
    // Prepare: Security Hub not enabled in the caller's account (what BatchImportFindings answers then)
    const store = `dynalite:${join(dir, "refused")}`;
    const faults = estate.faults ?? {};
    sim.setEstate({
      ...estate,
      faults: {
        ...faults,
        failingCalls: [
          ...(faults.failingCalls ?? []),
          { accountId: CALLER, operation: "BatchImportFindings", errorCode: "InvalidAccessException" },
        ],
      },
    });

    // Act
    const refused = await scan("--store", store, "--notify", "securityhub", "--format", "json");
    const receivedWhileRefused = sim.securityHub.received().length;
    sim.setEstate(estate);
    const accepted = await scan("--store", store, "--notify", "securityhub", "--format", "json");

    // Assess: the refusal is an error (not "incomplete"), named per account-region, and nothing reached Security Hub
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/^eks-audit: .*securityhub: InvalidAccessException/m);
    expect(receivedWhileRefused).toBe(0);
    // The second scan sees no change, yet imports every finding the first one stored (the outbox kept them)
    expect(accepted.code, accepted.stderr).toBe(4);
    const findings = (JSON.parse(accepted.stdout) as (Finding & { carriedOver?: boolean })[]).filter(
      (f) => !f.carriedOver,
    );
    expect(sim.securityHub.accepted()).toHaveLength(findings.length);
    expect(
      sim.securityHub
        .accepted()
        .map((f) => `${fields(f)["eksAuditor/AccountId"]}/${fields(f)["eksAuditor/Region"]}/${f.GeneratorId}`)
        .sort(),
    ).toEqual(findings.map((f) => `${scopeOf(f)}/${f.ruleId}`).sort());
    expect(accepted.stderr).toMatch(
      new RegExp(`^Imported ${findings.length} findings into Security Hub`, "m"),
    );
  });

  it("names the flag when the region is not one", async () => {
    // Act
    const run = await scan("--store", "none", "--notify", "securityhub:moon-1");

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--notify.*"moon-1" is not a region/);
  });
});
