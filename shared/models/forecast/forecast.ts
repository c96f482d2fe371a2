import { median, robustTrend, type Trend, type TrendPoint } from "./trend.ts";

/** The trend looks at this many days before the latest sample. */
export const FORECAST_WINDOW_DAYS = 14;
/** A forecast needs at least this many samples, spanning at least MIN_SPAN_DAYS. */
export const MIN_SAMPLES = 5;
export const MIN_SPAN_DAYS = 3;
/** ip.subnet-exhaustion-forecast: MEDIUM within 30 days, HIGH within 7 (rule catalog v2). */
export const MEDIUM_WITHIN_DAYS = 30;
export const HIGH_WITHIN_DAYS = 7;
/** Hourly samples over 14 days are thinned to one point per 4 hours: the trend is O(n³) in its points. */
const MAX_POINTS = 84;
/** Two-sided 95 % for the Mann–Kendall z score. */
const SIGNIFICANT_Z = 1.96;
/** Below this R², the line explains too little of the series to project it. */
const MIN_R_SQUARED = 0.5;
const DAY_MS = 86_400_000;

/** One observation of a quantity that runs out (free IPs): when, and how much was left. */
export interface SeriesSample {
  at: string;
  value: number;
}

interface ForecastCommon {
  /** Samples inside the window (before thinning). */
  samplesUsed: number;
  /** Days between the first and the last sample used. */
  spanDays: number;
  /** The latest sample: the forecast is made as of then. */
  asOf: string;
  /** What one more node (Fargate: pod) needs: below it the subnet takes none. */
  need: number;
}

export interface TrendStats {
  /** Units per day: negative when the quantity is being used up. */
  slopePerDay: number;
  /** The 95 % confidence interval of the slope. */
  slopeInterval: [number, number];
  /** The trend's value at `asOf`. */
  levelNow: number;
  fit: { rSquared: number; mannKendallZ: number; residualSpread: number; points: number };
  /** A one-off level shift left out of the trend. */
  step?: { between: [string, string]; size: number };
}

/** The trend projects the quantity below `need` in `daysLeft` days, on `date`. */
export interface Projection extends ForecastCommon, TrendStats {
  outcome: "projected";
  daysLeft: number;
  /** Days left at the slow end of the slope's 95 % interval: the rule pages only when even this is near. */
  daysLeftAtSlowest: number;
  /** `YYYY-MM-DD` (UTC). */
  date: string;
}

/** No projection, and why: too little history, a flat or falling use, or a series too noisy to trust. */
export interface NoProjection extends ForecastCommon, Partial<TrendStats> {
  outcome: "insufficient" | "flat" | "falling" | "noisy";
  reason: string;
}

export type ExhaustionForecast = Projection | NoProjection;

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** At most `max` points: one per equal slice of the window (median time and value of its samples). */
function thinned(points: readonly TrendPoint[], windowDays: number, max: number): TrendPoint[] {
  if (points.length <= max) return [...points];
  const width = windowDays / max;
  const buckets = new Map<number, TrendPoint[]>();
  for (const p of points) {
    const key = Math.min(max - 1, Math.max(0, Math.floor((p.t + windowDays) / width)));
    buckets.set(key, [...(buckets.get(key) ?? []), p]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, ps]) => ({ t: median(ps.map((p) => p.t)), y: median(ps.map((p) => p.y)) }));
}

/**
 * When a quantity that runs out (a subnet's free IPs) falls below `need`, from its samples over the
 * FORECAST_WINDOW_DAYS before the latest. A flat, falling or noisy use gives no projection, with the reason.
 */
