import type { RuleId } from "#shared/findings/index.ts";

/** The scan.* rule an error maps to. AWS errors are classified by `name`, never by message text. */
export function classifyScanError(err: unknown): Extract<RuleId, `scan.${string}`> {
  const name = errorName(err);
  if (ACCESS_DENIED.has(name)) return "scan.access-denied";
  if (REGION_UNAVAILABLE.has(name)) return "scan.region-unavailable";
  return "scan.error";
}

const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedException",
  "AuthorizationError",
]);

/** What AWS answers for an opt-in region the account has not enabled. */
const REGION_UNAVAILABLE = new Set([
  "AuthFailure",
  "UnrecognizedClientException",
  "RegionDisabledException",
  "InvalidClientTokenId",
  "OptInRequired",
]);

export function errorName(err: unknown): string {
  if (err && typeof err === "object" && "name" in err && typeof err.name === "string") return err.name;
  return "Error";
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
