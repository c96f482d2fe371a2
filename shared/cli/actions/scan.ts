import { SingleBar } from "cli-progress";
import { ruleById } from "#shared/catalog/index.ts";
import { type CliNotifier, cliNotifier, renderNotifications } from "#shared/cli/common/alerts.ts";
import { EXIT, type ScanContext } from "#shared/cli/common/command.ts";
import { debugReport, errorLine } from "#shared/cli/common/errors.ts";
import type { CliIo } from "#shared/cli/common/io.ts";
import { DEFAULT_STORE_DIR, FlagError, type NotifySpec, type StoreSpec } from "#shared/cli/common/options.ts";
import { type OutputFlags, outputChoice, printFindings } from "#shared/cli/common/output.ts";
import {
  fitLines,
  plural,
  type ReportedFinding,
  renderTransitions,
  scopeLabel,
  sortFindings,
  summaryLine,
  type TextLayout,
  transitionCounts,
} from "#shared/cli/common/render.ts";
import { openSession, resolveCliScope, type Session, type SessionFlags } from "#shared/cli/common/session.ts";
import { type OpenedStore, openFindingsStore } from "#shared/cli/common/store.ts";
import { renderSuppressed, reopenedWithoutFile } from "#shared/cli/common/suppressed.ts";
import { atLeast, type RuleId, type Severity } from "#shared/findings/index.ts";
import { asffOfScan } from "#shared/notify/securityhub/index.ts";
import type { FindingsFormat } from "#shared/report/index.ts";
import { closeStaleCoverage } from "#shared/scan/coverage.ts";
import type { RegionSelection } from "#shared/scan/plan.ts";
import { planScopes, tasksOfPlan } from "#shared/scan/plan.ts";
import { runScanTasks, type TaskSettlement } from "#shared/scan/run.ts";
import type { ScopeResult } from "#shared/scan/scan-scope.ts";
import type { AccountRegion, FindingsStore, Transition } from "#shared/store/index.ts";
import { type SuppressedFinding, SuppressionMatcher } from "#shared/suppress/match.ts";
import { loadSuppressionsFile } from "#shared/suppress/parse.ts";
import { SuppressionFileError } from "#shared/suppress/types.ts";

export interface ScanFlags extends SessionFlags, OutputFlags {
  regions?: RegionSelection;
  accounts?: string[];
  org?: boolean;
  concurrency: number;
  minSeverity: Severity;
  failOn?: Severity;
  /** Default: the embedded dynalite under `.eks-audit/` (see `DEFAULT_STORE`). */
  store?: StoreSpec;
  /** Default: `stdout` with a store, nothing without one. */
  notify?: NotifySpec;
  /** Threshold of the alerts (default HIGH). */
  alertSeverity?: Severity;
  /** Table mode: print only this run's changes and alerts, not the findings. */
  changesOnly?: boolean;
  /** A suppressions file (YAML): accepted risks, stored SUPPRESSED and never paged. */
  suppressions?: string;
  /** Cluster tag keys naming the owning team (the alerts' `team` attribute); default `team`, `owner`. */
  teamTags?: string[];
  /** `--debug` (a program option): the whole error of each account-region whose store or notifier failed. */
  debug?: boolean;
}

export type { ScanContext, ScanReport } from "#shared/cli/common/command.ts";

/** A scan flag combination that cannot work; the CLI prints it as one line. */
export class ScanFlagError extends FlagError {
  override readonly name = "ScanFlagError";
}

function checkFlags(flags: ScanFlags): void {
  if (flags.store?.kind !== "none") return;
  if (flags.notify && flags.notify.kind !== "none") {
    throw new ScanFlagError(
      "--notify: alerts are about changes, which come from the store; drop --store none or use --notify none.",
    );
  }
  if (flags.changesOnly) {
    throw new ScanFlagError("--changes-only: changes come from the store; drop --store none.");
  }
}

