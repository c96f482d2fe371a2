/**
 * Names shared by the functions and the CDK stack (alarms, dashboards): import-free, so infra/ can use
 * them without pulling Powertools into the synth.
 */
export const METRICS_NAMESPACE = "EksAuditor";
export const PLANNER_SERVICE = "eks-auditor-planner";
export const SCANNER_SERVICE = "eks-auditor-scanner";

/** The scanner's metrics (EMF, namespace `EksAuditor`, dimension `service`). */
export const SCANNER_METRICS = {
  /** Account-regions scanned (one per SQS record that parsed). */
  scopesScanned: "ScopesScanned",
  /** Scopes whose scan failed (their `scan.*` finding is stored): the scan-errors alarm watches it. */
  scanErrors: "ScanErrors",
  /**
   * 1 per scope whose scan completed and was stored, 0 per scope that failed: "a run completed" for the
   * heartbeat alarm, so a run in which every scope failed does not count.
   */
  scopesCompleted: "ScopesCompleted",
  /** Records handed back unscanned (too little time left) or aborted at the invocation's deadline. */
  recordsDeferred: "RecordsDeferred",
  /** Findings produced, with dimension `severity`. */
  findings: "Findings",
  /** Transitions written, with dimension `transition` (NEW, REOPENED, ESCALATED, RESOLVED). */
  transitions: "Transitions",
  /** AWS API calls made for the scope (EC2, EKS, STS), retries excluded. */
  apiCalls: "ApiCalls",
  /** SNS messages published. */
  alertsPublished: "AlertsPublished",
  /** Records reported in batchItemFailures (malformed, or reconcile/notify threw). */
  failedRecords: "FailedRecords",
  scanDuration: "ScanDuration",
} as const;
