/**
 * The scaling curve: its figures (`curve.json`), a Markdown table of them with the command and the
 * machine's load beside each point (`curve.md`), and a line chart (`curve.svg`) in three panels over the
 * number of scopes (log scale): time and its honest bound, the scanner workers' CPU, and the peak RSS per
 * worker process. Drawn by Apache ECharts' server-side SVG renderer (no DOM, no canvas).
 */
import { LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TitleComponent } from "echarts/components";
import { init, use } from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import type { BenchResult } from "./benchmark.ts";
import { curve, othersCores, workerCpuPerScope, workerHeapAfterGc, workerRss } from "./report.ts";

export interface CurvePoint {
  accounts: number;
  regions: number;
  scopes: number;
  timeS: number;
  boundS: number;
  ratio: number;
  workerCpuS: number;
  cpuMsPerScope: number;
  rssMedianMb: number;
  rssMaxMb: number;
  /** The largest heap a worker still used after a full collection at the end (what it retains); null: not measured. */
  heapAfterGcMaxMb?: number | null;
  /** Core-equivalents other processes used during the run (machine load not ours). */
  othersCores: number | null;
  /** One-minute load average at the point's start and its highest during the run (sampled every 2 s). */
  loadAverage: { start: number; max: number };
  /** `uptime`'s three load averages (1, 5, 15 min) when the point's run started and ended. */
  uptime: { start: number[]; end: number[] };
}

export interface CurveFile {
  startedAt: string;
  command: string;
  machine: BenchResult["machine"];
  settings: {
    seed: number;
    regions: number;
    workers: number;
    batchSize: number;
    latencyMs: number;
    throttle: BenchResult["options"]["throttle"] | null;
  };
  points: CurvePoint[];
  /** Written after a point while the run went on: the points after it were not measured (yet). */
  partial?: boolean;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

export function curveFile(result: BenchResult, command: string): CurveFile {
  const o = result.options;
  return {
    startedAt: result.startedAt,
    command,
    machine: result.machine,
    settings: {
      seed: o.seed,
      regions: o.regions,
      workers: o.concurrency,
      batchSize: o.batchSize,
      latencyMs: o.latencyMs,
      throttle: o.throttle ?? null,
    },
    points: curve(result).map((m) => {
      const rss = workerRss(m.first);
      return {
        accounts: m.accounts,
        regions: m.regions,
        scopes: m.scopes,
        timeS: r1(m.first.wallMs / 1000),
        boundS: r1(m.firstBound.ms / 1000),
        ratio: m.firstBound.ratio,
        workerCpuS: r1(m.first.cpu.workersMs / 1000),
        cpuMsPerScope: r1(workerCpuPerScope(m.first)),
        rssMedianMb: rss.median,
        rssMaxMb: rss.max,
        heapAfterGcMaxMb: workerHeapAfterGc(m.first) ?? null,
        othersCores: othersCores(m.first) ?? null,
        loadAverage: { start: m.first.loadAverage.start, max: m.first.loadAverage.max },
        uptime: m.first.uptime,
      };
    }),
  };
}

use([LineChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer]);

const decadeBelow = (x: number) => 10 ** Math.floor(Math.log10(Math.max(x, 1e-3)));
const decadeAbove = (x: number) => 10 ** Math.ceil(Math.log10(Math.max(x, 1e-3)));

const PANEL = { width: 330, top: 70, height: 230 } as const;

interface Line {
  name: string;
  values: number[];
  colour: string;
  dashed?: boolean;
  /** Text at each point. */
  labels?: string[];
}

/** The chart: three panels (time, workers' CPU, peak RSS per worker) sharing a log-scale scope axis. */
export function renderCurveSvg(file: CurveFile): string {
  const p = file.points;
  const s = file.settings;
  // Time and CPU on log-log axes (a straight line of slope 1 is linear growth); RSS from zero.
  const panels: { title: string; logY: boolean; lines: Line[] }[] = [
    {
      title: "Time (s, log scale)",
      logY: true,
      lines: [
        { name: "measured", values: p.map((q) => q.timeS), colour: "#1f5fa8" },
        { name: "honest bound", values: p.map((q) => q.boundS), colour: "#777777", dashed: true },
      ],
    },
    {
      title: "Scanner-worker CPU (s, log scale)",
      logY: true,
      lines: [
        {
          name: "all workers (labels: ms per scope)",
          values: p.map((q) => q.workerCpuS),
          colour: "#b3541e",
          labels: p.map((q) => `${q.cpuMsPerScope}`),
        },
      ],
    },
    {
      title: "Peak RSS per worker (MB)",
      logY: false,
      lines: [
        { name: "largest worker", values: p.map((q) => q.rssMaxMb), colour: "#2e7d32" },
        { name: "median worker", values: p.map((q) => q.rssMedianMb), colour: "#66bb6a", dashed: true },
      ],
    },
  ];
  const width = panels.length * (PANEL.width + 20) + 20;
  const height = PANEL.top + PANEL.height + 80;
  const left = (i: number) => 20 + i * (PANEL.width + 20) + 50;
  const chart = init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: "#ffffff",
      textStyle: { fontFamily: "sans-serif" },
      title: [
        ...panels.map((panel, i) => ({
          text: panel.title,
          left: left(i),
          top: 8,
          textStyle: { fontSize: 13 },
        })),
        {
          text:
            `eks-auditor benchmark ${file.startedAt.slice(0, 10)}: ${s.workers} scanner worker processes, SQS batch ${s.batchSize}, ` +
            `${s.latencyMs} ms per call, throttle ${s.throttle ? `${s.throttle.bucket} + ${s.throttle.refillPerSecond}/s` : "off"}, ` +
            `${s.regions} regions; ${file.machine.cpus} CPUs shared, Node ${file.machine.node}`,
          left: 20,
          bottom: 6,
          textStyle: { fontSize: 10, fontWeight: "normal", color: "#555555" },
        },
      ],
      legend: panels.map((panel, i) => ({
        left: left(i),
        top: 32,
        itemWidth: 20,
        textStyle: { fontSize: 10 },
        data: panel.lines.map((l) => l.name),
      })),
      grid: panels.map((_, i) => ({
        left: left(i),
        top: PANEL.top,
        width: PANEL.width - 60,
        height: PANEL.height,
      })),
      xAxis: panels.map((_, i) => ({
        type: "log",
        gridIndex: i,
        name: "scopes (account-regions)",
        nameLocation: "middle",
        nameGap: 28,
        min: decadeBelow(Math.min(...p.map((q) => q.scopes))),
        max: decadeAbove(Math.max(...p.map((q) => q.scopes))),
        axisLabel: { formatter: (v: number) => String(Math.round(v)), fontSize: 10 },
      })),
      yAxis: panels.map((panel, i) =>
        panel.logY
          ? {
              type: "log",
              gridIndex: i,
              min: decadeBelow(Math.min(...panel.lines.flatMap((l) => l.values))),
              max: decadeAbove(Math.max(...panel.lines.flatMap((l) => l.values))),
              axisLabel: { fontSize: 10 },
            }
          : { type: "value", gridIndex: i, min: 0, axisLabel: { fontSize: 10 } },
      ),
      series: panels.flatMap((panel, i) =>
        panel.lines.map((l) => ({
          type: "line",
          name: l.name,
          xAxisIndex: i,
          yAxisIndex: i,
          color: l.colour,
          symbolSize: 6,
          lineStyle: { width: 2, type: l.dashed ? "dashed" : "solid" },
          data: l.values.map((v, k) => [p[k]?.scopes ?? 1, v]),
          label: {
            show: true,
            fontSize: 9,
            color: l.colour,
            formatter: (d: { dataIndex: number; value: number[] }) =>
              l.labels?.[d.dataIndex] ?? String(d.value[1]),
          },
        })),
      ),
    });
    return `${chart.renderToSVGString()}\n`;
  } finally {
    chart.dispose();
  }
}

