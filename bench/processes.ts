/**
 * The benchmark's child processes: the simulator (`sim/cli.ts`), dynalite, the estate generator and the
 * pipeline runs, each a fresh `node --import tsx` so that no process's memory counts against another's.
 * Every child is killed by the end of the benchmark, on success or failure.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export interface Server {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

function tsxArgs(script: string, args: readonly string[], nodeArgs: readonly string[] = []): string[] {
  return [...nodeArgs, "--import", "tsx", script, ...args];
}

/** Env for children: no SDK deprecation notice on Node 20, nothing else added. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...extra };
}

/** Starts a server script and resolves with the first URL it prints (within `timeoutMs`). */
async function startServer(script: string, args: readonly string[], timeoutMs: number): Promise<Server> {
  const child = spawn(process.execPath, tsxArgs(script, args), {
    cwd: ROOT,
    env: childEnv(),
    stdio: ["pipe", "pipe", "pipe"],
  });
  live.add(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script}: no URL after ${timeoutMs} ms\n${stderr}`)),
      timeoutMs,
    );
    lines.on("line", (line) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before listening\n${stderr}`));
    });
  });
  return {
    url,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          live.delete(child);
          resolve();
          return;
        }
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        child.once("exit", () => {
          clearTimeout(timer);
          live.delete(child);
          resolve();
        });
        child.stdin?.end();
        child.kill("SIGTERM");
      }),
  };
}

/** The loopback simulator serving `estateFile` (loading a 100 MB estate takes a while). */
export function startSimulatorProcess(estateFile: string): Promise<Server> {
  return startServer("sim/cli.ts", ["--estate", estateFile, "--port", "0"], 600_000);
}

export function startDynaliteProcess(): Promise<Server> {
  return startServer("bench/dynalite-server.ts", [], 60_000);
}

/** Runs a script to completion; rejects on a non-zero exit or after `timeoutMs` (the child is killed). */
export function runScript(
  script: string,
  args: readonly string[],
  options: {
    env?: NodeJS.ProcessEnv;
    timeoutMs: number;
    captureStdout?: boolean;
    nodeArgs?: readonly string[];
  },
): Promise<{ stdout: string; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, tsxArgs(script, args, options.nodeArgs), {
    cwd: ROOT,
    env: options.env ?? childEnv(),
    // A pipeline's stdout carries the scanner's JSON logs and EMF metrics, as in Lambda: to /dev/null.
    stdio: ["ignore", options.captureStdout ? "pipe" : "ignore", "pipe"],
  });
  live.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout = (stdout + chunk.toString("utf8")).slice(-8000);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-8000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      if (code === 0) resolve({ stdout, ms: performance.now() - started });
      else reject(new Error(`${script} ${args.join(" ")}: exit ${code ?? signal}\n${stderr}`));
    });
  });
}
