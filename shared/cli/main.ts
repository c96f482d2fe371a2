import { Command, CommanderError } from "commander";
import { registerFindingsCommand } from "#shared/cli/commands/findings.ts";
import { registerIpCostCommand } from "#shared/cli/commands/ip-cost.ts";
import { registerLbSubnetsCommand } from "#shared/cli/commands/lb-subnets.ts";
import { registerRulesCommand } from "#shared/cli/commands/rules.ts";
import { registerScanCommand } from "#shared/cli/commands/scan.ts";
import { registerSnapshotCommand } from "#shared/cli/commands/snapshot.ts";
import { registerTrendCommand } from "#shared/cli/commands/trend.ts";
import { type CliContext, EXIT, EXIT_CODES_HELP, type RegisterCommand } from "#shared/cli/common/command.ts";
import { type CliIo, processIo } from "#shared/cli/common/io.ts";
import { FlagError } from "#shared/cli/common/options.ts";

export type { CliContext } from "#shared/cli/common/command.ts";

const VERSION = "0.1.0";

/** Every command, in `--help` order; each module registers its own flags and action. */
const COMMANDS: readonly RegisterCommand[] = [
  registerScanCommand,
  registerFindingsCommand,
  registerSnapshotCommand,
  registerLbSubnetsCommand,
  registerIpCostCommand,
  registerTrendCommand,
  registerRulesCommand,
];

function buildProgram(
  io: CliIo,
  setExit: (code: number) => void,
  context: CliContext,
  onAction: (command: Command) => void,
): Command {
  const program = new Command("eks-audit")
    .description(
      "Audit EKS clusters across AWS accounts for load-balancer subnet, IP headroom, security-group and node readiness problems.",
    )
    .version(VERSION)
    .option(
      "--debug",
      "on error, print the whole error on stderr: name, message, stack, AWS request id and HTTP status (credentials redacted)",
    )
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    // Each command's --help lists --debug too: it is accepted before or after the command name.
    .configureHelp({ showGlobalOptions: true })
    .addHelpText("after", EXIT_CODES_HELP)
    .hook("preAction", (_program, action) => onAction(action));
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
  let ran: Command | undefined;
  const program = buildProgram(
    io,
    (code) => {
      exitCode = code;
    },
    context,
    (command) => {
      ran = command;
    },
  );
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      // Commander has already printed its one-line message (help and --version exit 0).
      return thrown.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    // What explains an error loads only when there is one: the CLI starts with the commands' flags alone.
    const { explainNoCredentials, isNoCredentials } = await import("#shared/cli/common/session.ts");
    const { debugReport } = await import("#shared/cli/common/errors.ts");
    const err = isNoCredentials(thrown)
      ? await explainNoCredentials({ ...(ran?.opts<{ profile?: string }>() ?? {}) }, io.env)
      : thrown;
    const debug = program.opts<{ debug?: boolean }>().debug === true;
    io.stderr(`eks-audit: ${await describeError(err, debug)}\n`);
    if (debug) io.stderr(`${debugReport(thrown, io.env)}\n`);
    return EXIT.error;
  }
}

/** One line: errors the CLI raises itself are already worded for the user; others point at --debug. */
async function describeError(err: unknown, debug: boolean): Promise<string> {
  const [{ errorLine }, { NoCredentialsError, ProfileNotFoundError }, { StoreError }, estate, plan] =
    await Promise.all([
      import("#shared/cli/common/errors.ts"),
      import("#shared/cli/common/session.ts"),
      import("#shared/cli/common/store.ts"),
      import("#shared/estate/index.ts"),
      import("#shared/scan/plan.ts"),
    ]);
  const { EstateValidationError } = estate;
  const { PlanningError } = plan;
  if (
    err instanceof NoCredentialsError ||
    err instanceof ProfileNotFoundError ||
    err instanceof EstateValidationError ||
    err instanceof StoreError ||
    err instanceof FlagError ||
    err instanceof PlanningError
  ) {
    return err.message;
  }
  return `${errorLine(err)}${debug ? "" : " (--debug prints the whole error)"}`;
}
