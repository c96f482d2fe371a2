import type { ScannerRuleDefinition } from "#shared/rules/rule.ts";

/**
 * Produced by the scanner for a scope whose member role cannot be assumed or whose describe calls are denied
 * (`scanFailureFinding`, shared/scan/scan-scope.ts), and for resources a complete scan could not read
 * (shared/rules/scan/unread.ts).
 */
export const scanAccessDenied: ScannerRuleDefinition = {
  id: "scan.access-denied",
  family: "scan",
  severity: "HIGH",
  title: "Scope not scanned: access denied",
  why: "Nothing is known about the account-region until the member role can be assumed and read; its stored findings are kept, never resolved.",
  firesWhen: "the member role cannot be assumed or a describe call is denied.",
  link: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html",
  producedBy: "scanner",
};
