/**
 * CPU time of other processes and of the whole machine, from Linux's /proc (in USER_HZ ticks, which the
 * kernel fixes at 100 per second for /proc): the simulator's and dynalite's CPU, and how much CPU
 * processes outside the benchmark took during a run. Undefined where /proc is not there.
 */
import { readFileSync } from "node:fs";

const TICK_MS = 10;

/** User + system CPU of a process so far, in milliseconds. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) * TICK_MS : undefined;
  } catch {
    return undefined;
  }
}

/** Busy CPU of the whole machine so far (every core; idle and iowait excluded), in milliseconds. */
export function machineBusyMs(): number | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const [label, ...values] = line.trim().split(/\s+/);
    if (label !== "cpu") return undefined;
    const n = values.map(Number);
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (n[3] ?? 0) + (n[4] ?? 0);
    return (total - idle) * TICK_MS;
  } catch {
    return undefined;
  }
}
