import type { CliIo } from "#shared/cli/common/io.ts";
import { DEFAULT_STORE_DIR, FlagError, type StoreSpec } from "#shared/cli/common/options.ts";
import { type OutputFlags, useColor } from "#shared/cli/common/output.ts";
import { plural } from "#shared/cli/common/render.ts";
import { openFindingsStore, StoreError } from "#shared/cli/common/store.ts";
import type { SampledGroup, SubnetSample } from "#shared/inventory/types.ts";
import {
  type ExhaustionForecast,
  FORECAST_WINDOW_DAYS,
  forecastExhaustion,
  HIGH_WITHIN_DAYS,
  MEDIUM_WITHIN_DAYS,
} from "#shared/models/forecast/forecast.ts";
import { subnetNeed } from "#shared/models/forecast/samples.ts";
import type { ForecastChart } from "#shared/report/forecast-chart.ts";
import { colors, paintSeverity, wrapIndented } from "#shared/report/terminal.ts";
import { terminalChart } from "#shared/report/trend-chart.ts";
import { pages } from "#shared/rules/ip/subnet-exhaustion-forecast.ts";

export interface TrendFlags extends OutputFlags {
  subnet: string;
  /** Days drawn before the latest sample (the forecast always uses its own 14-day window). */
  days: number;
  store?: StoreSpec;
  profile?: string;
}

/** One cluster's forecast for the subnet, as `ip.subnet-exhaustion-forecast` would make it now. */
export type ClusterForecast = ExhaustionForecast & {
  cluster: string;
  /** The group that stops fitting first (the largest need), its type and unit. */
  group: string;
  instanceType: string;
  unit: "node" | "pod";
  /** Its nodes (Fargate: pods) that still fit at launch cost in the latest sample. */
  nodesLeftAtLaunch: number;
  /** The rule would report it (HIGH within 7 days, MEDIUM within 30). */
  pages: boolean;
  severity?: "HIGH" | "MEDIUM";
  /** Already out of room in the latest sample: `ip.subnet-exhausted` reports it, the forecast does not. */
  exhausted?: true;
};

/** What `eks-audit trend` shows: the subnet's drawn samples and a forecast per cluster of the latest one. */
export interface SubnetTrend {
  subnetId: string;
  region: string;
  availabilityZone?: string;
  accounts: string[];
  /** Days drawn before the latest sample. */
  days: number;
  /** The samples drawn (oldest first): free IPs, /28 blocks, nodes, each group's room. No user data. */
  samples: SubnetSample[];
  forecasts: ClusterForecast[];
}

const DAY_MS = 86_400_000;
/** Every sample the store keeps for a subnet: the bounds of the key range. */
const EVER = { from: "1970-01-01T00:00:00.000Z", to: "9999-12-31T23:59:59.999Z" } as const;

/** The group of a cluster that stops fitting first: the largest need (as the rule picks), then the least room. */
function tightestGroup(groups: readonly SampledGroup[]): SampledGroup | undefined {
  return [...groups].sort((a, b) => b.needIps - a.needIps || a.fitsAtLaunch - b.fitsAtLaunch)[0];
}

/**
 * The subnet's trend from its stored samples (oldest first, at least one): for each cluster of the latest
 * sample, the forecast exactly as the rule makes it (need from the latest sample, free IPs over the 14 days
 * before it) and whether it would page.
 */