/** What the run did, folded as each task settles. */
interface RunTally {
  results: ScopeResult[];
  transitions: Transition[];
  /** Findings an accepted risk covers: not shown, not paged, not counted by --fail-on. */
  suppressed: SuppressedFinding[];
  /** Scopes whose reconcile or notification failed (the store or SNS refused). */
  failures: { scope: AccountRegion; error: unknown }[];
}

/** Reads and validates `--suppressions` before anything is scanned or stored; a bad file is one error naming each line. */
async function loadSuppressions(file: string | undefined): Promise<SuppressionMatcher | undefined> {
  if (file === undefined) return undefined;
  try {
    return new SuppressionMatcher(await loadSuppressionsFile(file));
  } catch (err) {
    if (err instanceof SuppressionFileError) throw new ScanFlagError(`--suppressions ${err.message}`);
    throw err;
  }
}

export async function scanCommand(flags: ScanFlags, io: CliIo, context: ScanContext = {}): Promise<number> {
  checkFlags(flags);
  const suppressions = await loadSuppressions(flags.suppressions);
  // A format, colour and --output-file that cannot work are refused before anything is scanned.
  const output = outputChoice(flags, io);
  const started = Date.now();
  const session = context.session ?? (await openSession(flags, io.env));
  let opened: OpenedStore | undefined;
  try {
    const storeSpec: StoreSpec = flags.store ?? { kind: "dynalite", dir: DEFAULT_STORE_DIR };
    if (storeSpec.kind !== "none") {
      opened = await openFindingsStore(storeSpec, {
        create: true,
        ...(flags.profile ? { profile: flags.profile } : {}),
      });
    }
    const notifier = opened
      ? await cliNotifier(flags.notify ?? { kind: "stdout" }, {
          store: opened.store,
          session,
          ...(flags.alertSeverity ? { minSeverity: flags.alertSeverity } : {}),
        })
      : undefined;

    const { accountIds, regions, accountNames } = await resolveCliScope(session, flags);
    const plan = await planScopes(session.factory, accountIds, regions, { accountNames });
    const scheduledAt = new Date().toISOString();
    const tasks = tasksOfPlan(plan, { runId: session.runId, scheduledAt });

    const bar =
      io.stderrIsTTY && tasks.length > 1
        ? new SingleBar({
            stream: io.stderrStream,
            format: "scanning {bar} {value}/{total} account-regions | {scope}",
            hideCursor: true,
          })
        : undefined;
    bar?.start(tasks.length, 0, { scope: "" });
    const tally: RunTally = { results: [], transitions: [], suppressed: [], failures: [] };
    await runScanTasks(
      tasks,
      {
        factory: session.factory,
        recorder: session.recorder,
        ...(opened ? { store: opened.store } : {}),
        ...(notifier ? { notifier } : {}),
        ...(suppressions ? { suppressions } : {}),
        ...(flags.teamTags ? { teamTagKeys: flags.teamTags } : {}),
        // An estate's capture time: its subnet samples are recorded then, so a series of snapshots replays a history.
        ...(session.estate?.capturedAt ? { observedAt: session.estate.capturedAt } : {}),
      },
      {
        concurrency: flags.concurrency,
        onSettled: (settled: TaskSettlement) => {
          const { task } = settled;
          if (settled.outcome !== undefined) {
            tally.results.push(settled.outcome.result);
            tally.transitions.push(...(settled.outcome.transitions ?? []));
            tally.suppressed.push(...settled.outcome.suppressed);
          } else {
            tally.failures.push({ scope: task, error: settled.error });
          }
          bar?.increment({
            scope: `${task.accountId}/${task.region} ${settled.outcome?.result.status ?? "error"}`,
          });
        },
      },
    );
    bar?.stop();

    // `--org --regions all` is the organisation's complete plan: coverage findings of scopes it no longer
    // includes (an account that left, a disabled region) are resolved. A narrower scan closes nothing.
    if (opened && flags.org && regions.kind === "all") {
      tally.transitions.push(
        ...(await closeStaleCoverage(
          plan,
          opened.store,
          { runId: session.runId, at: scheduledAt },
          notifier,
        )),
      );
    }

    const failedScopes = tally.results.filter((r) => r.status === "failed");
    const carried = opened ? await carriedOver(opened.store, failedScopes) : [];
    const accepted = new Set(tally.suppressed.map((s) => s.finding));
    const produced = tally.results.flatMap((r) => r.findings).filter((f) => !accepted.has(f));
    const all: ReportedFinding[] = [...produced, ...carried];
    const shown = sortFindings(all.filter((f) => atLeast(f.severity, flags.minSeverity)));
    const summary = summaryLine(shown, tally.results, session.recorder.total(), Date.now() - started);
    const layout: TextLayout = { width: io.columns, color: output.color };
    const report = {
      source: "scan" as const,
      generatedAt: scheduledAt,
      runId: session.runId,
      ...(opened ? { store: opened.label } : {}),
    };
    // --format asff: the same mapping as the Security Hub import, for the caller's own account and product.
    const asff = output.format === "asff" ? await asffFormat(session, flags, scheduledAt) : undefined;
    const printed = await printFindings(
      io,
      output,
      shown,
      report,
      flags.changesOnly ? undefined : summary,
      asff,
    );
    const text = printed.text;

    const reachedNothing =
      tasks.length > 0 && failedScopes.length === tally.results.length && tally.results.length > 0;
    if (reachedNothing && notifier?.notifyUnreachedRun) {
      await notifier.notifyUnreachedRun({
        runId: session.runId,
        scopes: tasks.length,
        byRule: countByRule(failedScopes),
        examples: failedScopes
          .slice(0, 5)
          .map((r) => `${r.accountId}/${r.region}: ${r.error?.name ?? "Error"}`),
      });
    }
    if (opened && notifier) {
      const changes = renderChanges(tally.transitions, flags.minSeverity, opened.label, notifier, layout);
      text(`${printed.documentOnStdout || flags.changesOnly ? "" : "\n"}${changes}\n`);
    }
    const ended = reopenedWithoutFile(tally.transitions, flags.suppressions);
    if (ended) io.stderr(`${ended}\n`);
    if (suppressions) {
      const listAtLeast = printed.documentOnStdout || flags.changesOnly ? undefined : flags.minSeverity;
      const report = renderSuppressed(suppressions, tally.suppressed, Date.now(), {
        stored: opened !== undefined,
        ...(listAtLeast ? { listAtLeast } : {}),
      });
      text(`${report}\n`);
    }
    for (const { scope, error } of tally.failures) {
      io.stderr(`${fitLines(`eks-audit: ${scopeLabel(scope)}: ${errorLine(error)}`, io.columns)}\n`);
      if (flags.debug) io.stderr(`${debugReport(error, io.env)}\n`);
    }
    if (failedScopes.length > 0)
      io.stderr(
        `${fitLines(incompleteLine(failedScopes, tally.results.length, carried.length), io.columns)}\n`,
      );

    context.onReport?.({
      runId: session.runId,
      results: tally.results,
      findings: shown,
      ...(opened ? { transitions: tally.transitions } : {}),
      notifications: notifier?.notifications() ?? [],
      ...(opened ? { store: opened.label } : {}),
    });
    if (tally.failures.length > 0 || reachedNothing) return EXIT.error;
    // The gate wins over "incomplete": a CI job that tolerates exit 4 must still stop on a carried-over CRITICAL.
    if (flags.failOn && all.some((f) => atLeast(f.severity, flags.failOn as Severity))) return EXIT.findings;
    return failedScopes.length > 0 ? EXIT.incomplete : EXIT.ok;
  } finally {
    await opened?.close();
    if (!context.session) await session.close();
  }
}

