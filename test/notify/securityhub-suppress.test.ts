import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type Estate, loadEstateFile } from "#shared/estate/index.ts";
import { type Simulator, simAccessKeyId, startSimulator } from "#sim/index.ts";
import { type CliRun, runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";

/*
 * An accepted risk's lifecycle as Security Hub sees it, through the simulator: the sample's edge-use1
 * (111122223333, us-east-1) has a public subnet tagged for tools-use1 (elb.foreign-cluster-tag), which a team
 * may keep on purpose.
 */
const CALLER = "111122223333";
const PRODUCT = `arn:aws:securityhub:eu-west-1:${CALLER}:product/${CALLER}/default`;
const SUBNET = "subnet-02cae6ab2b85733f3";
const REASON = "edge-use1 and tools-use1 share this subnet on purpose (CHG-42)";

let sim: Simulator;
let estate: Estate;
let dir: string;

function day(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

function suppressionsFile(name: string, expires: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    [
      "suppressions:",
      "  - rule: elb.foreign-cluster-tag",
      `    resource: ${SUBNET}`,
      `    reason: ${REASON}`,
      "    owner: team-edge",
      `    expires: ${expires}`,
      "",
    ].join("\n"),
  );
  return path;
}

/** The sample after someone removed tools-use1's tag from the subnet: the finding goes away. */
function untagged(base: Estate): Estate {
  const changed = structuredClone(base);
  const subnet = changed.accounts[CALLER]?.regions["us-east-1"]?.ec2.Subnets.find(
    (s) => s.SubnetId === SUBNET,
  );
  if (subnet === undefined) throw new Error(`${SUBNET} is not in the sample estate any more`);
  subnet.Tags = (subnet.Tags ?? []).filter((t) => t.Key !== "kubernetes.io/cluster/tools-use1");
  return changed;
}

function scan(store: string, ...args: string[]): Promise<CliRun> {
  return runCli([
    "scan",
    "--endpoint-url",
    sim.url,
    "--accounts",
    CALLER,
    "--regions",
    "us-east-1",
    "--store",
    store,
    "--notify",
    "securityhub",
    ...args,
  ]);
}

/** The foreign-tag finding as the simulated Security Hub holds it. */
function held(): AwsSecurityFinding | undefined {
  return [...sim.securityHub.findings.values()].find(
    (f) =>
      f.ProductArn === PRODUCT &&
      f.GeneratorId === "elb.foreign-cluster-tag" &&
      f.ProductFields?.["eksAuditor/ResourceId"] === SUBNET,
  );
}

beforeAll(async () => {
  estate = await loadEstateFile(SAMPLE_ESTATE);
  sim = await startSimulator({ estate });
  dir = mkdtempSync(join(tmpdir(), "eks-audit-sechub-suppress-"));
  const home = mkdtempSync(join(dir, "home-"));
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

describe("Command: eks-audit scan --notify securityhub --suppressions", () => {
  it("takes the finding's workflow NEW → SUPPRESSED (with the reason) → expired: NEW → SUPPRESSED → resolved: RESOLVED → back: NEW", async () => {
    const store = `dynalite:${join(dir, "lifecycle")}`;
    const untilTomorrow = suppressionsFile("accepted.yaml", day(1));
    const expired = suppressionsFile("expired.yaml", day(-1));

    // Run 1: no suppressions: imported open, workflow NEW.
    const first = await scan(store);
    expect(first.code, first.stderr).toBe(0);
    expect(held()).toMatchObject({ RecordState: "ACTIVE", Workflow: { Status: "NEW" } });
    expect(sim.securityHub.updates).toEqual([]);

    // Run 2: accepted: imported as suppressed, and its workflow set with BatchUpdateFindings, the reason in the Note.
    const second = await scan(store, "--suppressions", untilTomorrow);
    expect(second.code, second.stderr).toBe(0);
    expect(held()).toMatchObject({
      RecordState: "ACTIVE",
      Workflow: { Status: "SUPPRESSED" },
      ProductFields: { "eksAuditor/State": "suppressed", "eksAuditor/Transition": "SUPPRESSED" },
      Note: {
        Text: `eks-auditor: accepted risk: ${REASON}; owner team-edge; expires ${day(1)}`,
        UpdatedBy: "eks-auditor",
      },
    });
    expect(sim.securityHub.updates.map((u) => [u.workflow, u.identifiers.length, u.unprocessed])).toEqual([
      ["SUPPRESSED", 1, []],
    ]);

    // Run 3: unchanged: no import, no update.
    const calls = [sim.securityHub.imports.length, sim.securityHub.updates.length];
    expect((await scan(store, "--suppressions", untilTomorrow)).code).toBe(0);
    expect([sim.securityHub.imports.length, sim.securityHub.updates.length]).toEqual(calls);

    // Run 4: the file's entry expired (the stored acceptance was until tomorrow, so it no longer covers the
    // finding): REOPENED, and the workflow back to NEW (Security Hub keeps SUPPRESSED by itself).
    const fourth = await scan(store, "--suppressions", expired);
    expect(fourth.code, fourth.stderr).toBe(0);
    expect(held()).toMatchObject({
      RecordState: "ACTIVE",
      Workflow: { Status: "NEW" },
      ProductFields: { "eksAuditor/Transition": "REOPENED" },
      Note: {
        Text: `eks-auditor: the accepted risk no longer covers it, reopened: ${REASON}; owner team-edge; expires ${day(1)}`,
      },
    });

    // Run 5: accepted again, then the tag is removed: resolved while suppressed, archived with workflow RESOLVED.
    expect((await scan(store, "--suppressions", untilTomorrow)).code).toBe(0);
    expect(held()?.Workflow?.Status).toBe("SUPPRESSED");
    sim.setEstate(untagged(estate));
    const sixth = await scan(store, "--suppressions", untilTomorrow);
    expect(sixth.code, sixth.stderr).toBe(0);
    expect(held()).toMatchObject({
      RecordState: "ARCHIVED",
      Compliance: { Status: "PASSED" },
      Workflow: { Status: "RESOLVED" },
    });

    // Run 7: the tag is back and nothing accepts it: REOPENED from RESOLVED, and Security Hub's own reset makes it NEW.
    sim.setEstate(estate);
    const seventh = await scan(store);
    expect(seventh.code, seventh.stderr).toBe(0);
    expect(held()).toMatchObject({ RecordState: "ACTIVE", Workflow: { Status: "NEW" } });
    // Eight CLI runs: sized for a loaded 2-core machine.
  }, 300_000);

  it("exits 1 when Security Hub refuses the workflow update, saying no later scan sends the suppression again", async () => {
    const store = `dynalite:${join(dir, "refused")}`;
    const accepted = suppressionsFile("refused.yaml", day(1));
    expect((await scan(store)).code).toBe(0);
    const faults = estate.faults ?? {};
    sim.setEstate({
      ...estate,
      faults: {
        ...faults,
        failingCalls: [
          ...(faults.failingCalls ?? []),
          { accountId: CALLER, operation: "BatchUpdateFindings", errorCode: "AccessDeniedException" },
        ],
      },
    });

    // Act
    const refused = await scan(store, "--suppressions", accepted);
    sim.setEstate(estate);
    const next = await scan(store, "--suppressions", accepted);

    // Assess: loud, named, and honest about what a later scan cannot do; the reason is never echoed
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/securityhub: AccessDeniedException/);
    expect(refused.stderr).toContain(
      "1 of the findings are accepted risks (suppressed, or resolved while suppressed) with no outbox marker: no later scan exports them again",
    );
    const error = refused.stderr.split("\n").filter((l) => l.includes("AccessDeniedException"));
    expect(error.length).toBeGreaterThan(0);
    expect(error.join("\n")).not.toContain("CHG-42");
    // The next scan sees the finding already SUPPRESSED: no transition, so Security Hub keeps the workflow it had.
    expect(next.code, next.stderr).toBe(0);
    expect(held()?.Workflow?.Status).toBe("NEW");
  }, 120_000);
});