export function subnetTrend(subnetId: string, samples: readonly SubnetSample[], days: number): SubnetTrend {
  const latest = samples.at(-1);
  if (!latest) throw new Error(`no samples of ${subnetId}`);
  const latestMs = Date.parse(latest.at);
  const drawn = samples.filter((s) => Date.parse(s.at) > latestMs - days * DAY_MS);
  const series = samples.map((s) => ({ at: s.at, value: s.availableIps }));
  const clusters = [...new Set(latest.groups.map((g) => g.cluster))].sort();
  const forecasts = clusters.flatMap((cluster): ClusterForecast[] => {
    const need = subnetNeed(latest, cluster);
    const groups = latest.groups.filter((g) => g.cluster === cluster);
    const tightest = tightestGroup(groups);
    if (need === undefined || !tightest) return [];
    const forecast = forecastExhaustion(series, need);
    const exhausted = groups.some((g) => g.fitsAtLaunch === 0);
    const paging = !exhausted && pages(forecast);
    return [
      {
        cluster,
        ...forecast,
        group: tightest.group,
        instanceType: tightest.instanceType,
        unit: tightest.kind === "fargate" ? "pod" : "node",
        nodesLeftAtLaunch: tightest.fitsAtLaunch,
        pages: paging,
        ...(paging ? { severity: forecast.daysLeft <= HIGH_WITHIN_DAYS ? "HIGH" : "MEDIUM" } : {}),
        ...(exhausted ? { exhausted: true } : {}),
      },
    ];
  });
  return {
    subnetId,
    region: latest.region,
    ...(latest.availabilityZone ? { availabilityZone: latest.availabilityZone } : {}),
    accounts: [...new Set(drawn.map((s) => s.accountId))].sort(),
    days,
    samples: drawn,
    forecasts,
  };
}

/** `eks-audit trend --subnet ID`: the subnet's free IPs over time and when, at this rate, no node fits. */
export async function trendCommand(flags: TrendFlags, io: CliIo): Promise<number> {
  const spec = flags.store ?? { kind: "dynalite", dir: DEFAULT_STORE_DIR };
  if (spec.kind === "none") {
    throw new StoreError("--store: trend reads the samples of a store; pass dynalite:DIR or dynamodb:TABLE.");
  }
  const opened = await openFindingsStore(spec, {
    create: false,
    ...(flags.profile ? { profile: flags.profile } : {}),
  });
  let samples: SubnetSample[];
  try {
    samples = await opened.store.samples.ofSubnet(flags.subnet, EVER.from, EVER.to);
  } finally {
    await opened.close();
  }
  if (samples.length === 0) {
    throw new FlagError(
      `--subnet ${flags.subnet}: no samples stored for this subnet in ${opened.label}; ` +
        "`eks-audit scan` records one per subnet and hour from each complete scan of an account-region whose capacity uses it.",
    );
  }
  const trend = subnetTrend(flags.subnet, samples, flags.days);
  if ((flags.output ?? flags.format) === "json") {
    io.stdout(`${JSON.stringify(trend, null, 2)}\n`);
    return 0;
  }
  io.stdout(`${trendText(trend, { width: io.columns, color: useColor(io, flags.color) }).join("\n")}\n`);
  return 0;
}

const day = (iso: string) => iso.slice(0, 10);
const drawnDays = (from: string, to: string) =>
  day(from) === day(to) ? `on ${day(to)}` : `from ${day(from)} to ${day(to)}`;

