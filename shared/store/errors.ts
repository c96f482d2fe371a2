/** A reconcile gave up: another writer kept changing an item, or held the scope's lease past the wait. */
export class ReconcileConflictError extends Error {
  override readonly name = "ReconcileConflictError";
}

export class ScopeMismatchError extends Error {
  override readonly name = "ScopeMismatchError";
}

/** `resolveCoverage` was asked to close something that is not a `scan.*` finding, or without a reason. */
export class CoverageResolutionError extends Error {
  override readonly name = "CoverageResolutionError";
}