/**
 * Findings the store still holds open for account-regions whose scan failed this run: shown, gated by
 * `--fail-on` and written to JSON, marked `carriedOver` with the last complete scan that confirmed them.
 * The failed scope's own scan.* finding comes from this run, not from the store.
 */
async function carriedOver(store: FindingsStore, failed: readonly ScopeResult[]): Promise<ReportedFinding[]> {
  const out: ReportedFinding[] = [];
  for (const scope of failed) {
    const fresh = new Set(scope.findings.map((f) => `${f.ruleId}#${f.resourceId}#${f.variant ?? ""}`));
    const [stored, status] = await Promise.all([
      store.reader.queryFindings({ accountId: scope.accountId, status: "open" }),
      store.reader.getScope(scope.accountId, scope.region),
    ]);
    for (const f of stored) {
      if (f.region !== scope.region || fresh.has(`${f.ruleId}#${f.resourceId}#${f.variant ?? ""}`)) continue;
      const {
        status: _status,
        firstSeen: _f,
        lastChangedAt,
        resolvedAt: _r,
        reopenedAt: _o,
        evidenceTruncated: _t,
        version: _v,
        ...finding
      } = f;
      out.push({
        ...finding,
        carriedOver: true,
        lastConfirmedAt: status?.lastCompleteScanAt ?? lastChangedAt,
      });
    }
  }
  return out;
}