/** The table format: a headline, then per cluster the forecast (or why there is none) and its chart. */
export function trendText(trend: SubnetTrend, options: { width: number; color: boolean }): string[] {
  const c = colors(options.color);
  const first = trend.samples[0];
  const latest = trend.samples.at(-1);
  const where = [trend.region, trend.availabilityZone].filter(Boolean).join(", ");
  const accounts = `${trend.accounts.length === 1 ? "account" : "accounts"} ${trend.accounts.join(", ")}`;
  const lines = [
    ...wrapIndented(
      `${c.bold(`Subnet ${trend.subnetId}`)} (${where}; ${accounts}): ${plural(trend.samples.length, "sample")} ` +
        `${drawnDays(first?.at ?? "", latest?.at ?? "")} (${
          trend.days === FORECAST_WINDOW_DAYS
            ? `the forecast's window: the ${FORECAST_WINDOW_DAYS} days before the latest`
            : `the ${trend.days} days before the latest; the forecast uses the last ${FORECAST_WINDOW_DAYS}`
        })`,
      options.width,
      2,
      0,
    ),
    ...wrapIndented(
      `Latest: ${latest?.availableIps} free IPs${
        latest?.freePrefixBlocks !== undefined ? `, ${latest.freePrefixBlocks} free /28 blocks` : ""
      }, ${plural(latest?.nodes ?? 0, "node")}.`,
      options.width,
      2,
      0,
    ),
  ];
  if (trend.forecasts.length === 0) {
    lines.push(
      "",
      ...wrapIndented(
        "No capacity group uses it in the latest sample: nothing to forecast.",
        options.width,
        2,
        0,
      ),
    );
  }
  const drawable = trend.samples.length >= 2;
  for (const f of trend.forecasts) {
    lines.push("", ...forecastLines(f, options.width, c));
    if (!drawable) continue;
    const chart: ForecastChart = {
      points: trend.samples.map((s) => [Date.parse(s.at), s.availableIps] as const),
      need: f.need,
      ...(f.outcome === "projected"
        ? {
            trend: {
              asOfMs: Date.parse(f.asOf),
              levelNow: f.levelNow,
              slopePerDay: f.slopePerDay,
              daysLeft: f.daysLeft,
              date: f.date,
              fromMs: Date.parse(f.asOf) - FORECAST_WINDOW_DAYS * DAY_MS,
            },
          }
        : {}),
    };
    lines.push("", ...terminalChart(chart, options));
  }
  if (!drawable) {
    lines.push(
      "",
      ...wrapIndented(
        "One sample drawn: nothing to chart yet. Each complete scan records one an hour (--days draws more).",
        options.width,
        2,
        0,
      ),
    );
  }
  return lines;
}

function forecastLines(f: ClusterForecast, width: number, c: ReturnType<typeof colors>): string[] {
  const unit = f.unit === "pod" ? "Fargate pods" : `${f.instanceType} nodes`;
  const head = `Cluster ${f.cluster}, group ${f.group}`;
  const left = `${f.nodesLeftAtLaunch} ${f.unit}${f.nodesLeftAtLaunch === 1 ? "" : "s"} left now at launch cost`;
  // As the rule: a subnet already out of addresses or free /28 blocks is left to ip.subnet-exhausted.
  const full =
    "Already out of room for one of its groups (addresses or /28 blocks): ip.subnet-exhausted or ip.prefix-fragmentation reports it; the forecast does not page.";
  if (f.outcome !== "projected") {
    return wrapIndented(
      `${c.bold(head)}: no forecast, ${f.reason}. ${left}.${f.exhausted ? ` ${full}` : ""}`,
      width,
      2,
      0,
    );
  }
  const when = f.daysLeft < 1 ? "within a day" : `in ${f.daysLeft} days`;
  const verdict = f.exhausted
    ? full
    : f.pages
      ? `Pages: ${paintSeverity(c, f.severity ?? "MEDIUM")} (HIGH within ${HIGH_WITHIN_DAYS} days, MEDIUM within ${MEDIUM_WITHIN_DAYS}).`
      : f.daysLeft > MEDIUM_WITHIN_DAYS
        ? `Does not page: more than ${MEDIUM_WITHIN_DAYS} days left.`
        : `Does not page: at the slow end of the slope's 95 % interval it is ${f.daysLeftAtSlowest} days (more than ${2 * MEDIUM_WITHIN_DAYS}).`;
  return wrapIndented(
    `${c.bold(head)}: stops fitting ${unit} around ${c.bold(f.date)}, ${when} (${left}; ${f.need} free IPs needed for one more). ` +
      `Trend ${f.slopePerDay} free IPs a day (95 %: ${f.slopeInterval[0]} to ${f.slopeInterval[1]}), ` +
      `${f.samplesUsed} samples over ${f.spanDays} days, R² ${f.fit.rSquared}${
        f.step ? `, a one-off step of ${f.step.size} left out` : ""
      }. ${verdict}`,
    width,
    2,
    0,
  );
}
