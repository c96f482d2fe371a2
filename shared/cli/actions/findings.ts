import type { CliIo } from "#shared/cli/common/io.ts";
import { DEFAULT_STORE_DIR, type StoreSpec } from "#shared/cli/common/options.ts";
import { type OutputFlags, outputChoice, printFindings } from "#shared/cli/common/output.ts";
import { plural, sortFindings } from "#shared/cli/common/render.ts";
import { openFindingsStore, StoreError } from "#shared/cli/common/store.ts";
import type { RuleId, Severity } from "#shared/findings/index.ts";
import type { RegionSelection } from "#shared/scan/plan.ts";
import type { FindingQuery } from "#shared/store/index.ts";

export interface FindingsFlags extends OutputFlags {
  status: "open" | "resolved" | "suppressed" | "all";
  minSeverity: Severity;
  /** `--account`/`--accounts`: only these accounts (one indexed query each). */
  accounts?: string[];
  /** `--region`/`--regions`: only these regions ("all": every region). */
  regions?: RegionSelection;
  rule?: RuleId;
  store?: StoreSpec;
  profile?: string;
}

/** `eks-audit findings`: what the store holds, through its indexes (never a Scan). */
export async function findingsCommand(flags: FindingsFlags, io: CliIo): Promise<number> {
  const spec = flags.store ?? { kind: "dynalite", dir: DEFAULT_STORE_DIR };
  if (spec.kind === "none") {
    throw new StoreError("--store: findings reads a store; pass dynalite:DIR or dynamodb:TABLE.");
  }
  const output = outputChoice(flags, io);
  const opened = await openFindingsStore(spec, {
    create: false,
    ...(flags.profile ? { profile: flags.profile } : {}),
  });
  try {
    const query: FindingQuery = { minSeverity: flags.minSeverity };
    if (flags.status !== "all") query.status = flags.status;
    if (flags.rule) query.ruleId = flags.rule;
    const perAccount = await Promise.all(
      (flags.accounts ?? [undefined]).map((accountId) =>
        opened.store.reader.queryFindings(accountId ? { ...query, accountId } : query),
      ),
    );
    // The store indexes no region: a region filter applies to what the account or rule query returned.
    const regions = flags.regions?.kind === "list" ? new Set(flags.regions.regions) : undefined;
    const found = sortFindings(perAccount.flat().filter((f) => regions?.has(f.region) ?? true));
    const report = { source: "store" as const, generatedAt: new Date().toISOString(), store: opened.label };
    const byStatus = (status: string) => found.filter((f) => f.status === status).length;
    const filters = [
      `status ${flags.status}`,
      flags.minSeverity === "INFO" ? undefined : `${flags.minSeverity} and above`,
      flags.accounts
        ? `${flags.accounts.length === 1 ? "account" : "accounts"} ${flags.accounts.join(", ")}`
        : undefined,
      regions ? `${regions.size === 1 ? "region" : "regions"} ${[...regions].join(", ")}` : undefined,
      flags.rule ? `rule ${flags.rule}` : undefined,
    ].filter((s): s is string => s !== undefined);
    const suppressed = byStatus("SUPPRESSED");
    const counts = `${byStatus("OPEN")} open, ${byStatus("RESOLVED")} resolved${suppressed > 0 || flags.status === "suppressed" ? `, ${suppressed} suppressed` : ""}`;
    const summary = `Summary: ${plural(found.length, "finding")} (${counts}) in ${opened.label}; ${filters.join(", ")}`;
    const printed = await printFindings(io, output, found, report, summary);
    for (const f of found.filter((f) => f.suppression !== undefined && f.status === "SUPPRESSED")) {
      const until = f.suppression?.expires ? ` until ${f.suppression.expires}` : "";
      const owner = f.suppression?.owner ? `, owner ${f.suppression.owner}` : "";
      printed.text(
        `  suppressed${until}: ${f.ruleId} ${f.resourceId} (${f.cluster}${owner}): ${f.suppression?.reason}\n`,
      );
    }
    return 0;
  } finally {
    await opened.close();
  }
}
