import { type Command, Option } from "commander";
import { type CommandContext, EXIT_CODES_HELP, storeFlag } from "#shared/cli/common/command.ts";
import type { CliIo } from "#shared/cli/common/io.ts";
import {
  accountOption,
  DEFAULT_STORE_DIR,
  ruleOption,
  type StoreSpec,
  severityOption,
} from "#shared/cli/common/options.ts";
import {
  type OutputFlags,
  outputChoice,
  printFindings,
  withOutputOptions,
} from "#shared/cli/common/output.ts";
import { plural, sortFindings } from "#shared/cli/common/render.ts";
import { openFindingsStore, StoreError } from "#shared/cli/common/store.ts";
import type { RuleId, Severity } from "#shared/findings/index.ts";
import type { FindingQuery } from "#shared/store/index.ts";

export interface FindingsFlags extends OutputFlags {
  status: "open" | "resolved" | "all";
  minSeverity: Severity;
  account?: string;
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
    if (flags.account) query.accountId = flags.account;
    if (flags.rule) query.ruleId = flags.rule;
    const found = sortFindings(await opened.store.reader.queryFindings(query));
    const report = { source: "store" as const, generatedAt: new Date().toISOString(), store: opened.label };
    const open = found.filter((f) => f.status === "OPEN").length;
    const filters = [
      `status ${flags.status}`,
      flags.minSeverity === "INFO" ? undefined : `${flags.minSeverity} and above`,
      flags.account ? `account ${flags.account}` : undefined,
      flags.rule ? `rule ${flags.rule}` : undefined,
    ].filter((s): s is string => s !== undefined);
    const summary = `Summary: ${plural(found.length, "finding")} (${open} open, ${found.length - open} resolved) in ${opened.label}; ${filters.join(", ")}`;
    await printFindings(io, output, found, report, summary);
    return 0;
  } finally {
    await opened.close();
  }
}

export function registerFindingsCommand(program: Command, { io, setExit }: CommandContext): void {
  const command = program
    .command("findings")
    .description("list the findings the store holds, with status, first seen and resolved (indexed queries)")
    .addOption(
      new Option("--status <status>", "open, resolved or all")
        .choices(["open", "resolved", "all"])
        .default("open"),
    )
    .option(
      "--min-severity <severity>",
      "only findings at or above this severity",
      severityOption,
      "INFO" as Severity,
    )
    .option("--account <id>", "only this account", accountOption)
    .option("--rule <id>", "only this rule id, e.g. ip.subnet-exhausted", ruleOption)
    .addOption(storeFlag("the store to read: dynalite:DIR or dynamodb:TABLE"))
    .option("--profile <name>", "AWS shared config profile (for --store dynamodb:TABLE)");
  withOutputOptions(command, {
    description: "output format: table, or one document on stdout (json, csv, ocsf, html)",
    file: true,
  })
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (flags: FindingsFlags) => {
      setExit(await findingsCommand(flags, io));
    });
}
