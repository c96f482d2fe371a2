import { stripVTControlCharacters } from "node:util";
import { type PlotConfig, plot } from "asciichart";
import { createColors } from "picocolors";
import { beyondHorizon, chartSpan, type ForecastChart, trendAt, trendStart } from "./forecast-chart.ts";

/** Rows of the plot area (asciichart's `height`): enough to read a slope, short enough for one screen. */
const HEIGHT = 10;
/** Fewer columns than this and a month would be a few characters: the chart keeps this many and may wrap. */
const MIN_PLOT_COLUMNS = 20;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/**
 * The observed free IPs on `columns` evenly spaced instants from the first sample to the latest: the median
 * of the samples nearest each column, linear between columns that have none.
 */
export function resample(
  points: readonly (readonly [number, number])[],
  startMs: number,
  endMs: number,
  columns: number,
): number[] {
  const step = columns > 1 ? (endMs - startMs) / (columns - 1) : 1;
  const buckets: number[][] = Array.from({ length: columns }, () => []);
  for (const [ms, v] of points) {
    const i = Math.min(columns - 1, Math.max(0, Math.round((ms - startMs) / step)));
    buckets[i]?.push(v);
  }
  const known = buckets.flatMap((b, i) => (b.length > 0 ? [[i, median(b)] as const] : []));
  return buckets.map((_, i) => {
    const after = known.findIndex(([k]) => k >= i);
    const next = known[after];
    if (next?.[0] === i) return next[1];
    const prev = known[after === -1 ? known.length - 1 : after - 1];
    if (!prev) return next?.[1] ?? 0;
    if (!next) return prev[1];
    return prev[1] + ((next[1] - prev[1]) * (i - prev[0])) / (next[0] - prev[0]);
  });
}

type Symbols = NonNullable<PlotConfig["symbols"]>;
/** asciichart's symbols: axis cross, axis, two axis ends, horizontal, four corners, vertical. */
const SOLID: Symbols = ["┼", "┤", "╶", "╴", "─", "╰", "╭", "╮", "╯", "│"];
const DOTTED: Symbols = ["┼", "┤", "╶", "╴", "·", "·", "·", "·", "·", "·"];
const DASHED: Symbols = ["┼", "┤", "╶", "╴", "╌", "╌", "╌", "╌", "╌", "╌"];

interface Layer {
  values: number[];
  /** Columns right of the axis where the layer's first value is (its own axis cell is left out). */
  shift?: number;
  symbols: Symbols;
  paint: (s: string) => string;
}

/**
 * Each layer plotted by asciichart on one scale, then merged cell by cell (the first layer that draws a
 * cell wins) and coloured by the layer that drew it. Rows: the value label, then one cell per column.
 */
