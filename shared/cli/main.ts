import { Command, CommanderError, Option } from "commander";
import { EstateValidationError } from "#shared/estate/index.ts";
import type { RuleId, Severity } from "#shared/findings/index.ts";
import type { RegionSelection } from "#shared/scan/plan.ts";
import { registerRulesCommand } from "./commands/rules.ts";
import { findingsCommand } from "./findings-command.ts";
import { type CliIo, processIo } from "./io.ts";
import { ipCostCommand } from "./ip-cost-command.ts";
import { lbSubnetsCommand } from "./lb-subnets-command.ts";
import {
  accountOption,
  accountsOption,
  collect,
  DEFAULT_STORE,
  type NotifySpec,
  nonNegativeIntOption,
  notifyOption,
  positiveIntOption,
  regionOption,
  regionsOption,
  ruleOption,
  type StoreSpec,
  severityOption,
  storeOption,
  urlOption,
} from "./options.ts";
import { type ScanContext, ScanFlagError, scanCommand } from "./scan-command.ts";
import { NoCredentialsError } from "./session.ts";
import { snapshotCommand } from "./snapshot-command.ts";
import { StoreError } from "./store.ts";

/** In-process callers (the demo, tests) may scan through an open session and read the report. */
export type CliContext = ScanContext;

const VERSION = "0.1.0";

interface CommonFlags {
  profile?: string;
  roleName?: string;
  endpointUrl?: string;
  estate?: string;
}

function withAwsOptions(cmd: Command): Command {
  return cmd
    .option("--profile <name>", "AWS shared config profile for the caller's credentials")
    .option("--role-name <name>", "member role assumed in other accounts", "EksAuditorReadRole")
    .option("--endpoint-url <url>", "send every AWS call to this endpoint (e.g. the simulator)", urlOption)
    .option(
      "--estate <file>",
      "start the loopback simulator on this estate file and scan it (no AWS account needed)",
    );
}

function withScopeOptions(cmd: Command): Command {
  return cmd
    .option(
      "--regions <list>",
      'regions to scan: "eu-west-1,us-east-1" or "all" (each account\'s enabled regions)',
      regionsOption,
    )
    .addOption(
      new Option("--accounts <ids>", "accounts to scan, comma-separated")
        .argParser(accountsOption)
        .conflicts("org"),
    )
    .option("--org", "scan every ACTIVE account of the organisation (Organizations ListAccounts)");
}

function storeFlag(description: string): Option {
  return new Option("--store <spec>", description)
    .argParser(storeOption)
    .default(storeOption(DEFAULT_STORE), DEFAULT_STORE);
}

const SCAN_HELP = `
Store and alerts:
  With a store (default: an embedded dynalite under ./.eks-audit, nothing to install), each
  account-region is reconciled with the findings of the last scan. After the findings, scan prints
  this run's changes (NEW, REOPENED, ESCALATED, RESOLVED by account-region), a counts line, and the
  alerts: one per account-region with a change at or above --alert-severity (a RESOLVED finding counts
  at the severity it had). --store none scans without history: findings only.
    --store dynalite:DIR      embedded DynamoDB (dynalite) persisted in DIR, created when missing
    --store dynamodb:TABLE    a DynamoDB table (name or ARN) with the caller's credentials (--profile)
    --notify stdout           print each alert's subject and email text (default with a store)
    --notify sns:TOPIC_ARN    publish to the topic (region from the ARN); pages once per change
    --notify none             no alerts; changes stay unsent in the store

JSON mode (--format json): stdout carries exactly one JSON array of findings, with or without a
store; the changes and the alerts go to stderr as text.
`;

