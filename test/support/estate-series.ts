/**
 * A history as a series of estates `capturedAt` days apart (what `eks-audit snapshot` writes once a day):
 * one cluster whose m5.large node group uses one /22 subnet, with the subnet's free IPs given per capture.
 * Scanned in order into one store, they replay that history for the forecast.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Estate } from "#shared/estate/index.ts";
import type { Finding } from "#shared/findings/index.ts";
import { estateOf, subnet, tightSpec } from "#test/rules/ip/fixtures.ts";
import { runCli } from "./cli.ts";

export const SERIES_SUBNET = "subnet-0tight";
export const SERIES_START = "2026-11-01T06:15:00.000Z";
const DAY = 86_400_000;

/** One estate per value: the subnet's free IPs at `start + i × everyDays` days. */
export function estateSeries(
  freeIps: readonly number[],
  options: { start?: string; everyDays?: number } = {},
): Estate[] {
  const start = Date.parse(options.start ?? SERIES_START);
  const every = options.everyDays ?? 1;
  return freeIps.map((free, i) => {
    const spec = tightSpec({}, { desired: 4, max: 40 });
    spec.subnets[0] = subnet(SERIES_SUBNET, "10.0.0.0/22", "eu-west-1a", Math.round(free));
    return {
      ...estateOf(spec),
      version: 2,
      capturedAt: new Date(start + i * every * DAY).toISOString(),
    };
  });
}

/** The time of capture `i` of a series. */
export function captureTime(i: number, options: { start?: string; everyDays?: number } = {}): number {
  return Date.parse(options.start ?? SERIES_START) + i * (options.everyDays ?? 1) * DAY;
}

/**
 * Scans each estate in order with `eks-audit scan --estate … --store dynalite:<dir>`; returns the findings
 * of the last scan (JSON) and every run's exit code.
 */
export async function scanSeries(
  estates: readonly Estate[],
  storeDir: string,
): Promise<{ findings: Finding[]; codes: number[] }> {
  const dir = await mkdtemp(join(tmpdir(), "eks-audit-series-"));
  const codes: number[] = [];
  let findings: Finding[] = [];
  for (const [i, estate] of estates.entries()) {
    const file = join(dir, `capture-${String(i).padStart(3, "0")}.json`);
    await writeFile(file, JSON.stringify(estate));
    const run = await runCli([
      "scan",
      "--estate",
      file,
      "--store",
      `dynalite:${storeDir}`,
      "--notify",
      "none",
      "--format",
      "json",
    ]);
    codes.push(run.code);
    if (run.code !== 0 && run.code !== 2)
      throw new Error(`scan of ${file} exited ${run.code}: ${run.stderr}`);
    findings = JSON.parse(run.stdout) as Finding[];
  }
  return { findings, codes };
}
