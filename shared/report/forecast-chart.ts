import escapeHtml from "escape-html";

const DAY_MS = 86_400_000;
/** A trend whose date is further than this is drawn to the edge only: the history would be a sliver. */
export const CHART_HORIZON_DAYS = 90;

/**
 * What a forecast chart draws: the free IPs observed, the need line (below it not one more node fits) and,
 * for a projection, the trend from the first sample to the day it crosses the need.
 */
export interface ForecastChart {
  /** Free IPs observed, `[epoch ms, free IPs]`, oldest first. */
  points: readonly (readonly [number, number])[];
  need: number;
  trend?: ChartTrend;
}

export interface ChartTrend {
  /** The latest sample's time: the trend's level is `levelNow` then. */
  asOfMs: number;
  levelNow: number;
  /** Free IPs per day (negative: being used up). */
  slopePerDay: number;
  daysLeft: number;
  /** `YYYY-MM-DD`, the model's projected date. */
  date: string;
  /** Where the samples the trend was fitted to begin (default: the first point drawn). */
  fromMs?: number;
}

/** The trend's value at a time. */
export function trendAt(trend: ChartTrend, ms: number): number {
  return trend.levelNow + (trend.slopePerDay * (ms - trend.asOfMs)) / DAY_MS;
}

/** Where the trend line starts: the first sample it was fitted to, or the chart's first point. */
export function trendStart(chart: ForecastChart): number {
  const first = chart.points[0]?.[0] ?? 0;
  return Math.max(first, chart.trend?.fromMs ?? first);
}

/** The time span a chart covers: first sample to the projected crossing (at most CHART_HORIZON_DAYS ahead). */
export function chartSpan(chart: ForecastChart): { startMs: number; asOfMs: number; endMs: number } {
  const startMs = chart.points[0]?.[0] ?? 0;
  const asOfMs = chart.trend?.asOfMs ?? chart.points.at(-1)?.[0] ?? startMs;
  const ahead = chart.trend ? Math.min(chart.trend.daysLeft, CHART_HORIZON_DAYS) * DAY_MS : 0;
  return { startMs, asOfMs, endMs: Math.max(asOfMs + ahead, startMs + 1) };
}

/** The projected date lies past the chart's right edge. */
export const beyondHorizon = (chart: ForecastChart): boolean =>
  (chart.trend?.daysLeft ?? 0) > CHART_HORIZON_DAYS;

const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/**
 * The chart of an `ip.subnet-exhaustion-forecast` finding, from its evidence (`forecast{…}` and
 * `series: [[iso, freeIps], …]`); undefined when the evidence lacks them (truncated by the store, or a
 * finding written before the chart existed): the report then shows the evidence alone.
 */
export function chartOfEvidence(evidence: Record<string, unknown>): ForecastChart | undefined {
  const { forecast, series } = evidence;
  if (!isRecord(forecast) || !Array.isArray(series)) return undefined;
  const points: [number, number][] = [];
  for (const p of series) {
    if (!Array.isArray(p) || typeof p[0] !== "string" || !isNumber(p[1])) return undefined;
    const ms = Date.parse(p[0]);
    if (!Number.isFinite(ms)) return undefined;
    points.push([ms, p[1]]);
  }
  const { slopeIpsPerDay, trendLevelNow, freeIpsNeeded, daysLeft, asOf, date } = forecast;
  if (
    points.length === 0 ||
    !isNumber(slopeIpsPerDay) ||
    !isNumber(trendLevelNow) ||
    !isNumber(freeIpsNeeded) ||
    !isNumber(daysLeft) ||
    typeof asOf !== "string" ||
    !Number.isFinite(Date.parse(asOf)) ||
    typeof date !== "string" ||
    !/^\d{4}-\d{2}-\d{2}$/.test(date)
  ) {
    return undefined;
  }
  return {
    points: points.sort((a, b) => a[0] - b[0]),
    need: freeIpsNeeded,
    trend: { asOfMs: Date.parse(asOf), levelNow: trendLevelNow, slopePerDay: slopeIpsPerDay, daysLeft, date },
  };
}

const W = 640;
const H = 220;
const PAD = { left: 48, right: 16, top: 14, bottom: 30 };

