import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadEstateFile } from "#shared/estate/index.ts";
import { atLeast, type Finding, findingId } from "#shared/findings/index.ts";
import { type AlertJson, MESSAGE_VERSION } from "#shared/notify/index.ts";
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

/** The README's sample alert: its text block (subject and email) and its attributes block. */
function readmeSampleAlert(): { text: string; attributes: unknown } {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("#### Sample alert"));
  const text = /```text\n([\s\S]*?)\n```/.exec(section)?.[1];
  const attributes = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (text === undefined || attributes === undefined) throw new Error("README: no sample alert");
  return { text, attributes: JSON.parse(attributes) };
}

/** The run id varies from run to run: the README shows a fixed one. */
const sameRun = (text: string) => text.replace(/\(run [^)]+\)/g, "(run RUN)");

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

  it("names the account and cluster, routes by the clusters' team tags, and ids, links and explains each change", async () => {
    // Prepare: what Organizations and the clusters' tags say, read from the estate the simulator serves
    const estate = await loadEstateFile(SAMPLE_ESTATE);
    const accountNames = new Map(estate.organization.accounts.map((a) => [a.Id, a.Name]));
    const teamOf = new Map<string, string | undefined>();
    for (const [accountId, account] of Object.entries(estate.accounts)) {
      for (const [region, r] of Object.entries(account.regions)) {
        for (const { cluster } of r.eks.clusters) {
          teamOf.set(`${accountId}/${region}/${cluster.name}`, cluster.tags?.team ?? cluster.tags?.owner);
        }
      }
    }
    const store = join(dir, "content");
    sim.published.length = 0;

    // Act
    const run = await scan(store);

    // Assess
    expect(run.code, run.stderr).toBe(4);
    const ids = new Set((JSON.parse(run.stdout) as Finding[]).map((f) => findingId(f)));
    const routed = new Set<string>();
    const explain = new Set<string>();
    expect(sim.published.length).toBeGreaterThan(1);
    for (const message of sim.published) {
      const json = JSON.parse(JSON.parse(message.message).sqs) as AlertJson;
      expect(json.schemaVersion).toBe(MESSAGE_VERSION);
      expect(json.accountName).toBe(accountNames.get(json.accountId));
      expect(message.subject).toContain(`${json.accountName} `);
      const worst = json.transitions[0];
      if (worst && worst.cluster !== "-") expect(message.subject).toContain(` ${worst.cluster} `);
      const teams = new Set(
        json.transitions
          .filter((t) => atLeast(t.severity, "HIGH"))
          .map((t) => teamOf.get(`${json.accountId}/${json.region}/${t.cluster}`) ?? "-"),
      );
      expect(JSON.parse(message.messageAttributes.team?.StringValue ?? "[]")).toEqual([...teams].sort());
      for (const team of teams) routed.add(team);
      for (const t of json.transitions) {
        expect(ids.has(t.findingId), `${t.ruleId} ${t.resourceId}`).toBe(true);
        if (t.cluster !== "-")
          expect(t.links[0]?.url).toMatch(/^https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/eks\//);
        for (const command of t.explain) explain.add(command);
      }
    }
    // The README's sample alert is what the payments account's message says, part for part, in order.
    const sample = readmeSampleAlert();
    const payments = sim.published.find(
      (m) =>
        m.messageAttributes.accountId?.StringValue === "222233334444" &&
        m.messageAttributes.region?.StringValue === "eu-west-1",
    );
    const email = sameRun(`Subject: ${payments?.subject}\n\n${JSON.parse(payments?.message ?? "{}").email}`);
    let from = 0;
    for (const part of sameRun(sample.text).split("\n\n[…]")) {
      const at = email.indexOf(part.replace(/^\n+/, ""), from);
      expect(at, `README sample part not in the real alert:\n${part}`).toBeGreaterThanOrEqual(from);
      from = at + part.length;
    }
    expect(sample.attributes).toEqual(
      Object.fromEntries(
        Object.entries(payments?.messageAttributes ?? {}).map(([name, a]) => [
          name,
          a.DataType === "String.Array" ? JSON.parse(a.StringValue ?? "") : a.StringValue,
        ]),
      ),
    );
    // The sample's tagged clusters of several teams page, and so do untagged or account-level changes.
    expect(routed.size).toBeGreaterThan(2);
    expect(routed.has("-")).toBe(true);
    // Each command an alert offers runs as printed (the caller's credentials, the simulator's endpoint).
    expect(explain.size).toBeGreaterThan(0);
    for (const command of explain) {
      const [, ...argv] = command.split(" ");
      const offline = argv[0] === "ip-cost";
      const ran = await runCli(offline ? argv : [...argv, "--endpoint-url", sim.url]);
      expect([0, 3], `${command}: ${ran.stderr}`).toContain(ran.code);
    }
  });
});
