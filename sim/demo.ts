/**
 * `npm run demo`: three scans of the sample organisation through the same code path as
 * `eks-audit scan --org` (the CLI's `main`), against the loopback simulator, into an embedded DynamoDB
 * (dynalite) in a fresh temporary directory. No AWS account, nothing to install.
 *
 * Run 1 records every finding and pages; between run 1 and run 2 the estate changes in memory (one
 * subnet fixed, another filled up) and run 2 finds only that and pages once; run 3 changes nothing.
 * The demo prints a one-screen summary of that; `--full` adds what the scans printed (findings, emails).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, Help } from "commander";
import { EXIT, type ScanReport } from "#shared/cli/common/command.ts";
import { type CliIo, processIo } from "#shared/cli/common/io.ts";
import { countBySeverity, plural, scopeLabel, transitionCounts } from "#shared/cli/common/render.ts";
import { simulatorSession } from "#shared/cli/common/session.ts";
import { main } from "#shared/cli/main.ts";
import { type Estate, loadEstateFile } from "#shared/estate/index.ts";
import { SEVERITIES } from "#shared/findings/index.ts";
import { compareTransitions, type Transition } from "#shared/store/index.ts";
import { startSimulator } from "./index.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export const SAMPLE_ORG = fileURLToPath(new URL("./estates/sample-org.json", import.meta.url));

const SCOPE = ["--org", "--regions", "eu-west-1,us-east-1"];

/** Between run 1 and run 2: payments-euw1's exhausted batch subnet gets room and its node group recovers… */
export const FIXED = {
  accountId: "222233334444",
  region: "eu-west-1",
  subnetId: "subnet-0b77d8ae74febc74e",
  name: "payments-batch-1a",
  freeIps: 240,
  nodegroup: "batch",
} as const;

/**
 * …while the ledger subnet of the same account-region fills up. Both changes land in one account-region
 * so that they page once, together: a resolved CRITICAL finding would page on its own.
 */
export const FILLED = {
  accountId: "222233334444",
  region: "eu-west-1",
  subnetId: "subnet-00496388e86533d40",
  name: "payments-ledger-1a",
  freeIps: 9,
} as const;

/** The sample estate after the scripted change (a copy; the original is left as it is). */
export function scriptedChange(original: Estate): Estate {
  const estate = structuredClone(original);
  const region = estate.accounts[FIXED.accountId]?.regions[FIXED.region];
  const fixed = region?.ec2.Subnets.find((s) => s.SubnetId === FIXED.subnetId);
  const filled = region?.ec2.Subnets.find((s) => s.SubnetId === FILLED.subnetId);
  const nodegroup = region?.eks.clusters
    .flatMap((c) => c.nodegroups)
    .find((n) => n.nodegroupName === FIXED.nodegroup);
  if (!fixed || !filled || !nodegroup) {
    throw new Error(`sample estate: ${FIXED.subnetId}, ${FILLED.subnetId} or node group batch is missing`);
  }
  fixed.AvailableIpAddressCount = FIXED.freeIps;
  filled.AvailableIpAddressCount = FILLED.freeIps;
  // With room in its subnet the node group launches again: no InsufficientFreeAddresses, no launch failures.
  nodegroup.health = { issues: [] };
  nodegroup.status = "ACTIVE";
  return estate;
}

export interface DemoRun {
  title: string;
  /** The CLI's exit code. */
  code: number;
  report?: ScanReport;
}

export interface DemoOptions {
  /** Print the scans' own output (findings, alert emails) below the summary. */
  full?: boolean;
  /** Passed to every scan (e.g. `--min-severity HIGH`). */
  scanArgs?: readonly string[];
}

export interface DemoResult {
  runs: DemoRun[];
  /** What the demo prints first: one screen. */
  summary: string;
  /** What the three scans printed (stdout and stderr, in order), under their headings. */
  transcript: string;
}

const TITLES = {
  first: "Run 1 — first scan of the organisation",
  second: `Run 2 — after: ${FIXED.name} fixed, ${FILLED.name} filled up`,
  third: "Run 3 — nothing changed",
} as const;

function heading(title: string, lines: readonly string[] = []): string {
  return `\n${title}\n${"═".repeat(title.length)}\n${lines.map((l) => `${l}\n`).join("")}\n`;
}

/** An io that keeps what a scan prints, stdout and stderr interleaved as a terminal would show them. */
function capturingIo(io: CliIo): CliIo & { text(): string } {
  let text = "";
  const keep = (chunk: string) => {
    text += chunk;
  };
  return { ...io, stdout: keep, stderr: keep, stderrIsTTY: false, text: () => text };
}

/**
 * Runs the three scans and prints the summary (and, with `full`, what the scans printed below it).
 * Returns what each scan reported, the summary and the transcript.
 */
