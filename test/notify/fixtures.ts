import type { Finding, Severity } from "#shared/findings/index.ts";
import type { Transition, TransitionType } from "#shared/store/index.ts";
import { at, finding } from "#test/store/fixtures.ts";

/** A transition of SCOPE's finding `overrides`, at `to` (and `from` for changes and resolutions). */
export function transition(
  type: TransitionType,
  to: Severity,
  overrides: Partial<Finding> = {},
  from?: Severity,
): Transition {
  const t: Transition = {
    type,
    finding: finding({ severity: to, ...overrides }),
    to,
    at: at(0),
    runId: "run-1",
  };
  const before = type === "RESOLVED" ? to : from;
  if (before !== undefined) t.from = before;
  return t;
}

export const TOPIC_ARN = "arn:aws:sns:eu-west-1:111122223333:eks-auditor-alerts";
