import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReportedFinding } from "#shared/cli/common/render.ts";
import { renderHtml } from "#shared/report/index.ts";
import { forecastFinding } from "#test/report/findings.ts";
import { sampleFindings } from "#test/report/support.ts";

/**
 * The HTML report as a reader sees it: the Debian `chromium` package, headless, driven through
 * playwright-core (no browser download). `.ci/run` installs the package; a machine without it fails here
 * with the command that installs it, unless EKS_AUDIT_SKIP_BROWSER=1 says the run is knowingly without one.
 */
function chromiumPath(): string | undefined {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    try {
      return execFileSync("which", [name], { encoding: "utf8" }).trim() || undefined;
    } catch {
      // not this one
    }
  }
  return undefined;
}

const executablePath = chromiumPath();
const skip = executablePath === undefined && process.env.EKS_AUDIT_SKIP_BROWSER === "1";

describe.skipIf(skip)("HTML report in headless Chromium", () => {
  let browser: Browser;
  let findings: ReportedFinding[];
  let file: string;

  beforeAll(async () => {
    if (executablePath === undefined) {
      throw new Error("no chromium: apt-get install -y chromium (or EKS_AUDIT_SKIP_BROWSER=1 to skip)");
    }
    findings = await sampleFindings();
    const dir = mkdtempSync(join(tmpdir(), "eks-audit-html-"));
    file = join(dir, "report.html");
    writeFileSync(
      file,
      renderHtml(findings, {
        source: "scan",
        generatedAt: new Date().toISOString(),
        width: 100,
        color: false,
      }),
    );
    browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("loads nothing but itself, filters by text and severity, copies a fix, and fits a phone", async () => {
    // Prepare: every request the page makes is recorded and refused
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const requested: string[] = [];
    await context.route("**/*", (route) => {
      const url = route.request().url();
      requested.push(url);
      return url.startsWith("file:") ? route.continue() : route.abort();
    });
    const page = await context.newPage();
    const rule = findings[0]?.ruleId ?? "";
    const ofRule = findings.filter((f) => f.ruleId === rule).length;
    const critical = findings.filter((f) => f.severity === "CRITICAL").length;

    // Act
    await page.goto(pathToFileURL(file).href);
    const total = await page.locator("article.finding").count();
    await page.fill("#filter", rule);
    const shownForRule = await page.locator("article.finding:not([hidden])").count();
    const shownText = await page.textContent("#shown");
    await page.fill("#filter", "");
    await page.selectOption("#severity", "CRITICAL");
    const shownCritical = await page.locator("article.finding:not([hidden])").count();
    await page.selectOption("#severity", "");
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const button = page.locator("button.copy").first();
    await button.click();
    // Page-side code as text: the tests compile without the DOM's types.
    const copied = await page.evaluate<string>("navigator.clipboard.readText()");
    const id = JSON.stringify(await button.getAttribute("data-copy"));
    const source = await page.evaluate<string>(`document.getElementById(${id})?.textContent ?? ""`);
    const shot = join(tmpdir(), `eks-audit-report-${process.pid}.png`);
    await page.screenshot({ path: shot, fullPage: false });
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate<number>(
      "document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    await context.close();

    // Assess
    expect(requested).toEqual([pathToFileURL(file).href]);
    expect(total).toBe(findings.length);
    expect(shownForRule).toBeGreaterThanOrEqual(ofRule);
    expect(shownText).toBe(`${shownForRule} of ${total} findings shown`);
    expect(critical).toBeGreaterThan(0);
    expect(shownCritical).toBe(critical);
    expect(source.length).toBeGreaterThan(0);
    expect(copied).toBe(source);
    expect(overflow).toBeLessThanOrEqual(0);
    // The screenshot: a PNG of the 1280×900 viewport (signature, then the IHDR width and height).
    const png = readFileSync(shot);
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 900]);
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  });

  it("draws a forecast finding's chart: visible, styled by the page's own sheet, no policy violation, fits a phone", async () => {
    // Prepare: the forecast finding among others (which have no chart)
    const chartFile = join(mkdtempSync(join(tmpdir(), "eks-audit-html-chart-")), "report.html");
    writeFileSync(
      chartFile,
      renderHtml([forecastFinding(), ...findings.slice(0, 3)], {
        source: "scan",
        generatedAt: new Date().toISOString(),
        width: 100,
        color: false,
      }),
    );
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const complaints: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") complaints.push(m.text());
    });

    // Act
    await page.goto(pathToFileURL(chartFile).href);
    const charts = await page.locator("figure.chart").count();
    const chart = page.locator('article.finding:has-text("ip.subnet-exhaustion-forecast") figure.chart svg');
    const box = await chart.boundingBox();
    const series = chart.locator("polyline.series");
    // Page-side code as text (the tests compile without the DOM's types).
    const computed = (selector: string, property: string) =>
      page.evaluate<string>(
        `getComputedStyle(document.querySelector(${JSON.stringify(`figure.chart ${selector}`)})).${property}`,
      );
    const stroke = await computed("polyline.series", "stroke");
    const fill = await computed("polyline.series", "fill");
    const needDash = await computed("line.need", "strokeDasharray");
    const seriesBox = await series.boundingBox();
    const trendBox = await chart.locator("line.trend").boundingBox();
    await page.setViewportSize({ width: 390, height: 844 });
    const phoneBox = await chart.boundingBox();
    const overflow = await page.evaluate<number>(
      "document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    await context.close();

    // Assess
    expect(complaints).toEqual([]);
    expect(charts).toBe(1);
    expect(box?.width).toBeGreaterThan(300);
    expect(box?.height).toBeGreaterThan(100);
    expect(stroke).toMatch(/^rgb/);
    expect(fill).toBe("none");
    expect(needDash).not.toBe("none");
    // The series is drawn left of where the trend goes on to the date.
    expect((seriesBox?.x ?? 0) + (seriesBox?.width ?? 0)).toBeLessThan(
      (trendBox?.x ?? 0) + (trendBox?.width ?? 0),
    );
    expect(seriesBox?.height).toBeGreaterThan(20);
    expect(phoneBox?.width).toBeLessThanOrEqual(390);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