export async function runDemo(io: CliIo = processIo(), options: DemoOptions = {}): Promise<DemoResult> {
  const estate = await loadEstateFile(SAMPLE_ORG);
  const sim = await startSimulator({ estate });
  const dir = await mkdtemp(join(tmpdir(), "eks-audit-demo-"));
  const captured = capturingIo(io);
  const runs: DemoRun[] = [];
  const scan = async (title: string, args: readonly string[]) => {
    const session = simulatorSession(sim.url, estate, {}, io.env);
    const run: DemoRun = { title, code: 0 };
    try {
      run.code = await main(
        [
          "scan",
          ...SCOPE,
          "--store",
          `dynalite:${dir}`,
          "--notify",
          "stdout",
          ...args,
          ...(options.scanArgs ?? []),
        ],
        captured,
        {
          session,
          onReport: (report) => {
            run.report = report;
          },
        },
      );
    } finally {
      await session.close();
    }
    runs.push(run);
  };

  try {
    captured.stdout(
      heading(TITLES.first, [
        "Every finding is NEW: the store records it, and each account-region with a HIGH or",
        "CRITICAL finding gets one alert.",
      ]),
    );
    await scan(TITLES.first, []);

    sim.setEstate(scriptedChange(estate));
    captured.stdout(
      heading(TITLES.second, [
        `${FIXED.accountId} ${FIXED.region}: ${FIXED.name} (${FIXED.subnetId}) now has ${FIXED.freeIps} free IPs and node group`,
        `${FIXED.nodegroup} is healthy again; ${FILLED.name} (${FILLED.subnetId}) is down to ${FILLED.freeIps} free IPs.`,
        "Only the changes are printed, and the one message that pages.",
      ]),
    );
    await scan(TITLES.second, ["--changes-only"]);

    captured.stdout(
      heading(TITLES.third, [
        "The same estate again: no change, no message (and the store writes only its scope items).",
      ]),
    );
    await scan(TITLES.third, ["--changes-only"]);
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }

  const summary = demoSummary(runs, dir);
  const transcript = captured.text();
  // A scan that failed otherwise than by design is never summarised away: its own output follows.
  const unexpected = runs.some((r) => !EXPECTED_EXITS.has(r.code) || r.report === undefined);
  io.stdout(summary);
  if (options.full || unexpected) io.stdout(`\nWhat the three scans printed:\n${transcript}`);
  return { runs, summary, transcript };
}

/** The sample plants account-regions that cannot be scanned, so each scan exits 4 (incomplete) by design. */
const EXPECTED_EXITS: ReadonlySet<number> = new Set([EXIT.ok, EXIT.incomplete]);

/** Subjects of the alerts a run printed, by account-region. */
function pagedSubjects(report: ScanReport | undefined): string[] {
  return (report?.notifications ?? [])
    .filter((n) => n.result.status === "printed")
    .sort(
      (a, b) =>
        a.scope.accountId.localeCompare(b.scope.accountId) || a.scope.region.localeCompare(b.scope.region),
    )
    .map((n) => n.result.subject ?? scopeLabel(n.scope));
}

function alertLines(report: ScanReport | undefined): string[] {
  const subjects = pagedSubjects(report);
  if (subjects.length === 0) return ["  No alert."];
  return [
    `  ${subjects.length === 1 ? "1 alert" : `${subjects.length} alerts`} paged (--notify stdout prints the email text):`,
    ...subjects.map((s) => `    ${s}`),
  ];
}

/**
 * Run 2's changes, one line each under their account-region: type, severity, cluster, rule, resource. The scan's
 * own rendering wraps titles and long resources in their columns, which would double the summary's rows;
 * the scans' own output (--full) has them whole.
 */
function changeLines(changes: readonly Transition[]): string[] {
  const severityOf = (t: Transition) =>
    t.type === "RESOLVED"
      ? `was ${t.to}`
      : t.from !== undefined && t.from !== t.to
        ? `${t.from} → ${t.to}`
        : t.to;
  const typeWidth = Math.max(...changes.map((t) => t.type.length));
  const severityWidth = Math.max(...changes.map((t) => severityOf(t).length));
  // One heading per account-region and cluster, so that each row (type, severity, rule, resource) fits 80 columns.
  const where = (t: Transition) => `${scopeLabel(t.finding)}, cluster ${t.finding.cluster}`;
  const headings = [...new Set(changes.map(where))].sort();
  return headings.flatMap((heading) => [
    `  ${heading}`,
    ...changes
      .filter((t) => where(t) === heading)
      .sort(compareTransitions)
      .map((t) => {
        const { ruleId, resourceId, variant } = t.finding;
        const resource = variant ? `${resourceId} (${variant})` : resourceId;
        return `    ${t.type.padEnd(typeWidth)}  ${severityOf(t).padEnd(severityWidth)}  ${ruleId} ${resource}`;
      }),
  ]);
}