export function forecastExhaustion(samples: readonly SeriesSample[], need: number): ExhaustionForecast {
  const sorted = samples
    .map((s) => ({ ms: Date.parse(s.at), value: s.value }))
    .filter((s) => Number.isFinite(s.ms) && Number.isFinite(s.value))
    .sort((a, b) => a.ms - b.ms);
  const last = sorted.at(-1);
  const asOfMs = last?.ms ?? 0;
  const inWindow = sorted.filter((s) => s.ms > asOfMs - FORECAST_WINDOW_DAYS * DAY_MS);
  const spanDays = inWindow.length > 0 ? (asOfMs - (inWindow[0]?.ms ?? asOfMs)) / DAY_MS : 0;
  const common: ForecastCommon = {
    samplesUsed: inWindow.length,
    spanDays: round(spanDays),
    asOf: new Date(asOfMs).toISOString(),
    need,
  };
  if (inWindow.length < MIN_SAMPLES || spanDays < MIN_SPAN_DAYS) {
    return {
      ...common,
      outcome: "insufficient",
      reason:
        `not enough history: ${inWindow.length} sample${inWindow.length === 1 ? "" : "s"} over ${round(spanDays, 1)} days ` +
        `in the last ${FORECAST_WINDOW_DAYS}; a forecast needs ${MIN_SAMPLES} over ${MIN_SPAN_DAYS} days`,
    };
  }
  const raw = inWindow.map((s) => ({ t: (s.ms - asOfMs) / DAY_MS, y: s.value }));
  const points = thinned(raw, FORECAST_WINDOW_DAYS, MAX_POINTS);
  const trend = robustTrend(points);
  const stats = trendStats(trend, points, asOfMs);
  const slope = trend.slope;
  if (Math.abs(slope) * MEDIUM_WITHIN_DAYS < 1) {
    return {
      ...common,
      ...stats,
      outcome: "flat",
      reason: `flat: the trend moves by less than 1 a month (${round(slope, 3)} a day)${stepText(stats)}`,
    };
  }
  const [lo, hi] = trend.slopeInterval;
  const significant =
    Math.abs(trend.z) >= SIGNIFICANT_Z &&
    Math.sign(trend.z) === Math.sign(slope) &&
    (slope < 0 ? hi < 0 : lo > 0);
  if (!significant || trend.rSquared < MIN_R_SQUARED) {
    const why = !significant
      ? `no significant trend (Mann–Kendall z ${round(trend.z)}, |z| ≥ ${SIGNIFICANT_Z} needed; slope 95 % interval ${round(lo, 2)} to ${round(hi, 2)} a day)`
      : `the line explains too little of the series (R² ${round(trend.rSquared)} < ${MIN_R_SQUARED})`;
    return {
      ...common,
      ...stats,
      outcome: "noisy",
      reason: `too noisy to trust: ${why}; residual spread ±${round(trend.residualSpread, 1)}${stepText(stats)}`,
    };
  }
  if (slope > 0) {
    return {
      ...common,
      ...stats,
      outcome: "falling",
      reason: `use is falling: the quantity rises by ${round(slope, 1)} a day${stepText(stats)}`,
    };
  }
  const daysLeft = Math.max(0, (trend.levelAtZero - need) / -slope);
  return {
    ...common,
    ...stats,
    outcome: "projected",
    daysLeft: round(daysLeft, 1),
    daysLeftAtSlowest: round(Math.max(0, (trend.levelAtZero - need) / -hi), 1),
    date: new Date(asOfMs + daysLeft * DAY_MS).toISOString().slice(0, 10),
  };
}

function trendStats(trend: Trend, points: readonly TrendPoint[], asOfMs: number): TrendStats {
  const iso = (t: number) => new Date(asOfMs + t * DAY_MS).toISOString();
  const before = trend.step ? points[trend.step.atIndex - 1] : undefined;
  const after = trend.step ? points[trend.step.atIndex] : undefined;
  return {
    slopePerDay: round(trend.slope, 3),
    slopeInterval: [round(trend.slopeInterval[0], 3), round(trend.slopeInterval[1], 3)],
    levelNow: round(trend.levelAtZero, 1),
    fit: {
      rSquared: round(trend.rSquared, 3),
      mannKendallZ: round(trend.z),
      residualSpread: round(trend.residualSpread, 1),
      points: trend.points,
    },
    ...(trend.step && before && after
      ? { step: { between: [iso(before.t), iso(after.t)], size: round(trend.step.size, 1) } }
      : {}),
  };
}

function stepText(stats: TrendStats): string {
  if (!stats.step) return "";
  const [from, to] = stats.step.between;
  return `; a one-off step of ${stats.step.size > 0 ? "+" : ""}${stats.step.size} between ${from.slice(0, 10)} and ${to.slice(0, 10)} is left out`;
}
