import { SingleBar } from "cli-progress";
import pLimit from "p-limit";
import { atLeast, type Finding, type Severity } from "#shared/findings/index.ts";
import type { RegionSelection, ScopePlan } from "#shared/scan/plan.ts";
import { planScopes } from "#shared/scan/plan.ts";
import { runScan } from "#shared/scan/run.ts";
import type { Scope, ScopeResult } from "#shared/scan/scan-scope.ts";
import { processScanTask } from "#shared/scan/scan-task.ts";
import type { AccountRegion, Transition } from "#shared/store/index.ts";
import { type CliNotifier, cliNotifier, renderNotifications, type ScopeNotification } from "./alerts.ts";
import type { CliIo } from "./io.ts";
import { DEFAULT_STORE_DIR, type NotifySpec, type StoreSpec } from "./options.ts";
import {
  plural,
  renderFindingsTable,
  renderTransitions,
  scopeLabel,
  sortFindings,
  summaryLine,
  transitionCounts,
} from "./render.ts";
import { openSession, resolveCliScope, type Session, type SessionFlags } from "./session.ts";
import { type OpenedStore, openFindingsStore } from "./store.ts";

export interface ScanFlags extends SessionFlags {
  regions?: RegionSelection;
  accounts?: string[];
  org?: boolean;
  concurrency: number;
  format: "table" | "json";
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
}

/** What one `scan` did, for callers that run it in-process (the demo, tests). */
export interface ScanReport {
  runId: string;
  results: ScopeResult[];
  /** Findings at or above `--min-severity`, in table order. */
  findings: Finding[];
  /** This run's transitions (all severities); undefined with `--store none`. */
  transitions?: Transition[];
  notifications: ScopeNotification[];
  /** e.g. `dynalite:.eks-audit`. */
  store?: string;
}

export interface ScanContext {
  /** An open session to scan through (the demo's simulator); the caller closes it. */
  session?: Session;
  onReport?: (report: ScanReport) => void;
}

export const EXIT_FINDINGS = 2;

/** A scan flag combination that cannot work; the CLI prints it as one line. */
export class ScanFlagError extends Error {
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

export async function scanCommand(flags: ScanFlags, io: CliIo, context: ScanContext = {}): Promise<number> {
  checkFlags(flags);
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

    const { accountIds, regions } = await resolveCliScope(session, flags);

    let bar: SingleBar | undefined;
    const onPlan = (plan: ScopePlan) => {
      const total = plan.scopes.length + plan.unreachable.length;
      if (io.stderrIsTTY && total > 1) {
        bar = new SingleBar({
          stream: io.stderrStream,
          format: "scanning {bar} {value}/{total} account-regions | {scope}",
          hideCursor: true,
        });
        bar.start(total, 0, { scope: "" });
      }
    };
    const onScope = (r: ScopeResult) => bar?.increment({ scope: `${r.accountId}/${r.region} ${r.status}` });

    const run =
      opened && notifier
        ? await scanIntoStore(session, opened, notifier, { accountIds, regions, flags, onPlan, onScope })
        : {
            results: await runScan(session.factory, {
              accountIds,
              regions,
              concurrency: flags.concurrency,
              recorder: session.recorder,
              onPlan,
              onScope,
            }),
            transitions: undefined,
            failures: [],
          };
    bar?.stop();

    const all = run.results.flatMap((r) => r.findings);
    const shown = sortFindings(all.filter((f) => atLeast(f.severity, flags.minSeverity)));
    const summary = summaryLine(shown, run.results, session.recorder.total(), Date.now() - started);
    // JSON mode: stdout carries exactly one JSON array of findings; everything else is text on stderr.
    const text = flags.format === "json" ? io.stderr : io.stdout;
    if (flags.format === "json") {
      io.stdout(`${JSON.stringify(shown, null, 2)}\n`);
    } else if (!flags.changesOnly) {
      io.stdout(`${renderFindingsTable(shown, io.columns)}\n\n${summary}\n`);
    }
    if (opened && notifier && run.transitions) {
      const changes = renderChanges(run.transitions, flags.minSeverity, opened.label, notifier);
      text(`${flags.format === "json" || flags.changesOnly ? "" : "\n"}${changes}\n`);
    }
    for (const { scope, error } of run.failures) {
      io.stderr(`eks-audit: ${scopeLabel(scope)}: ${describe(error)}\n`);
    }

    context.onReport?.({
      runId: session.runId,
      results: run.results,
      findings: shown,
      ...(run.transitions ? { transitions: run.transitions } : {}),
      notifications: notifier?.notifications() ?? [],
      ...(opened ? { store: opened.label } : {}),
    });
    if (run.failures.length > 0) return 1;
    return flags.failOn && all.some((f: Finding) => atLeast(f.severity, flags.failOn as Severity))
      ? EXIT_FINDINGS
      : 0;
  } finally {
    await opened?.close();
    if (!context.session) await session.close();
  }
}

