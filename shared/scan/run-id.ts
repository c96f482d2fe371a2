import { createHash, randomUUID } from "node:crypto";

/**
 * The one run-id format of every run (CLI, planner Lambda, benchmark): `20261125T061500Z-1a2b3c4d`, the
 * run's time to the second and 8 hex digits of a hash of `seed`. The same seed (a Scheduler execution id,
 * a Lambda request id) gives the same run id, so a retried planner reuses it. Sorts by time; at most 64
 * characters, as a scan task requires.
 */
export function runIdOf(at: Date, seed: string = randomUUID()): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${createHash("sha256").update(seed).digest("hex").slice(0, 8)}`;
}

export const RUN_ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/;