function buildProgram(io: CliIo, setExit: (code: number) => void, context: CliContext): Command {
  const program = new Command("eks-audit")
    .description(
      "Audit EKS clusters across AWS accounts for load-balancer subnet, IP headroom, security-group and node readiness problems.",
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  withScopeOptions(
    withAwsOptions(
      program
        .command("scan")
        .description("scan accounts and regions, print the findings and what changed since the last scan"),
    ),
  )
    .option("--concurrency <n>", "account-regions scanned at once", positiveIntOption, 8)
    .addOption(
      new Option(
        "--format <format>",
        "output format (json: stdout is one array of findings, the rest goes to stderr)",
      )
        .choices(["table", "json"])
        .default("table"),
    )
    .option(
      "--min-severity <severity>",
      "hide findings (and changes) below this severity",
      severityOption,
      "INFO" as Severity,
    )
    .option("--fail-on <severity>", "exit 2 when a finding at or above this severity exists", severityOption)
    .addOption(storeFlag("where findings and their history live: dynalite:DIR, dynamodb:TABLE or none"))
    .addOption(
      new Option(
        "--notify <target>",
        "where alerts go: stdout, sns:TOPIC_ARN or none (default: stdout with a store)",
      ).argParser(notifyOption),
    )
    .option(
      "--alert-severity <severity>",
      "changes at or above this severity page (default HIGH)",
      severityOption,
    )
    .option("--changes-only", "table mode: print only this run's changes and alerts, not the findings")
    .addHelpText("after", SCAN_HELP)
    .action(
      async (
        flags: CommonFlags & {
          regions?: RegionSelection;
          accounts?: string[];
          org?: boolean;
          concurrency: number;
          format: "table" | "json";
          minSeverity: Severity;
          failOn?: Severity;
          store: StoreSpec;
          notify?: NotifySpec;
          alertSeverity?: Severity;
          changesOnly?: boolean;
        },
      ) => {
        setExit(await scanCommand(flags, io, context));
      },
    );

  program
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
    .addOption(
      new Option("--format <format>", "output format (json: one array)")
        .choices(["table", "json"])
        .default("table"),
    )
    .addOption(storeFlag("the store to read: dynalite:DIR or dynamodb:TABLE"))
    .option("--profile <name>", "AWS shared config profile (for --store dynamodb:TABLE)")
    .action(
      async (flags: {
        status: "open" | "resolved" | "all";
        minSeverity: Severity;
        account?: string;
        rule?: RuleId;
        format: "table" | "json";
        store: StoreSpec;
        profile?: string;
      }) => {
        setExit(await findingsCommand(flags, io));
      },
    );

  withScopeOptions(
    withAwsOptions(
      program
        .command("snapshot")
        .description("record the scanned scopes into an estate file (user data removed)"),
    ),
  )
    .requiredOption("--out <file>", "estate file to write")
    .action(
      async (
        flags: CommonFlags & { out: string; regions?: RegionSelection; accounts?: string[]; org?: boolean },
      ) => {
        setExit(await snapshotCommand(flags, io));
      },
    );

  withAwsOptions(
    program
      .command("lb-subnets")
      .description("why can't my Service get a load balancer? Replays the controller's subnet discovery"),
  )
    .requiredOption("--cluster <name>", "EKS cluster name")
    .option("--account <id>", "account of the cluster (default: the caller's)", accountOption)
    .option("--region <region>", "region of the cluster (default: the current region)", regionOption)
    .addOption(
      new Option("--scheme <scheme>", "load balancer scheme (default: the controller's own default)").choices(
        ["internal", "internet-facing"],
      ),
    )
    .addOption(new Option("--type <type>", "load balancer type").choices(["alb", "nlb"]))
    .addOption(
      new Option("--controller <controller>", "lbc: AWS Load Balancer Controller; legacy: cloud-provider-aws")
        .choices(["lbc", "legacy"])
        .default("lbc"),
    )
    .addOption(new Option("--format <format>", "output format").choices(["table", "json"]).default("table"))
    .action(async (flags) => {
      setExit(await lbSubnetsCommand(flags, io));
    });

  program
    .command("ip-cost")
    .description(
      "what one node of an instance type takes from its subnet under the VPC CNI, with the formula (offline)",
    )
    .requiredOption("--instance-type <type>", "EC2 instance type, e.g. m5.large")
    .option("--pods <n>", "IP-consuming pods on the node (default 1: the launch cost)", nonNegativeIntOption)
    .option("--max-pods <n>", "kubelet maxPods (default: the eni-max-pods value)", positiveIntOption)
    .option(
      "--cni <KEY=VALUE>",
      "vpc-cni env setting, repeatable (WARM_IP_TARGET=2, ENABLE_PREFIX_DELEGATION=true, …)",
      collect,
      [],
    )
    .addOption(new Option("--format <format>", "output format").choices(["table", "json"]).default("table"))
    .action((flags) => {
      setExit(ipCostCommand(flags, io));
    });

  registerRulesCommand(program, io, setExit);

  return program;
}

/** Runs the CLI in-process and returns the exit code: 0 ok, 1 error, 2 findings at or above --fail-on. */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  context: CliContext = {},
): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(
    io,
    (code) => {
      exitCode = code;
    },
    context,
  );
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its one-line message (help and --version exit 0).
      return err.exitCode === 0 ? 0 : 1;
    }
    io.stderr(`eks-audit: ${describeError(err)}\n`);
    return 1;
  }
}

function describeError(err: unknown): string {
  if (err instanceof NoCredentialsError) return err.message;
  if (err instanceof EstateValidationError) return err.message;
  if (err instanceof StoreError || err instanceof ScanFlagError) return err.message;
  if (err instanceof Error) return `${err.name === "Error" ? "" : `${err.name}: `}${err.message}`;
  return String(err);
}
