import { spawnSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import type { SubnetTrend } from "#shared/cli/actions/trend.ts";
import type { Finding } from "#shared/findings/index.ts";
import { runOnTerminal } from "#test/report/support.ts";
import { runCli } from "#test/support/cli.ts";
import { estateSeries, SERIES_SUBNET, scanSeries } from "#test/support/estate-series.ts";

async function storeOf(freeIps: readonly number[]): Promise<{ store: string; findings: Finding[] }> {
  const store = join(await mkdtemp(join(tmpdir(), "eks-audit-trend-")), "store");
  const { findings } = await scanSeries(estateSeries(freeIps), store);
  return { store, findings };
}

describe("Command: trend", { timeout: 240_000 }, () => {
  let steady: { store: string; findings: Finding[] };
  let flat: { store: string; findings: Finding[] };

  beforeAll(async () => {
    // 700 free IPs, 30 a day used, 10 daily captures (a little jitter, as real use has); and a flat 300.
    steady = await storeOf(Array.from({ length: 10 }, (_, d) => 700 - 30 * d + (d % 3) - 1));
    flat = await storeOf(Array(10).fill(300));
  }, 240_000);

  it("projects in JSON what the scan's forecast finding says", async () => {
    // Act
    const run = await runCli([
      "trend",
      "--subnet",
      SERIES_SUBNET,
      "--store",
      `dynalite:${steady.store}`,
      "--format",
      "json",
    ]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const trend = JSON.parse(run.stdout) as SubnetTrend;
    const finding = steady.findings.find((f) => f.ruleId === "ip.subnet-exhaustion-forecast");
    const evidence = finding?.evidence as {
      forecast: {
        date: string;
        daysLeft: number;
        slopeIpsPerDay: number;
        freeIpsNeeded: number;
        nodesLeftAtLaunch: number;
      };
    };
    expect(finding?.resourceId).toBe(SERIES_SUBNET);
    expect(trend.subnetId).toBe(SERIES_SUBNET);
    expect(trend.region).toBe(finding?.region);
    expect(trend.accounts).toEqual([finding?.accountId]);
    expect(trend.samples).toHaveLength(10);
    expect(trend.samples.map((s) => s.availableIps)).toEqual(
      Array.from({ length: 10 }, (_, d) => 700 - 30 * d + (d % 3) - 1),
    );
    expect(trend.forecasts).toHaveLength(1);
    expect(trend.forecasts[0]).toMatchObject({
      cluster: finding?.cluster,
      outcome: "projected",
      date: evidence.forecast.date,
      daysLeft: evidence.forecast.daysLeft,
      slopePerDay: evidence.forecast.slopeIpsPerDay,
      need: evidence.forecast.freeIpsNeeded,
      nodesLeftAtLaunch: evidence.forecast.nodesLeftAtLaunch,
      pages: true,
      severity: finding?.severity,
    });
  });

  it("--days draws fewer (or more) samples; the forecast keeps its 14-day window", async () => {
    // Act
    const store = `dynalite:${steady.store}`;
    const three = await runCli([
      "trend",
      "--subnet",
      SERIES_SUBNET,
      "--store",
      store,
      "--days",
      "3",
      "--format",
      "json",
    ]);
    const all = await runCli(["trend", "--subnet", SERIES_SUBNET, "--store", store, "--format", "json"]);

    // Assess
    expect(three.code, three.stderr).toBe(0);
    const short = JSON.parse(three.stdout) as SubnetTrend;
    const full = JSON.parse(all.stdout) as SubnetTrend;
    // Samples strictly within the 3 days before the latest: the last three daily captures.
    expect(short.samples.map((s) => s.at)).toEqual(full.samples.slice(-3).map((s) => s.at));
    expect(short.forecasts).toEqual(full.forecasts);
  });

  it("draws the series, the need and the trend to the date in the table, fitted to the terminal", async () => {
    // Prepare
    const json = JSON.parse(
      (
        await runCli([
          "trend",
          "--subnet",
          SERIES_SUBNET,
          "--store",
          `dynalite:${steady.store}`,
          "--format",
          "json",
        ])
      ).stdout,
    ) as SubnetTrend;
    const forecast = json.forecasts[0];
    const date = forecast?.outcome === "projected" ? forecast.date : "no date";

    // Act
    const plain = await runOnTerminal(
      ["trend", "--subnet", SERIES_SUBNET, "--store", `dynalite:${steady.store}`],
      {
        columns: 80,
      },
    );
    const coloured = await runOnTerminal(
      ["trend", "--subnet", SERIES_SUBNET, "--store", `dynalite:${steady.store}`],
      { columns: 80, tty: true },
    );
    const noColor = await runOnTerminal(
      ["trend", "--subnet", SERIES_SUBNET, "--store", `dynalite:${steady.store}`],
      { columns: 80, tty: true, env: { NO_COLOR: "1" } },
    );

    // Assess
    expect(plain.code, plain.stderr).toBe(0);
    const lines = plain.stdout.split("\n");
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
    // The chart: asciichart's axis with the value labels, the series drawn with its box characters.
    const axis = lines.filter((l) => /^ *\d+ [┤┼]/.test(l));
    expect(axis.length).toBeGreaterThanOrEqual(8);
    // Observed (solid box lines), the trend (dotted) and the need (dashed): told apart without colour.
    expect(plain.stdout).toMatch(/[╭╮╰╯]/);
    expect(lines.filter((l) => /^ *\d+ [┤┼].*·/.test(l)).length).toBeGreaterThanOrEqual(5);
    expect(lines.filter((l) => /^ *\d+ ┼╌{20,}/.test(l))).toHaveLength(1);
    expect(Number(axis[0]?.trim().split(" ")[0])).toBeGreaterThanOrEqual(699);
    // The text, its lines joined (it is wrapped to the terminal).
    const prose = plain.stdout.replace(/\s+/g, " ");
    expect(prose).toContain(
      `Cluster ${forecast?.cluster}, group web: stops fitting m5.large nodes around ${date}`,
    );
    expect(prose).toMatch(new RegExp(`trend -?[\\d.]+/day to ${date}`));
    expect(prose).toContain(`Pages: ${forecast?.severity}`);
    expect(plain.stdout).toContain("2026-11-01");
    expect(stripVTControlCharacters(coloured.stdout)).not.toBe(coloured.stdout);
    expect(stripVTControlCharacters(coloured.stdout)).toBe(plain.stdout);
    expect(noColor.stdout).toBe(plain.stdout);
  });

  it("draws the same from the compiled eks-audit (asciichart loads as the package ships it)", async () => {
    // Prepare: the executable package.json's `bin` names, built by the integration tests' global setup
    const bin = new URL("../../dist/eks-audit.js", import.meta.url).pathname;
    const args = ["trend", "--subnet", SERIES_SUBNET, "--store", `dynalite:${steady.store}`];
    const inProcess = await runOnTerminal(args, { columns: 90 });

    // Act
    const run = spawnSync(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", COLUMNS: "90" },
      encoding: "utf8",
      timeout: 90_000,
    });

    // Assess
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.split("\n").filter((l) => /^ *\d+ [┤┼]/.test(l)).length).toBeGreaterThanOrEqual(8);
    expect(run.stdout).toBe(inProcess.stdout);
  });

  it("says why there is no forecast for flat use", async () => {
    // Act
    const json = await runCli([
      "trend",
      "--subnet",
      SERIES_SUBNET,
      "--store",
      `dynalite:${flat.store}`,
      "--format",
      "json",
    ]);
    const table = await runCli(["trend", "--subnet", SERIES_SUBNET, "--store", `dynalite:${flat.store}`]);

    // Assess
    expect(json.code, json.stderr).toBe(0);
    const trend = JSON.parse(json.stdout) as SubnetTrend;
    expect(trend.forecasts).toHaveLength(1);
    expect(trend.forecasts[0]).toMatchObject({ outcome: "flat", pages: false });
    expect(flat.findings.filter((f) => f.ruleId === "ip.subnet-exhaustion-forecast")).toEqual([]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/no forecast, flat: the trend moves by less\s+than 1 a month/);
    expect(table.stdout).not.toMatch(/Pages:/);
  });

  it("does not page for a subnet already out of room, as the rule does not: ip.subnet-exhausted reports it", async () => {
    // Prepare: 30 free IPs a day used until fewer are left than one more node needs (20)
    const { store, findings } = await storeOf(Array.from({ length: 10 }, (_, d) => 280 - 30 * d));

    // Act
    const json = await runCli([
      "trend",
      "--subnet",
      SERIES_SUBNET,
      "--store",
      `dynalite:${store}`,
      "--format",
      "json",
    ]);
    const table = await runCli(["trend", "--subnet", SERIES_SUBNET, "--store", `dynalite:${store}`]);

    // Assess
    expect(json.code, json.stderr).toBe(0);
    const trend = JSON.parse(json.stdout) as SubnetTrend;
    expect(trend.forecasts[0]).toMatchObject({
      outcome: "projected",
      nodesLeftAtLaunch: 0,
      pages: false,
      exhausted: true,
    });
    expect(trend.forecasts[0]?.severity).toBeUndefined();
    expect(findings.map((f) => f.ruleId)).toContain("ip.subnet-exhausted");
    expect(findings.map((f) => f.ruleId)).not.toContain("ip.subnet-exhaustion-forecast");
    expect(table.stdout.replace(/\s+/g, " ")).toContain(
      "ip.subnet-exhausted or ip.prefix-fragmentation reports it",
    );
    expect(table.stdout).not.toMatch(/Pages:/);
  });

  it("exits 1 naming the flag for an unknown subnet, a malformed id, a bad --days and a missing store", async () => {
    // Act
    const unknown = await runCli([
      "trend",
      "--subnet",
      "subnet-0123456789abcdef0",
      "--store",
      `dynalite:${flat.store}`,
    ]);
    const malformed = await runCli(["trend", "--subnet", "sg-0123", "--store", `dynalite:${flat.store}`]);
    const days = await runCli([
      "trend",
      "--subnet",
      SERIES_SUBNET,
      "--days",
      "181",
      "--store",
      `dynalite:${flat.store}`,
    ]);
    const missing = await runCli([
      "trend",
      "--subnet",
      SERIES_SUBNET,
      "--store",
      `dynalite:${join(tmpdir(), `eks-audit-no-store-${process.pid}`)}`,
    ]);

    // Assess
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toMatch(
      /^eks-audit: --subnet subnet-0123456789abcdef0: no samples stored for this subnet in dynalite:.*`eks-audit scan` records one per subnet and hour from each complete scan/,
    );
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/--subnet <id>.*"sg-0123" is not a subnet id/);
    expect(days.code).toBe(1);
    expect(days.stderr).toMatch(/--days <n>.*"181" is not a whole number of days from 1 to 180/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^eks-audit: --store dynalite:.*eks-audit-no-store/);
  });
});