/** `curve.md`: every point with the command that produced it and the machine's load beside it. */
export function renderCurveMarkdown(file: CurveFile): string {
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(", ");
  const rows = file.points.map(
    (q) =>
      `| ${q.scopes} | ${q.accounts} × ${q.regions} | ${q.timeS} | ${q.boundS} | ${q.ratio} | ${q.workerCpuS} | ${q.cpuMsPerScope} | ` +
      `${q.rssMaxMb} | ${q.rssMedianMb} | ${q.heapAfterGcMaxMb ?? "-"} | ${q.othersCores ?? "-"} | ${load(q.uptime.start)} | ${load(q.uptime.end)} |`,
  );
  const s = file.settings;
  return [
    "# Scaling curve",
    "",
    `Command: \`${file.command}\` (started ${file.startedAt}; each point is one run, measured once).`,
    "",
    ...(file.partial
      ? [
          "**Partial**: the run stopped (or was stopped) before its other points; only these were measured.",
          "",
        ]
      : []),
    `Settings: seed ${s.seed}, ${s.regions} regions, ${s.workers} scanner worker processes, SQS batch ${s.batchSize}, ` +
      `${s.latencyMs} ms per simulator call, throttle ${s.throttle ? `bucket ${s.throttle.bucket}, ${s.throttle.refillPerSecond}/s per account-region-API` : "off"}. ` +
      `Machine: ${file.machine.cpus} CPUs shared with other agents, Node ${file.machine.node}.`,
    "",
    "| scopes | accounts × regions | time s | honest bound s | ratio | worker CPU s | worker CPU ms/scope | peak RSS largest worker MB | peak RSS median worker MB | heap after full GC, largest worker MB | others' cores | load at start (uptime 1, 5, 15 min) | load at end |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    "Time: plan start to the end of the last batch. Bound: the planner's chain plus the slowest worker's chain " +
      "(bench/README.md). Worker CPU: user + system of the scanner worker processes only. Peak RSS: the kernel's " +
      "high-water mark (`maxRSS`) of each worker process; workers run with the Lambda runtime's node flags " +
      "(bench/deployment.ts `lambdaNodeArgs`). Heap after full GC: what a worker still holds once the run drained. Others' cores: CPU used during the run by processes " +
      "outside the benchmark, in cores. Plot: curve.svg.",
    "",
  ].join("\n");
}
