import { Command, CommanderError, Option } from "commander";
import { EstateValidationError } from "../estate/index.ts";
import type { Severity } from "../findings/index.ts";
import type { RegionSelection } from "../scan/plan.ts";
import { type CliIo, processIo } from "./io.ts";
import { ipCostCommand } from "./ip-cost-command.ts";
import { lbSubnetsCommand } from "./lb-subnets-command.ts";
import {
  accountOption,
  accountsOption,
  collect,
  nonNegativeIntOption,
  positiveIntOption,
  regionOption,
  regionsOption,
  severityOption,
  urlOption,
} from "./options.ts";
import { scanCommand } from "./scan-command.ts";
import { NoCredentialsError } from "./session.ts";
import { snapshotCommand } from "./snapshot-command.ts";

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

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command("eks-audit")
    .description(
      "Audit EKS clusters across AWS accounts for load-balancer subnet, IP headroom, security-group and node readiness problems.",
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  withScopeOptions(
    withAwsOptions(program.command("scan").description("scan accounts and regions and print the findings")),
  )
    .option("--concurrency <n>", "account-regions scanned at once", positiveIntOption, 8)
    .addOption(new Option("--format <format>", "output format").choices(["table", "json"]).default("table"))
    .option(
      "--min-severity <severity>",
      "hide findings below this severity",
      severityOption,
      "INFO" as Severity,
    )
    .option("--fail-on <severity>", "exit 2 when a finding at or above this severity exists", severityOption)
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
        },
      ) => {
        setExit(await scanCommand(flags, io));
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

  return program;
}

/** Runs the CLI in-process and returns the exit code: 0 ok, 1 error, 2 findings at or above --fail-on. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
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
  if (err instanceof Error) return `${err.name === "Error" ? "" : `${err.name}: `}${err.message}`;
  return String(err);
}
