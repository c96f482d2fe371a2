export const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: Record<Severity, number> = { CRITICAL: 4, HIGH: 3, MEDIUM: 2, LOW: 1, INFO: 0 };

/** CRITICAL = 4 … INFO = 0: larger is worse. */
export function severityRank(severity: Severity): number {
  return RANK[severity];
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/** Parses a user-given severity (any case); the error names where the value came from. */
export function parseSeverity(value: string, source = "severity"): Severity {
  const upper = value.trim().toUpperCase();
  if (!isSeverity(upper)) {
    throw new Error(
      `${source}: unknown severity ${JSON.stringify(value)} (expected one of ${SEVERITIES.join(", ")})`,
    );
  }
  return upper;
}

export function atLeast(severity: Severity, minimum: Severity): boolean {
  return RANK[severity] >= RANK[minimum];
}

/** Sorts worst first. */
export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[b] - RANK[a];
}

export function worstSeverity(severities: Iterable<Severity>): Severity | undefined {
  let worst: Severity | undefined;
  for (const s of severities) if (worst === undefined || RANK[s] > RANK[worst]) worst = s;
  return worst;
}
