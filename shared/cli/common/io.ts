/** Where the CLI writes: injectable so tests run commands in-process and read what they print. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  stderrIsTTY: boolean;
  stderrStream: NodeJS.WritableStream;
  /** Width of the table output: the terminal's columns, else `COLUMNS`, else 160 (a file or a pipe). */
  columns: number;
  /** Severities are coloured only on a terminal (and never with NO_COLOR or --no-color). */
  stdoutIsTTY?: boolean;
}

/** Columns when stdout is not a terminal and `COLUMNS` is not set: wide enough that few commands break. */
export const DEFAULT_COLUMNS = 160;

export function terminalColumns(ttyColumns: number | undefined, env: NodeJS.ProcessEnv): number {
  if (ttyColumns !== undefined && ttyColumns > 0) return ttyColumns;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_COLUMNS;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    stderrIsTTY: process.stderr.isTTY === true,
    stderrStream: process.stderr,
    columns: terminalColumns(process.stdout.isTTY ? process.stdout.columns : undefined, process.env),
    stdoutIsTTY: process.stdout.isTTY === true,
  };
}