function overlay(
  layers: readonly Layer[],
  scale: { min: number; max: number },
  labelWidth: number,
): string[] {
  const format = (v: number) =>
    `${Math.round(v)
      .toString()
      .padStart(labelWidth - 1)} `;
  const grids = layers.map((layer) =>
    plot(layer.values, { ...scale, height: HEIGHT, offset: 2, format, symbols: layer.symbols })
      .split("\n")
      .map((row) => {
        const cells = [...row.slice(labelWidth)];
        const shift = layer.shift ?? 0;
        if (shift === 0) return { label: row.slice(0, labelWidth), cells };
        return {
          label: row.slice(0, labelWidth),
          cells: [...Array<string>(shift + 1).fill(" "), ...cells.slice(1)],
        };
      }),
  );
  const rows = grids[0] ?? [];
  return rows.map(({ label }, r) => {
    const width = Math.max(...grids.map((g) => g[r]?.cells.length ?? 0));
    // Runs of cells drawn by one layer (-1: none), each painted once.
    const runs: { by: number; text: string }[] = [];
    for (let x = 0; x < width; x++) {
      const drawnBy = grids.findIndex((g) => {
        const cell = g[r]?.cells[x];
        // The axis column is drawn by every plot: a layer owns it only where its line starts.
        return cell !== undefined && cell !== " " && (x > 0 || cell !== "┤");
      });
      const cell = drawnBy === -1 ? (rows[r]?.cells[x] ?? " ") : (grids[drawnBy]?.[r]?.cells[x] ?? " ");
      const last = runs.at(-1);
      if (last?.by === drawnBy) last.text += cell;
      else runs.push({ by: drawnBy, text: cell });
    }
    const body = runs.map(({ by, text }) => (by === -1 ? text : (layers[by]?.paint(text) ?? text))).join("");
    return `${label}${body}`.trimEnd();
  });
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * `labels` placed at their columns on one line, in the order given (the first matter most); one that would
 * overlap a label already placed is left out.
 */
function axisLine(width: number, labels: readonly (readonly [column: number, text: string])[]): string {
  const taken: [number, number][] = [];
  const cells = Array<string>(width).fill(" ");
  for (const [column, text] of labels) {
    const at = Math.max(0, Math.min(column, width - text.length));
    const to = at + text.length;
    if (taken.some(([a, b]) => at <= b && to >= a)) continue;
    taken.push([at, to]);
    [...text].forEach((ch, i) => {
      cells[at + i] = ch;
    });
  }
  return cells.join("").trimEnd();
}

/**
 * The forecast chart on a terminal (asciichart): free IPs observed, the need line and the trend to the
 * projected date, fitted to `width` columns, a date axis under it and a key. Colours only with `color`.
 */
export function terminalChart(chart: ForecastChart, options: { width: number; color: boolean }): string[] {
  const { startMs, asOfMs, endMs } = chartSpan(chart);
  const values = [...chart.points.map(([, v]) => v), chart.need];
  if (chart.trend) values.push(trendAt(chart.trend, trendStart(chart)), trendAt(chart.trend, endMs));
  const labelWidth = Math.max(...values.map((v) => Math.round(v).toString().length)) + 1;
  // asciichart draws the label (a space at its end), the axis on the first point, then one column per point.
  const columns = Math.max(MIN_PLOT_COLUMNS, options.width - labelWidth - 2);
  const asOfColumn = Math.round(((asOfMs - startMs) / (endMs - startMs)) * (columns - 1));
  const history = resample(chart.points, startMs, asOfMs, asOfColumn + 1);
  const need = Array<number>(columns).fill(chart.need);
  const at = (i: number) => startMs + ((endMs - startMs) * i) / (columns - 1);
  // The trend is drawn over the samples it was fitted to (its window), then on to the date.
  const trendFromColumn = chart.trend
    ? Math.max(
        0,
        Math.round((((chart.trend.fromMs ?? startMs) - startMs) / (endMs - startMs)) * (columns - 1)),
      )
    : 0;
  const trend = chart.trend
    ? Array.from({ length: columns - trendFromColumn }, (_, i) =>
        trendAt(chart.trend as NonNullable<typeof chart.trend>, at(trendFromColumn + i)),
      )
    : undefined;
  const c = createColors(options.color);
  // One plot per series on the same scale, laid over each other cell by cell: each keeps its own line style
  // (readable without colour) and its own colour. The observed series stays on top, the need line under all.
  const layers: Layer[] = [
    { values: history, symbols: SOLID, paint: c.blue },
    ...(trend ? [{ values: trend, symbols: DOTTED, paint: c.yellow, shift: trendFromColumn }] : []),
    { values: need, symbols: DASHED, paint: c.red },
  ];
  const scale = { min: Math.min(...values), max: Math.max(...values) };
  const drawn = overlay(layers, scale, labelWidth);
  const axisColumn = labelWidth;
  const end = chart.trend
    ? beyondHorizon(chart)
      ? `${day(endMs)} → ${chart.trend.date}`
      : chart.trend.date
    : day(endMs);
  // The date the trend reaches the need first, then the first sample, then now if there is room.
  const dates: [number, string][] = [
    [axisColumn + columns - end.length, end],
    [axisColumn, day(startMs)],
  ];
  if (chart.trend) dates.push([axisColumn + asOfColumn, `${day(asOfMs)} (now)`]);
  const key = [
    c.blue("── free IPs observed"),
    ...(chart.trend ? [c.yellow(`·· trend ${chart.trend.slopePerDay}/day to ${chart.trend.date}`)] : []),
    c.red(`╌╌ need ${chart.need} (one more fits above it)`),
  ];
  const indent = " ".repeat(axisColumn);
  const oneLine = `${indent}${key.join("  ")}`;
  const fits = stripVTControlCharacters(oneLine).length <= options.width;
  return [
    ...drawn,
    axisLine(axisColumn + columns, dates),
    ...(fits ? [oneLine] : key.map((k) => `${indent}${k}`)),
  ];
}