function countByRule(results: readonly ScopeResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) for (const f of r.findings) out[f.ruleId] = (out[f.ruleId] ?? 0) + 1;
  return out;
}

/** `eks-audit: 2 of 7 account-regions could not be scanned (…); 5 findings carried over from the store.` */
function incompleteLine(failed: readonly ScopeResult[], total: number, carried: number): string {
  const names = failed
    .slice(0, 5)
    .map((r) => `${r.accountId}/${r.region} ${r.error?.name ?? "Error"}`)
    .join(", ");
  const more = failed.length > 5 ? `, +${failed.length - 5} more` : "";
  const verdict =
    failed.length === total
      ? `no account-region could be scanned (${names}${more})`
      : `${failed.length} of ${total} account-regions could not be scanned (${names}${more})`;
  const kept = carried > 0 ? `; ${plural(carried, "finding")} carried over from the store` : "";
  return `eks-audit: ${verdict}${kept}.`;
}

/** The changes section: transitions by account-region, a counts line, then the alerts. */
function renderChanges(
  transitions: readonly Transition[],
  minSeverity: Severity,
  store: string,
  notifier: CliNotifier,
  layout: TextLayout,
): string {
  const shown = transitions.filter((t) => atLeast(t.to, minSeverity));
  const alerts = renderNotifications(notifier, transitions.length);
  if (shown.length === 0) {
    const hidden = transitions.length - shown.length;
    const head =
      hidden > 0
        ? `No changes at or above ${minSeverity} since the last scan (${plural(hidden, "change")} below it; store ${store}).`
        : `No changes since the last scan (store ${store}): nothing to page.`;
    return fitLines(alerts ? `${head}\n\n${alerts}` : head, layout.width);
  }
  const scopes = new Set(shown.map((t) => scopeLabel(t.finding))).size;
  const parts = [
    "Changes since the last scan:",
    "",
    renderTransitions(shown, layout),
    "",
    fitLines(
      `Changes: ${transitionCounts(shown)} in ${plural(scopes, "account-region")} (store ${store}).`,
      layout.width,
    ),
  ];
  if (alerts) parts.push("", fitLines(alerts, layout.width));
  return parts.join("\n");
}

/** `--format asff` as one more findings format: the caller's account, partition and Security Hub region. */
async function asffFormat(session: Session, flags: ScanFlags, at: string): Promise<FindingsFormat> {
  const caller = await session.factory.callerIdentity();
  const region = flags.notify?.kind === "securityhub" ? flags.notify.region : undefined;
  const target = {
    accountId: caller.accountId,
    partition: session.factory.partition,
    region: region ?? session.factory.homeRegion,
    ruleLink: (id: string) => ruleById(id as RuleId)?.link,
  };
  return {
    name: "asff",
    description: "one JSON array in the AWS Security Finding Format",
    document: true,
    render: (findings) => JSON.stringify(asffOfScan(findings, target, at), null, 2),
  };
}
