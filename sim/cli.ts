/** Serves an estate file over the AWS wire protocols: `npm run sim -- --estate FILE [--port N]`. */
import { Command, InvalidArgumentError } from "commander";
import { EstateValidationError, loadEstateFile } from "#shared/estate/index.ts";
import { defaultAccountId, simAccessKeyId } from "./identity.ts";
import { startSimulator } from "./server.ts";

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError("must be a port number 0..65535");
  return port;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name("sim")
    .description("Loopback AWS simulator serving an estate to the unmodified AWS SDK and CLI")
    .requiredOption("--estate <file>", "estate JSON file (format v1)")
    .option("--port <n>", "port to listen on (0 picks a free one)", parsePort, 4566)
    .option("--host <host>", "address to bind", "127.0.0.1")
    .parse(argv);
  const opts = program.opts<{ estate: string; port: number; host: string }>();

  let estate: Awaited<ReturnType<typeof loadEstateFile>>;
  try {
    estate = await loadEstateFile(opts.estate);
  } catch (err) {
    process.stderr.write(`${err instanceof EstateValidationError ? err.message : String(err)}\n`);
    process.exit(1);
  }

  const sim = await startSimulator({ estate, port: opts.port, host: opts.host });
  const account = defaultAccountId(estate);
  const region = Object.keys(estate.accounts[account]?.regions ?? {})[0] ?? "us-east-1";
  process.stdout.write(`eks-auditor simulator listening on ${sim.url}\n`);
  process.stdout.write(
    `try: AWS_ENDPOINT_URL=${sim.url} AWS_ACCESS_KEY_ID=${simAccessKeyId(account)} AWS_SECRET_ACCESS_KEY=sim ` +
      `AWS_REGION=${region} aws ec2 describe-vpcs\n`,
  );

  const stop = () => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
