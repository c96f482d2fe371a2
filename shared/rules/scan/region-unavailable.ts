import type { ScannerRuleDefinition } from "#shared/rules/rule.ts";

/** Produced by the scanner for a region the account has not enabled (`scanFailureFinding`, shared/scan/scan-scope.ts). */
export const scanRegionUnavailable: ScannerRuleDefinition = {
  id: "scan.region-unavailable",
  family: "scan",
  severity: "INFO",
  title: "Region not enabled for the account",
  why: "An opt-in region that is not enabled holds no cluster; it is named so that no scanned scope is skipped silently.",
  firesWhen: "the region is not enabled for the account.",
  link: "https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html",
  producedBy: "scanner",
};
