import { existsSync } from "node:fs";
import { PassThrough } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "#shared/cli/common/io.ts";
import { type DemoResult, type DemoRun, FILLED, FIXED, runDemo } from "#sim/demo.ts";

let demo: DemoResult = { runs: [], summary: "", transcript: "" };
let printed = "";

beforeAll(async () => {
  // Act: `npm run demo` (no flag), in-process
  const io: CliIo = {
    stdout: (text) => {
      printed += text;
    },
    stderr: (text) => {
      printed += text;
    },
    env: process.env,
    stderrIsTTY: false,
    stderrStream: new PassThrough(),
    columns: 160,
  };
  demo = await runDemo(io);
});

/** The scan's findings listing: one underlined heading per account-region and cluster (shared/report/terminal.ts). */
const FINDINGS_LISTING = /^\d{12} \/ [a-z0-9-]+ \/ .+\n─+$/m;

function printedAlerts(run: DemoRun | undefined): number {
  return run?.report?.notifications.filter((n) => n.result.status === "printed").length ?? 0;
}

describe("Demo: npm run demo", () => {
  it("runs three scans that each exit 4: the sample plants account-regions that cannot be scanned", () => {
    expect(demo.runs.map((r) => r.code)).toEqual([4, 4, 4]);
    expect(demo.transcript).toMatch(/4 of 10 account-regions could not be scanned/);
  });

  it("run 1 records the organisation's findings and prints their alerts", () => {
    const [first] = demo.runs;
    expect(first?.title).toBe("Run 1 — first scan of the organisation");
    expect(first?.report?.findings.length).toBeGreaterThan(30);
    const transitions = first?.report?.transitions ?? [];
    expect(transitions.length).toBe(first?.report?.findings.length);
    expect(transitions.every((t) => t.type === "NEW")).toBe(true);
    expect(printedAlerts(first)).toBeGreaterThanOrEqual(1);
  });

  it("run 2 shows the fix as RESOLVED, the filled subnet as NEW, and pages exactly once", () => {
    const second = demo.runs[1];
    const transitions = second?.report?.transitions ?? [];
    expect(second?.title).toBe(`Run 2 — after: ${FIXED.name} fixed, ${FILLED.name} filled up`);
    expect(transitions.filter((t) => t.type === "RESOLVED").length).toBeGreaterThanOrEqual(1);
    expect(transitions.filter((t) => t.type === "NEW").length).toBeGreaterThanOrEqual(1);
    expect(transitions).toContainEqual(
      expect.objectContaining({
        type: "RESOLVED",
        finding: expect.objectContaining({ ruleId: "ip.subnet-exhausted", resourceId: FIXED.subnetId }),
      }),
    );
    expect(transitions).toContainEqual(
      expect.objectContaining({
        type: "NEW",
        finding: expect.objectContaining({ ruleId: "ip.subnet-exhausted", resourceId: FILLED.subnetId }),
      }),
    );
    expect(printedAlerts(second)).toBe(1);
  });

  it("run 3 shows that nothing changed: no transition, no message", () => {
    const third = demo.runs[2];
    expect(third?.title).toBe("Run 3 — nothing changed");
    expect(third?.report?.transitions).toEqual([]);
    expect(printedAlerts(third)).toBe(0);
  });

  it("prints only a summary that fits on one screen, and says how to see the rest", () => {
    expect(printed).toBe(demo.summary);
    const lines = demo.summary.trimEnd().split("\n");
    expect(lines.length).toBeLessThanOrEqual(40);
    // Its prose fits an 80-column terminal (the indented change rows and alert subjects are kept whole).
    expect(lines.filter((l) => !l.startsWith("    ") && l.length > 80)).toEqual([]);
    expect(demo.summary).not.toMatch(FINDINGS_LISTING);
    expect(demo.summary).toMatch(/^The scans' own output .*: npm run demo -- --full$/m);
  });

  it("summarises run 1 by severity, run 2's changes and its one alert, and the planted failures", () => {
    // Prepare: what the scans themselves reported and printed
    const [first, second] = demo.runs;
    const findings = first?.report?.findings ?? [];
    const count = (severity: string) => findings.filter((f) => f.severity === severity).length;
    const subject = second?.report?.notifications.find((n) => n.result.status === "printed")?.result.subject;

    // Assess
    expect(demo.summary).toMatch(
      new RegExp(
        `^Run 1 — first scan: ${findings.length} findings, ${findings.length} NEW\\.\n {2}By severity: ${count("CRITICAL")} CRITICAL, ${count("HIGH")} HIGH, .*\\.$`,
        "m",
      ),
    );
    expect(demo.summary).toMatch(
      new RegExp(`^Run 2 — ${FIXED.name} fixed, ${FILLED.name} full: 1 NEW, 3 RESOLVED\\.$`, "m"),
    );
    expect(demo.summary).toMatch(
      new RegExp(
        `^ {2}222233334444 / eu-west-1, cluster payments-euw1\\n {4}NEW +CRITICAL +ip.subnet-exhausted +${FILLED.subnetId}$`,
        "m",
      ),
    );
    // One 80-column screen: prose wraps, rows are cut with "…" (the whole rows are in --full).
    for (const line of demo.summary.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80);
    expect(demo.summary).toMatch(/^ {2}1 alert paged/m);
    // The worst change, its cluster, the account and the region (shared/notify/message.ts alertSubject).
    expect(subject).toMatch(
      /^(\[eks-auditor\] )?CRITICAL NEW ip\.subnet-exhausted .*\bpayments-euw1\b.*\b222233334444\b.*\beu-west-1\b/,
    );
    // The summary shows the subject whole, or cut at 80 columns with "…".
    const row = `    ${subject}`;
    expect(demo.summary).toContain(
      `\n${[...row].length <= 80 ? row : `${[...row].slice(0, 79).join("")}…`}\n`,
    );
    expect(demo.transcript).toContain(`Subject: ${subject}`);
    expect(demo.summary).toMatch(/^Run 3 — the same estate again: no change, 0 alerts/m);
    expect(demo.summary).toMatch(/^Planted failures: 4 of 10 account-regions cannot be scanned/m);
    expect(demo.summary.match(/^ {2}\d{12} \/ [a-z0-9-]+ +scan\.[a-z-]+ +\w+$/gm)).toEqual([
      "  222233334444 / us-east-1  scan.error               InternalError",
      "  333344445555 / us-east-1  scan.region-unavailable  UnrecognizedClientException",
      "  444455556666 / eu-west-1  scan.access-denied       AccessDenied",
      "  444455556666 / us-east-1  scan.access-denied       AccessDenied",
    ]);
    expect(demo.summary).toMatch(/^Exit codes: 4, 4, 4\.$/m);
  });

  it("keeps the scans' own output: three headings, the findings listing in run 1, only changes in runs 2 and 3", () => {
    const [, afterFirst = ""] = demo.transcript.split("Run 2 — after:");
    const [second = "", third = ""] = afterFirst.split("Run 3 — nothing changed");
    expect(demo.transcript).toMatch(/^Run 1 — first scan of the organisation$/m);
    expect(demo.transcript).toMatch(FINDINGS_LISTING);
    expect(second).not.toMatch(FINDINGS_LISTING);
    expect(second).toMatch(/^ {2}NEW +CRITICAL /m);
    expect(second).toMatch(/^ {2}RESOLVED +was CRITICAL /m);
    expect(second.match(/^Subject: /gm)).toHaveLength(1);
    expect(third).toMatch(/^No changes since the last scan \(store dynalite:.*\): nothing to page\.$/m);
    expect(third).not.toMatch(/^Subject: /m);
  });

  it("cleans up its store", () => {
    const dir = demo.runs[0]?.report?.store?.replace(/^dynalite:/, "") ?? "";
    expect(dir).toMatch(/eks-audit-demo-/);
    expect(demo.summary).toContain(dir);
    expect(existsSync(dir)).toBe(false);
  });
});
