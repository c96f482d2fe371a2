import type { RuleId } from "#shared/findings/index.ts";

type CoverageRule = Extract<RuleId, `scan.${string}`>;

/**
 * The scan.* rule an error maps to. AWS errors are classified by `name`, never by message text.
 * `regionDisabled`: the region is known not to be enabled for the account (DescribeRegions does not list
 * it) — only then does a credential or token error mean "region not enabled" rather than "denied".
 */
export function classifyScanError(err: unknown, regionDisabled = false): CoverageRule {
  const name = errorName(err);
  if (REGION_NOT_ENABLED.has(name)) return "scan.region-unavailable";
  if (CREDENTIAL_OR_TOKEN.has(name)) return regionDisabled ? "scan.region-unavailable" : "scan.access-denied";
  if (ACCESS_DENIED.has(name)) return "scan.access-denied";
  return "scan.error";
}

/** True for errors that mean either "these credentials are refused" or "this region is off for them". */
export function isCredentialOrTokenError(err: unknown): boolean {
  return CREDENTIAL_OR_TOKEN.has(errorName(err));
}

const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedException",
  "AuthorizationError",
]);

/** Refused credentials or tokens: also what a service answers in an opt-in region the account left off. */
const CREDENTIAL_OR_TOKEN = new Set([
  "AuthFailure",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidToken",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
]);

/** Errors that only an opt-in region the account has not enabled answers. */
const REGION_NOT_ENABLED = new Set(["RegionDisabledException", "OptInRequired"]);

export function errorName(err: unknown): string {
  if (err && typeof err === "object" && "name" in err && typeof err.name === "string") return err.name;
  return "Error";
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
