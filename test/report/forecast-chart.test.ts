import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DefaultTreeAdapterTypes, type ParserError, parse } from "parse5";
import { beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "#shared/findings/index.ts";
import { renderHtml } from "#shared/report/index.ts";
import { forecastFinding, subnetFinding } from "#test/report/findings.ts";
import { estateSeries, SERIES_SUBNET, scanSeries } from "#test/support/estate-series.ts";

type Node = DefaultTreeAdapterTypes.ChildNode | DefaultTreeAdapterTypes.Document;
type Element = DefaultTreeAdapterTypes.Element;

function elements(node: Node): Element[] {
  const own = "tagName" in node ? [node] : [];
  const children = "childNodes" in node ? node.childNodes : [];
  return [...own, ...children.flatMap((c) => elements(c))];
}

function text(node: Node): string {
  if (node.nodeName === "#text") return (node as DefaultTreeAdapterTypes.TextNode).value;
  return "childNodes" in node ? node.childNodes.map(text).join("") : "";
}

const attr = (el: Element | undefined, name: string) => el?.attrs.find((a) => a.name === name)?.value;
const num = (el: Element | undefined, name: string) => Number(attr(el, name));
const byClass = (all: Element[], tag: string, cls: string) =>
  all.filter((e) => e.tagName === tag && (attr(e, "class") ?? "").split(" ").includes(cls));

const CONTEXT = {
  source: "scan",
  generatedAt: "2026-11-25T08:00:00.000Z",
  width: 160,
  color: false,
} as const;

function page(findings: Finding[]): { all: Element[]; errors: ParserError[] } {
  const errors: ParserError[] = [];
  const doc = parse(renderHtml(findings, CONTEXT), { onParseError: (e) => errors.push(e) });
  return { all: elements(doc), errors };
}

interface ForecastEvidence {
  forecast: { date: string; freeIpsNeeded: number; asOf: string };
  series: [string, number][];
}

describe("Format: html, the chart of a forecast finding", { timeout: 240_000 }, () => {
  let finding: Finding;

  beforeAll(async () => {
    // A real finding: ten daily captures losing 30 free IPs a day, scanned into one store.
    const store = join(await mkdtemp(join(tmpdir(), "eks-audit-chart-")), "store");
    const { findings } = await scanSeries(
      estateSeries(Array.from({ length: 10 }, (_, d) => 700 - 30 * d + (d % 3) - 1)),
      store,
    );
    const found = findings.find((f) => f.ruleId === "ip.subnet-exhaustion-forecast");
    if (!found) throw new Error("the steady replay made no forecast finding");
    finding = found;
  }, 240_000);

  it("draws the evidence's series, the need line and the trend reaching it on the date, as inline SVG", () => {
    // Prepare
    const evidence = finding.evidence as unknown as ForecastEvidence;

    // Act
    const { all, errors } = page([finding]);

    // Assess
    expect(errors).toEqual([]);
    const svg = all.find((e) => e.tagName === "svg");
    expect(attr(svg, "role")).toBe("img");
    expect(attr(svg, "aria-label")).toContain(`${SERIES_SUBNET}`);
    expect(attr(svg, "aria-label")).toContain(evidence.forecast.date);
    const inSvg = elements(svg as Element);
    // The series: one point per evidence sample, left to right, higher on the chart the more IPs are free.
    const points = (attr(byClass(inSvg, "polyline", "series")[0], "points") ?? "")
      .split(" ")
      .map((p) => p.split(",").map(Number) as [number, number]);
    expect(points).toHaveLength(evidence.series.length);
    for (let i = 1; i < points.length; i++) {
      const [x0, y0] = points[i - 1] ?? [0, 0];
      const [x1, y1] = points[i] ?? [0, 0];
      const [, v0] = evidence.series[i - 1] ?? ["", 0];
      const [, v1] = evidence.series[i] ?? ["", 0];
      expect(x1).toBeGreaterThan(x0);
      expect(Math.sign(y0 - y1)).toBe(Math.sign(v1 - v0));
    }
    expect(byClass(inSvg, "circle", "sample")).toHaveLength(evidence.series.length);
    // The need: a horizontal line below every sample; the trend ends on it at the right edge, on the date.
    const need = byClass(inSvg, "line", "need")[0];
    expect(num(need, "y1")).toBe(num(need, "y2"));
    expect(Math.max(...points.map(([, y]) => y))).toBeLessThan(num(need, "y1"));
    const trend = byClass(inSvg, "line", "trend")[0];
    expect(num(trend, "x1")).toBeCloseTo(points[0]?.[0] ?? 0, 1);
    expect(num(trend, "x2")).toBeCloseTo(num(need, "x2"), 1);
    expect(num(trend, "y2")).toBeCloseTo(num(need, "y1"), 0);
    expect(num(trend, "y1")).toBeLessThan(num(trend, "y2"));
    const crossing = byClass(inSvg, "circle", "crossing")[0];
    expect([num(crossing, "cx"), num(crossing, "cy")]).toEqual([num(trend, "x2"), num(need, "y1")]);
    const labels = byClass(inSvg, "text", "tick").map(text);
    expect(labels).toContain(evidence.series[0]?.[0].slice(0, 10));
    expect(labels).toContain(evidence.forecast.date);
    const caption = text(all.find((e) => e.tagName === "figcaption") as Element);
    expect(caption).toContain(`need ${evidence.forecast.freeIpsNeeded}`);
    expect(caption).toContain(evidence.forecast.date);
  });

  it("stays inside the page's policy: no style attribute, no URL, no script in the chart", () => {
    // Act
    const { all } = page([finding]);

    // Assess
    const svg = all.find((e) => e.tagName === "svg") as Element;
    const attributes = elements(svg).flatMap((e) => e.attrs.map((a) => a.name));
    expect(attributes.filter((a) => a === "style" || a.startsWith("on") || a.endsWith("href"))).toEqual([]);
    expect(
      elements(svg).filter((e) => ["script", "image", "use", "foreignObject"].includes(e.tagName)),
    ).toEqual([]);
    const style = text(all.find((e) => e.tagName === "style") as Element);
    for (const cls of ["series", "need", "trend", "crossing"]) expect(style).toContain(`.${cls}`);
  });

  it("draws no chart for another rule, nor for a forecast whose evidence lost its series", () => {
    // Prepare: the store truncates evidence that does not fit an item
    const truncated = forecastFinding();
    delete (truncated.evidence as Record<string, unknown>).series;

    // Act
    const { all, errors } = page([subnetFinding(), truncated, forecastFinding()]);

    // Assess
    expect(errors).toEqual([]);
    const articles = all.filter((e) => e.tagName === "article");
    expect(articles.map((a) => elements(a).some((e) => e.tagName === "svg"))).toEqual([false, false, true]);
  });

  it("draws the trend to the edge, with no crossing, when the date is beyond 90 days", () => {
    // Prepare
    const far = forecastFinding();
    const forecast = (far.evidence as unknown as { forecast: Record<string, unknown> }).forecast;
    Object.assign(forecast, { slopeIpsPerDay: -2, daysLeft: 205, date: "2027-06-03" });

    // Act
    const { all } = page([far]);

    // Assess
    const svg = all.find((e) => e.tagName === "svg") as Element;
    const inSvg = elements(svg);
    expect(byClass(inSvg, "circle", "crossing")).toEqual([]);
    const need = byClass(inSvg, "line", "need")[0];
    const trend = byClass(inSvg, "line", "trend")[0];
    expect(num(trend, "y2")).toBeLessThan(num(need, "y1"));
    expect(byClass(inSvg, "text", "tick").map(text)).toContain("2027-02-08 →");
    expect(text(all.find((e) => e.tagName === "figcaption") as Element)).toContain("2027-06-03");
  });
});