const SUMMARY_WIDTH = 80;

/** What the demo did, in one screen: counts by severity, what changed, what paged, what failed by design. */
export function demoSummary(runs: readonly DemoRun[], storeDir: string): string {
  const [first, second, third] = runs;
  const results = first?.report?.results ?? [];
  const accounts = new Set(results.map((r) => r.accountId)).size;
  const lines = [
    "eks-auditor demo: three scans of the sample organisation (sim/estates/sample-org.json) through the " +
      "loopback AWS simulator, with the same code as `eks-audit scan --org --regions eu-west-1,us-east-1` " +
      `against real AWS: ${plural(results.length, "account-region")} of ${plural(accounts, "ACTIVE account")}. ` +
      `Findings and their history go to an embedded DynamoDB (dynalite) in ${storeDir} (removed at the end); ` +
      "alerts print as SNS would send them.",
    "",
  ];
  const runLine = (run: DemoRun | undefined, what: string) =>
    run?.report === undefined ? `${what}: no report (exit ${run?.code ?? "?"}); its output is below.` : what;

  const findings = first?.report?.findings ?? [];
  const counts = countBySeverity(findings);
  const bySeverity = SEVERITIES.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(", ");
  lines.push(
    `${runLine(first, "Run 1 — first scan")}: ${plural(findings.length, "finding")}, ` +
      `${transitionCounts(first?.report?.transitions ?? []) || "no change"}.`,
    `  By severity: ${bySeverity || "none"}.`,
    ...alertLines(first?.report),
    "",
  );

  const changes = second?.report?.transitions ?? [];
  lines.push(
    `${runLine(second, `Run 2 — ${FIXED.name} fixed, ${FILLED.name} full`)}: ${transitionCounts(changes) || "no change"}.`,
    ...changeLines(changes),
    ...alertLines(second?.report),
    "",
  );

  const unchanged = third?.report?.transitions ?? [];
  lines.push(
    `${runLine(third, "Run 3 — the same estate again")}: ${transitionCounts(unchanged) || "no change"}, ` +
      `${plural(pagedSubjects(third?.report).length, "alert")}: paging follows change, not the number of findings.`,
    "",
  );

  const failed = results
    .filter((r) => r.status === "failed")
    .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region));
  lines.push(
    `Planted failures: ${failed.length} of ${plural(results.length, "account-region")} cannot be scanned, so every scan exits 4 ` +
      "(incomplete) by design: a scan never looks healthier than what it saw. Their scan.* finding says why; " +
      "the findings they had stay open, none is resolved.",
    ...failed.map((r) => {
      const rule = r.findings.find((f) => f.ruleId.startsWith("scan."))?.ruleId ?? "scan.*";
      return `  ${scopeLabel(r).padEnd(24)}  ${rule.padEnd(23)}  ${r.error?.name ?? "Error"}`;
    }),
    `Exit codes: ${runs.map((r) => r.code).join(", ")}.`,
    "",
    "The scans' own output (findings, the alerts' email text): npm run demo -- --full",
    "Your accounts: npx eks-audit scan --org --regions all (history in ./.eks-audit)",
  );
  // Prose is wrapped for an 80-column terminal (by commander's wrapper); indented rows are left as they are.
  const help = new Help();
  // Prose wraps; an indented row (an alert subject, a change) stays one line, cut at the edge with "…": the
  // summary fits one 80-column screen, and the scans' own output (--full) has every row whole.
  const fitted = lines.flatMap((l) =>
    l.startsWith("  ") ? [clipRow(l, SUMMARY_WIDTH)] : help.boxWrap(l, SUMMARY_WIDTH).split("\n"),
  );
  return `${fitted.join("\n")}\n`;
}

const invokedAsScript =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedAsScript) {
  const cli = new Command("npm run demo --")
    .description("Three scans of the sample organisation through the loopback AWS simulator.")
    .option("--full", "also print what the three scans printed: findings, the alerts' email text")
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText("after", "\nOther flags go to every scan, e.g. npm run demo -- --full --min-severity HIGH.")
    .parse(process.argv);
  const { runs } = await runDemo(processIo(), {
    full: cli.opts<{ full?: boolean }>().full === true,
    scanArgs: cli.args,
  });
  process.exitCode = runs.find((r) => !EXPECTED_EXITS.has(r.code))?.code ?? 0;
}

function clipRow(row: string, width: number): string {
  return row.length <= width ? row : `${row.slice(0, width - 1)}…`;
}
