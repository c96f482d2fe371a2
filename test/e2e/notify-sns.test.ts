import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadEstateFile } from "#shared/estate/index.ts";
import { atLeast, type Finding } from "#shared/findings/index.ts";
import type { AlertJson } from "#shared/notify/index.ts";
import { type Simulator, simAccessKeyId, startSimulator } from "#sim/index.ts";
import { runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";

const TOPIC = "arn:aws:sns:eu-west-1:111122223333:eks-auditor-alerts";

let sim: Simulator;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator({ estate: await loadEstateFile(SAMPLE_ESTATE) });
  dir = mkdtempSync(join(tmpdir(), "eks-audit-sns-"));
  // The real session path: the caller's credentials from the environment, every call to --endpoint-url.
  const home = mkdtempSync(join(tmpdir(), "eks-audit-home-"));
  vi.stubEnv("AWS_ACCESS_KEY_ID", simAccessKeyId("111122223333"));
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

function scan(store: string, ...args: string[]) {
  return runCli([
    "scan",
    "--endpoint-url",
    sim.url,
    "--org",
    "--regions",
    "eu-west-1,us-east-1",
    "--store",
    `dynalite:${store}`,
    "--notify",
    `sns:${TOPIC}`,
    "--format",
    "json",
    ...args,
  ]);
}

const scopeOf = (f: { accountId: string; region: string }) => `${f.accountId}/${f.region}`;

describe("Command: eks-audit scan --notify sns:ARN", () => {
  it("publishes one message per account-region with transitions, and none on an unchanged re-run", async () => {
    // Prepare
    const store = join(dir, "all");
    sim.published.length = 0;

    // Act
    const first = await scan(store, "--alert-severity", "INFO");
    const published = [...sim.published];
    const again = await scan(store, "--alert-severity", "INFO");

    // Assess: on a first scan every finding is NEW, so the scopes with transitions are those with findings
    expect(first.code, first.stderr).toBe(4); // the sample's planted scan failures
    const scopes = new Set((JSON.parse(first.stdout) as Finding[]).map(scopeOf));
    expect(scopes.size).toBeGreaterThan(1);
    const bodies = published.map((m) => JSON.parse(JSON.parse(m.message).sqs) as AlertJson);
    expect(bodies.map(scopeOf).sort()).toEqual([...scopes].sort());
    expect(published.every((m) => m.topicArn === TOPIC && m.region === "eu-west-1")).toBe(true);
    expect(published.every((m) => m.accountId === "111122223333" && m.messageStructure === "json")).toBe(
      true,
    );
    expect(first.stderr).toMatch(
      new RegExp(`^Published ${scopes.size} alerts to ${TOPIC} \\(paging at INFO and above\\):$`, "m"),
    );

    expect(again.code, again.stderr).toBe(4);
    expect(sim.published).toHaveLength(published.length);
    expect(again.stderr).toMatch(/^No changes since the last scan/m);
  });

  it("at the default threshold, pages only the account-regions with a HIGH or CRITICAL change", async () => {
    // Prepare
    const store = join(dir, "high");
    sim.published.length = 0;

    // Act
    const run = await scan(store);

    // Assess
    expect(run.code, run.stderr).toBe(4);
    const paging = new Set(
      (JSON.parse(run.stdout) as Finding[]).filter((f) => atLeast(f.severity, "HIGH")).map(scopeOf),
    );
    const attributes = sim.published.map((m) => m.messageAttributes);
    expect(attributes.map((a) => `${a.accountId?.StringValue}/${a.region?.StringValue}`).sort()).toEqual(
      [...paging].sort(),
    );
    expect(attributes.every((a) => ["HIGH", "CRITICAL"].includes(a.severity?.StringValue ?? ""))).toBe(true);
  });
});