/** Round numbers for the free-IP axis: about four ticks from `lo` to `hi`. */
function ticks(lo: number, hi: number): number[] {
  const raw = Math.max(1, (hi - lo) / 4);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.round(v));
  return out;
}

const fixed = (x: number) => (Math.round(x * 10) / 10).toString();
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The chart as inline SVG (the report's Content-Security-Policy forbids loading anything: no image, no
 * script). Colours come from the page's style sheet through class names; every text is escaped.
 */
export function forecastSvg(chart: ForecastChart, label: string): string {
  const { startMs, asOfMs, endMs } = chartSpan(chart);
  const values = [...chart.points.map(([, v]) => v), chart.need];
  if (chart.trend) values.push(trendAt(chart.trend, trendStart(chart)), trendAt(chart.trend, endMs));
  const lo = Math.min(0, ...values);
  const hi = Math.max(...values, lo + 1);
  const x = (ms: number) => PAD.left + ((ms - startMs) / (endMs - startMs)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + ((hi - v) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [];
  const bottom = H - PAD.bottom;
  parts.push(
    `<line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${bottom}"/>`,
    `<line class="axis" x1="${PAD.left}" y1="${bottom}" x2="${W - PAD.right}" y2="${bottom}"/>`,
  );
  for (const t of ticks(lo, hi)) {
    parts.push(
      `<line class="grid" x1="${PAD.left}" y1="${fixed(y(t))}" x2="${W - PAD.right}" y2="${fixed(y(t))}"/>`,
      `<text class="tick" x="${PAD.left - 6}" y="${fixed(y(t) + 4)}" text-anchor="end">${t}</text>`,
    );
  }
  const dates: [number, string, string][] = [[startMs, day(startMs), "start"]];
  if (chart.trend && x(endMs) - x(asOfMs) > 80) dates.push([asOfMs, day(asOfMs), "middle"]);
  dates.push(
    chart.trend && !beyondHorizon(chart)
      ? [endMs, chart.trend.date, "end"]
      : [endMs, `${day(endMs)}${chart.trend ? " →" : ""}`, "end"],
  );
  for (const [ms, text, anchor] of dates) {
    parts.push(
      `<text class="tick" x="${fixed(x(ms))}" y="${H - 10}" text-anchor="${anchor}">${escapeHtml(text)}</text>`,
    );
  }
  parts.push(
    `<line class="need" x1="${PAD.left}" y1="${fixed(y(chart.need))}" x2="${W - PAD.right}" y2="${fixed(y(chart.need))}"><title>need: ${chart.need} free IPs for one more</title></line>`,
  );
  if (chart.trend) {
    parts.push(
      `<line class="trend" x1="${fixed(x(trendStart(chart)))}" y1="${fixed(y(trendAt(chart.trend, trendStart(chart))))}" x2="${fixed(x(endMs))}" y2="${fixed(y(trendAt(chart.trend, endMs)))}"><title>trend: ${fixed(chart.trend.slopePerDay)} free IPs a day, below the need on ${escapeHtml(chart.trend.date)}</title></line>`,
    );
    if (!beyondHorizon(chart)) {
      parts.push(
        `<circle class="crossing" cx="${fixed(x(endMs))}" cy="${fixed(y(chart.need))}" r="4"><title>${escapeHtml(chart.trend.date)}</title></circle>`,
      );
    }
  }
  const path = chart.points.map(([ms, v]) => `${fixed(x(ms))},${fixed(y(v))}`).join(" ");
  parts.push(`<polyline class="series" points="${path}"><title>free IPs observed</title></polyline>`);
  for (const [ms, v] of chart.points) {
    parts.push(`<circle class="sample" cx="${fixed(x(ms))}" cy="${fixed(y(v))}" r="2"/>`);
  }
  return [
    `<figure class="chart">`,
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(label)}">`,
    ...parts,
    "</svg>",
    `<figcaption><span class="key series">free IPs</span> <span class="key need">need ${chart.need}</span>${
      chart.trend
        ? ` <span class="key trend">trend ${fixed(chart.trend.slopePerDay)}/day → ${escapeHtml(chart.trend.date)}</span>`
        : ""
    }</figcaption>`,
    "</figure>",
  ].join("\n");
}
