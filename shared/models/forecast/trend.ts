/**
 * A robust linear trend of a time series, resistant to one-off steps (a deployment's burst that stays)
 * and single outliers. Pure statistics, no AWS.
 *
 * - Slope: Theil–Sen (the median of the pairwise slopes; Sen 1968, "Estimates of the regression
 *   coefficient based on Kendall's tau", JASA 63), which one outlier cannot move.
 * - Steps: a level shift between two samples is a second model, a step plus one common slope. Its slope
 *   is the median of the slopes of pairs on the same side of the step only, so the shift itself is never
 *   read as growth; it is chosen when it halves the absolute error of the straight line.
 * - Significance: the Mann–Kendall trend test (Kendall's S over the same pairs, normal approximation with
 *   continuity correction; Hipel & McLeod 1994, "Time Series Modelling of Water Resources", §23.3), and the
 *   coefficient of determination of the step-adjusted series as the measure of fit.
 */

export interface TrendPoint {
  /** Days, any origin (the forecast uses days before its `asOf`, so ≤ 0). */
  t: number;
  y: number;
}

export interface Trend {
  /** Units of y per day. */
  slope: number;
  /** The 95 % confidence interval of the slope (Sen 1968: ranks of the pairwise slopes from Var(S)). */
  slopeInterval: [number, number];
  /** The fitted value at t = 0 (after the step, when there is one). */
  levelAtZero: number;
  /** A level shift the trend left out: between which points (index of the first after it) and how large. */
  step?: { atIndex: number; size: number };
  /** Mann–Kendall S over the pairs used, and its two-sided z score. */
  kendallS: number;
  z: number;
  /** R² of the step-adjusted series against the line: 1 is a perfect fit. */
  rSquared: number;
  /** Robust residual spread (1.4826 × median absolute residual), in units of y. */
  residualSpread: number;
  points: number;
}

const MAD_TO_SIGMA = 1.4826;
/** A step is taken only when it at least halves the line's summed absolute error. */
const STEP_GAIN = 0.5;
/** Each side of a step keeps at least this many points, so one outlier is never a step. */
const MIN_SEGMENT = 2;

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Slopes of every pair (i < j) of points with distinct times, inside [from, to). */
function pairSlopes(points: readonly TrendPoint[], from: number, to: number, into: number[]): void {
  for (let i = from; i < to; i++) {
    const a = points[i];
    if (!a) continue;
    for (let j = i + 1; j < to; j++) {
      const b = points[j];
      if (b && b.t !== a.t) into.push((b.y - a.y) / (b.t - a.t));
    }
  }
}

/** Kendall's S (concordant minus discordant pairs in time order) of [from, to), and its null variance. */
function kendall(points: readonly TrendPoint[], from: number, to: number): { s: number; variance: number } {
  let s = 0;
  for (let i = from; i < to; i++) {
    for (let j = i + 1; j < to; j++) {
      const d = (points[j]?.y ?? 0) - (points[i]?.y ?? 0);
      s += d > 0 ? 1 : d < 0 ? -1 : 0;
    }
  }
  const n = to - from;
  // Ties only lower the variance: leaving them out makes the test conservative.
  return { s, variance: (n * (n - 1) * (2 * n + 5)) / 18 };
}

interface Fit {
  slope: number;
  /** The pairwise slopes the median was taken of, sorted. */
  slopes: number[];
  levels: [number, number];
  split: number;
  absError: number;
}

/** One common slope over the segments [0, split) and [split, n), each with its own level (split 0: one line). */
function fitSegments(points: readonly TrendPoint[], split: number): Fit {
  const n = points.length;
  const slopes: number[] = [];
  pairSlopes(points, 0, split, slopes);
  pairSlopes(points, split, n, slopes);
  slopes.sort((a, b) => a - b);
  const slope = slopes.length > 0 ? median(slopes) : 0;
  const level = (from: number, to: number) => median(points.slice(from, to).map((p) => p.y - slope * p.t));
  const levels: [number, number] = [split > 0 ? level(0, split) : Number.NaN, level(split, n)];
  let absError = 0;
  points.forEach((p, i) => {
    absError += Math.abs(p.y - ((i < split ? levels[0] : levels[1]) + slope * p.t));
  });
  return { slope, slopes, levels, split, absError };
}

/** The robust trend of points sorted by time (at least 3). */
export function robustTrend(points: readonly TrendPoint[]): Trend {
  const n = points.length;
  const line = fitSegments(points, 0);
  let best = line;
  for (let split = MIN_SEGMENT; split <= n - MIN_SEGMENT; split++) {
    const fit = fitSegments(points, split);
    if (fit.absError < best.absError) best = fit;
  }
  // Only a drop (more in use at once) is a step: left out, it can only make the trend less alarming.
  const stepped =
    best.split > 0 &&
    best.levels[1] < best.levels[0] &&
    line.absError > 0 &&
    best.absError < STEP_GAIN * line.absError;
  const fit = stepped ? best : line;
  const { slope } = fit;
  const levelAtZero = fit.levels[1];
  const shift = stepped ? fit.levels[1] - fit.levels[0] : 0;
  // The series as if the step had not happened: its fit to the line says how well the trend explains it.
  const adjusted = points.map((p, i) => (stepped && i < fit.split ? p.y + shift : p.y));
  const mean = adjusted.reduce((a, b) => a + b, 0) / n;
  let ssr = 0;
  let sst = 0;
  const residuals: number[] = [];
  points.forEach((p, i) => {
    const r = (adjusted[i] ?? 0) - (levelAtZero + slope * p.t);
    residuals.push(Math.abs(r));
    ssr += r * r;
    sst += ((adjusted[i] ?? 0) - mean) ** 2;
  });
  const parts = stepped
    ? [kendall(points, 0, fit.split), kendall(points, fit.split, n)]
    : [kendall(points, 0, n)];
  const s = parts.reduce((a, p) => a + p.s, 0);
  const variance = parts.reduce((a, p) => a + p.variance, 0);
  const z = variance > 0 && s !== 0 ? (s - Math.sign(s)) / Math.sqrt(variance) : 0;
  return {
    slope,
    slopeInterval: slopeInterval(fit.slopes, variance),
    levelAtZero,
    ...(stepped ? { step: { atIndex: fit.split, size: shift } } : {}),
    kendallS: s,
    z,
    rSquared: sst > 0 ? 1 - ssr / sst : ssr === 0 ? 1 : 0,
    residualSpread: MAD_TO_SIGMA * median(residuals),
    points: n,
  };
}

/** Two-sided 95 % of the normal distribution. */
const Z_95 = 1.96;

/**
 * Sen's distribution-free interval of the slope: with N pairwise slopes sorted and C = z·√Var(S), the slopes
 * of ranks (N − C)/2 and (N + C)/2 + 1 bound it.
 */
function slopeInterval(sorted: readonly number[], variance: number): [number, number] {
  const n = sorted.length;
  if (n === 0) return [0, 0];
  const c = Z_95 * Math.sqrt(variance);
  const lo = Math.max(0, Math.floor((n - c) / 2) - 1);
  const hi = Math.min(n - 1, Math.ceil((n + c) / 2));
  return [sorted[lo] ?? 0, sorted[hi] ?? 0];
}
