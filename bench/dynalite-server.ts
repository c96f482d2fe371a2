/**
 * dynalite (in-memory DynamoDB) in its own process, so its memory is not the pipeline's: prints
 * `http://127.0.0.1:PORT` and serves until its stdin closes (the benchmark holds it) or SIGTERM.
 */
import { startDynalite } from "#test/support/dynalite.ts";

const local = await startDynalite();
process.stdout.write(`${local.endpoint}\n`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  local.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.stdin.on("end", stop).resume();
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
