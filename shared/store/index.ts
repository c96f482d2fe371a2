export { CoverageResolutionError, ReconcileConflictError, ScopeMismatchError } from "./errors.ts";
export {
  DEFAULT_HISTORY_RETENTION_DAYS,
  FindingsStore,
  type FindingsStoreOptions,
} from "./findings-store.ts";
export { capEvidence, contentHash, EVIDENCE_MAX_BYTES, StoreDataError } from "./items.ts";
export {
  type AccountRegion,
  accountPk,
  type FindingIdentity,
  FindingKeyTooLongError,
  type FindingStatus,
  findingSk,
  historySk,
  openPk,
  rulePk,
  sampleHour,
  sampleSk,
  scopeSk,
  subnetPk,
} from "./keys.ts";
export { FindingsLedger, type NotificationClaim, type NotificationRelease } from "./ledger.ts";
export { consoleQueries } from "./queries.ts";
export { COVERAGE_RULE_IDS, FindingsReader } from "./reader.ts";
export { parseSampleItem, SAMPLE_RETENTION_DAYS, SampleLog } from "./samples.ts";
export { DEFAULT_RECONCILE_LEASE_MS } from "./scope-lease.ts";
export {
  BY_RULE_INDEX,
  createTableInput,
  FINDINGS_TABLE,
  OPEN_BY_SEVERITY_INDEX,
  TTL_ATTRIBUTE,
} from "./table.ts";
export { compareTransitions, isQuietTransition, MAX_PENDING_MARKERS } from "./transitions.ts";
export {
  type CoverageResolution,
  type FindingItem,
  type FindingQuery,
  type HistoryEntry,
  type NotifiedState,
  type PendingMarker,
  type ReconcileLease,
  type ReconcileOutcome,
  type ScopeCounts,
  type ScopeStatus,
  type StoredFinding,
  type StoredSuppression,
  type StoreStats,
  type Suppression,
  TRANSITION_TYPES,
  type Transition,
  type TransitionType,
} from "./types.ts";
export { FindingsWriter } from "./writer.ts";