interface StoreRun {
  results: ScopeResult[];
  transitions: Transition[];
  /** Scopes whose reconcile or notification failed (the store or SNS refused): exit 1. */
  failures: { scope: AccountRegion; error: unknown }[];
}

/**
 * Every scope through `processScanTask`, the scanner Lambda's unit of work: scan, reconcile with the
 * store, notify. An account whose regions could not be listed is handed over as its home-region
 * scope, where the scan fails the same way and records its `scan.*` finding without resolving anything.
 */
async function scanIntoStore(
  session: Session,
  opened: OpenedStore,
  notifier: CliNotifier,
  options: {
    accountIds: string[];
    regions: RegionSelection;
    flags: ScanFlags;
    onPlan: (plan: ScopePlan) => void;
    onScope: (result: ScopeResult) => void;
  },
): Promise<StoreRun> {
  const plan = await planScopes(session.factory, options.accountIds, options.regions);
  options.onPlan(plan);
  const scopes: Scope[] = [...plan.unreachable.map((u) => u.scope), ...plan.scopes];
  const scheduledAt = new Date().toISOString();
  const limit = pLimit(options.flags.concurrency);
  const settled = await Promise.allSettled(
    scopes.map((scope) =>
      limit(async () => {
        const outcome = await processScanTask(
          { runId: session.runId, accountId: scope.accountId, region: scope.region, scheduledAt },
          { factory: session.factory, store: opened.store, notifier, recorder: session.recorder },
        );
        options.onScope(outcome.result);
        return outcome;
      }),
    ),
  );
  const run: StoreRun = { results: [], transitions: [], failures: [] };
  for (const [i, s] of settled.entries()) {
    if (s.status === "fulfilled") {
      run.results.push(s.value.result);
      run.transitions.push(...s.value.transitions);
    } else {
      const scope = scopes[i];
      if (scope) run.failures.push({ scope, error: s.reason });
    }
  }
  return run;
}

/** The changes section: transitions by account-region, a counts line, then the alerts. */
function renderChanges(
  transitions: readonly Transition[],
  minSeverity: Severity,
  store: string,
  notifier: CliNotifier,
): string {
  const shown = transitions.filter((t) => atLeast(t.to, minSeverity));
  const alerts = renderNotifications(notifier, transitions.length);
  if (shown.length === 0) {
    const hidden = transitions.length - shown.length;
    const head =
      hidden > 0
        ? `No changes at or above ${minSeverity} since the last scan (${plural(hidden, "change")} below it; store ${store}).`
        : `No changes since the last scan (store ${store}): nothing to page.`;
    return alerts ? `${head}\n\n${alerts}` : head;
  }
  const scopes = new Set(shown.map((t) => scopeLabel(t.finding))).size;
  const parts = [
    "Changes since the last scan:",
    "",
    renderTransitions(shown),
    "",
    `Changes: ${transitionCounts(shown)} in ${plural(scopes, "account-region")} (store ${store}).`,
  ];
  if (alerts) parts.push("", alerts);
  return parts.join("\n");
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name === "Error" ? "" : `${err.name}: `}${err.message}`;
  return String(err);
}
