import { SingleBar } from "cli-progress";
import { atLeast, type Finding, type Severity } from "../findings/index.ts";
import type { AccountSelection, RegionSelection } from "../scan/plan.ts";
import { resolveAccounts } from "../scan/plan.ts";
import { runScan } from "../scan/run.ts";
import type { ScopeResult } from "../scan/scan-scope.ts";
import type { CliIo } from "./io.ts";
import { renderFindingsTable, sortFindings, summaryLine } from "./render.ts";
import { openSession, type SessionFlags } from "./session.ts";

export interface ScanFlags extends SessionFlags {
  regions?: RegionSelection;
  accounts?: string[];
  org?: boolean;
  concurrency: number;
  format: "table" | "json";
  minSeverity: Severity;
  failOn?: Severity;
}

export const EXIT_FINDINGS = 2;

export async function scanCommand(flags: ScanFlags, io: CliIo): Promise<number> {
  const started = Date.now();
  const session = await openSession(flags, io.env);
  try {
    const selection: AccountSelection = flags.org
      ? { kind: "org" }
      : flags.accounts
        ? { kind: "list", accountIds: flags.accounts }
        : { kind: "caller" };
    const accountIds = await resolveAccounts(session.factory, selection);
    const regions: RegionSelection = flags.regions ?? {
      kind: "list",
      regions: [await session.defaultRegion()],
    };
    let bar: SingleBar | undefined;
    const results: ScopeResult[] = await runScan(session.factory, {
      accountIds,
      regions,
      concurrency: flags.concurrency,
      recorder: session.recorder,
      onPlan: (plan) => {
        const total = plan.scopes.length + plan.unreachable.length;
        if (io.stderrIsTTY && total > 1) {
          bar = new SingleBar({
            stream: io.stderrStream,
            format: "scanning {bar} {value}/{total} account-regions | {scope}",
            hideCursor: true,
          });
          bar.start(total, 0, { scope: "" });
        }
      },
      onScope: (r) => bar?.increment({ scope: `${r.accountId}/${r.region} ${r.status}` }),
    });
    bar?.stop();
    const all = results.flatMap((r) => r.findings);
    const shown = sortFindings(all.filter((f) => atLeast(f.severity, flags.minSeverity)));
    if (flags.format === "json") {
      io.stdout(`${JSON.stringify(shown, null, 2)}\n`);
    } else {
      io.stdout(`${renderFindingsTable(shown, io.columns)}\n\n`);
      io.stdout(`${summaryLine(shown, results, session.recorder.total(), Date.now() - started)}\n`);
    }
    return flags.failOn && all.some((f: Finding) => atLeast(f.severity, flags.failOn as Severity))
      ? EXIT_FINDINGS
      : 0;
  } finally {
    await session.close();
  }
}
