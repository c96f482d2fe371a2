/** Time kept after a scan for its reconcile and notification, unless SCAN_WRITE_RESERVE_MS says otherwise. */
export const DEFAULT_WRITE_RESERVE_MS = 30_000;

/**
 * How long a reconcile may wait for another run's scope lease: half the write reserve, so that the wait and
 * this run's own writes both fit in what is left after the scan.
 */
export function reconcileWaitWithin(writeReserveMs: number): number {
  return Math.floor(writeReserveMs / 2);
}

/** A record handed back because the invocation's deadline is too near to scan and store it safely. */
export class DeadlineError extends Error {
  override readonly name = "DeadlineError";
}

/**
 * When the scan of a record must stop: `remainingMs − reserveMs` from now. A record starts only when at
 * least `reserveMs` of scanning fits, so the abort leaves the reserve for writing, never a half-written
 * scope. Without a Lambda context (benchmark, tests) there is no deadline.
 */
export function scanBudgetMs(
  remainingMs: number | undefined,
  reserveMs: number,
): number | "defer" | undefined {
  if (remainingMs === undefined) return undefined;
  const budget = remainingMs - reserveMs;
  return budget < reserveMs ? "defer" : budget;
}
