import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CallRecorder } from "#shared/aws/call-recorder.ts";
import { AwsClientFactory } from "#shared/aws/clients.ts";
import { openFindingsStore } from "#shared/cli/common/store.ts";
import type { Finding } from "#shared/findings/index.ts";
import { processScanTask } from "#shared/scan/scan-task.ts";
import { Rng } from "#sim/builder/random.ts";
import { startSimulator } from "#sim/index.ts";
import { captureTime, estateSeries, SERIES_SUBNET, scanSeries } from "#test/support/estate-series.ts";

/** Seeded draws in [0, 1): the same noise on every run. */
function prng(seed: number): () => number {
  const rng = new Rng(seed, "forecast-series");
  return () => rng.next();
}

const DAY = 86_400_000;
/** One more m5.large node of the series' node group takes 20 IPs at launch (WARM_ENI_TARGET=1, 10 per ENI). */
const NEED = 20;

const forecasts = (findings: readonly Finding[]) =>
  findings.filter((f) => f.ruleId === "ip.subnet-exhaustion-forecast");

async function replay(freeIps: readonly number[]): Promise<Finding[]> {
  const store = join(await mkdtemp(join(tmpdir(), "eks-audit-forecast-")), "store");
  const { findings } = await scanSeries(estateSeries(freeIps), store);
  return findings;
}

describe("Forecast: a history of daily snapshots scanned into one store", { timeout: 240_000 }, () => {
  it("projects steady growth to within 20 % of the true date", async () => {
    // Prepare: 700 free IPs, 30 a day used, ±8 of noise, 10 daily captures.
    const noise = prng(3);
    const values = Array.from({ length: 10 }, (_, d) => 700 - 30 * d + (noise() - 0.5) * 16);
    const trueDate = captureTime(0) + ((700 - NEED) / 30) * DAY;
    const daysLeftTrue = (trueDate - captureTime(9)) / DAY;

    // Act
    const found = forecasts(await replay(values));

    // Assess
    expect(found.map((f) => f.resourceId)).toEqual([SERIES_SUBNET]);
    const evidence = found[0]?.evidence as {
      forecast: { date: string; daysLeft: number; samplesUsed: number };
    };
    expect(evidence.forecast.samplesUsed).toBe(10);
    const projected = Date.parse(`${evidence.forecast.date}T00:00:00Z`);
    expect(Math.abs(projected - trueDate) / DAY).toBeLessThanOrEqual(0.2 * daysLeftTrue + 1);
    expect(found[0]?.severity).toBe(evidence.forecast.daysLeft <= 7 ? "HIGH" : "MEDIUM");
  });

  it("gives no forecast on flat use", async () => {
    expect(forecasts(await replay(Array(10).fill(300)))).toEqual([]);
  });

  it("gives no false alarm on a one-off jump", async () => {
    // A deployment takes 200 IPs at once on day 5; flat before and after.
    const values = Array.from({ length: 10 }, (_, d) => (d < 5 ? 400 : 200) + (d % 2));
    expect(forecasts(await replay(values))).toEqual([]);
  });

  it("gives no forecast on noisy use around a level", async () => {
    const noise = prng(5);
    const values = Array.from({ length: 12 }, () => 160 + (noise() - 0.5) * 80);
    expect(forecasts(await replay(values))).toEqual([]);
  });

  it("gives no forecast when use shrinks", async () => {
    const values = Array.from({ length: 10 }, (_, d) => 100 + 25 * d);
    expect(forecasts(await replay(values))).toEqual([]);
  });

  it("keeps an open forecast and names the gap when the samples cannot be read", async () => {
    // Prepare: a steady series leaves a forecast open; then the store refuses the samples' Query.
    const dir = join(await mkdtemp(join(tmpdir(), "eks-audit-forecast-")), "store");
    const estates = estateSeries(Array.from({ length: 9 }, (_, d) => 600 - 40 * d));
    expect(forecasts((await scanSeries(estates, dir)).findings)).toHaveLength(1);
    const opened = await openFindingsStore({ kind: "dynalite", dir }, { create: false });
    const latest = estates.at(-1);
    if (!latest) throw new Error("no estate");
    const sim = await startSimulator({ estate: latest });
    const factory = new AwsClientFactory({
      runId: "run-forecast-gap",
      endpoint: sim.url,
      homeRegion: "eu-west-1",
      credentials: async () => ({ accessKeyId: "AKIA111122223333TEST", secretAccessKey: "x" }),
    });
    opened.store.samples.ofSubnets = async () => {
      throw Object.assign(new Error("Rate of requests exceeds the allowed throughput"), {
        name: "ProvisionedThroughputExceededException",
      });
    };
    try {
      // Act
      const outcome = await processScanTask(
        {
          runId: "run-forecast-gap",
          accountId: "111122223333",
          region: "eu-west-1",
          scheduledAt: new Date().toISOString(),
        },
        { factory, store: opened.store, observedAt: new Date(captureTime(9)).toISOString() },
      );

      // Assess
      const gap = outcome.result.findings.filter((f) => f.ruleId === "scan.error" && f.variant === "Query");
      expect(gap).toHaveLength(1);
      expect(gap[0]?.detail).toContain(
        "the exhaustion forecast (ip.subnet-exhaustion-forecast) was not evaluated",
      );
      expect(outcome.result.samples ?? []).toEqual([]);
      const stored = await opened.store.reader.queryFindings({ ruleId: "ip.subnet-exhaustion-forecast" });
      expect(stored.map((f) => f.status)).toEqual(["OPEN"]);
    } finally {
      factory.destroy();
      await sim.close();
      await opened.close();
    }
  });

  it("samples and forecasts from the inventory already collected: not one AWS call more than a scan without a store", async () => {
    // Prepare
    const dir = join(await mkdtemp(join(tmpdir(), "eks-audit-forecast-")), "store");
    const estates = estateSeries(Array.from({ length: 6 }, (_, d) => 600 - 40 * d));
    await scanSeries(estates.slice(0, 5), dir);
    const latest = estates.at(-1);
    if (!latest) throw new Error("no estate");
    const sim = await startSimulator({ estate: latest });
    const opened = await openFindingsStore({ kind: "dynalite", dir }, { create: false });
    const callsOf = async (withStore: boolean) => {
      const recorder = new CallRecorder();
      const factory = new AwsClientFactory({
        runId: "run-calls",
        endpoint: sim.url,
        homeRegion: "eu-west-1",
        credentials: async () => ({ accessKeyId: "AKIA111122223333TEST", secretAccessKey: "x" }),
        recorder,
      });
      try {
        const task = {
          runId: "run-calls",
          accountId: "111122223333",
          region: "eu-west-1",
          scheduledAt: new Date().toISOString(),
        };
        const observedAt = new Date(captureTime(5)).toISOString();
        const outcome = await processScanTask(
          task,
          withStore
            ? { factory, recorder, store: opened.store, observedAt }
            : { factory, recorder, observedAt },
        );
        return { calls: outcome.result.apiCalls, findings: outcome.result.findings.map((f) => f.ruleId) };
      } finally {
        factory.destroy();
      }
    };
    try {
      // Act
      const without = await callsOf(false);
      const withHistory = await callsOf(true);

      // Assess
      expect(withHistory.findings).toContain("ip.subnet-exhaustion-forecast");
      expect(without.findings).not.toContain("ip.subnet-exhaustion-forecast");
      expect(withHistory.calls).toEqual(without.calls);
    } finally {
      await sim.close();
      await opened.close();
    }
  });
});
