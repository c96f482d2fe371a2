import { Command, CommanderError } from "commander";
import { registerFindingsCommand } from "#shared/cli/commands/findings.ts";
import { registerIpCostCommand } from "#shared/cli/commands/ip-cost.ts";
import { registerLbSubnetsCommand } from "#shared/cli/commands/lb-subnets.ts";
import { registerRulesCommand } from "#shared/cli/commands/rules.ts";
import { registerScanCommand, ScanFlagError } from "#shared/cli/commands/scan.ts";
import { registerSnapshotCommand } from "#shared/cli/commands/snapshot.ts";
import { type CliContext, EXIT, EXIT_CODES_HELP, type RegisterCommand } from "#shared/cli/common/command.ts";
import { type CliIo, processIo } from "#shared/cli/common/io.ts";
import { NoCredentialsError } from "#shared/cli/common/session.ts";
import { StoreError } from "#shared/cli/common/store.ts";
import { EstateValidationError } from "#shared/estate/index.ts";
import { PlanningError } from "#shared/scan/plan.ts";

export type { CliContext } from "#shared/cli/common/command.ts";

const VERSION = "0.1.0";

/** Every command, in `--help` order; each module registers its own flags and action. */
const COMMANDS: readonly RegisterCommand[] = [
  registerScanCommand,
  registerFindingsCommand,
  registerSnapshotCommand,
  registerLbSubnetsCommand,
  registerIpCostCommand,
  registerRulesCommand,
];

function buildProgram(io: CliIo, setExit: (code: number) => void, context: CliContext): Command {
  const program = new Command("eks-audit")
    .description(
      "Audit EKS clusters across AWS accounts for load-balancer subnet, IP headroom, security-group and node readiness problems.",
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .addHelpText("after", EXIT_CODES_HELP);
  for (const register of COMMANDS) register(program, { io, setExit, context });
  return program;
}

/** Runs the CLI in-process and returns the exit code (see EXIT_CODES_HELP). */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  context: CliContext = {},
): Promise<number> {
  let exitCode: number = EXIT.ok;
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
      return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    io.stderr(`eks-audit: ${describeError(err)}\n`);
    return EXIT.error;
  }
}

/** One line: errors the CLI raises itself are already worded for the user. */
function describeError(err: unknown): string {
  if (
    err instanceof NoCredentialsError ||
    err instanceof EstateValidationError ||
    err instanceof StoreError ||
    err instanceof ScanFlagError ||
    err instanceof PlanningError
  ) {
    return err.message;
  }
  if (err instanceof Error) return `${err.name === "Error" ? "" : `${err.name}: `}${err.message}`;
  return String(err);
}
