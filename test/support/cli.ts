import { PassThrough } from "node:stream";
import type { CliIo } from "#shared/cli/common/io.ts";
import { main } from "#shared/cli/main.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `eks-audit` in-process and captures what it prints. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: { ...process.env, ...env },
    stderrIsTTY: false,
    stderrStream: new PassThrough(),
    columns: 200,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

export const SAMPLE_ESTATE = new URL("../../sim/estates/sample-org.json", import.meta.url).pathname;
