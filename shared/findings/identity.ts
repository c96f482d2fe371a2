import { createHash } from "node:crypto";
import { type Finding, findingKey } from "./finding.ts";

/** What names a finding across accounts: its account and its key (`findingKey`). */
export type FindingIdentityFields = Pick<
  Finding,
  "accountId" | "region" | "cluster" | "ruleId" | "resourceId" | "variant"
>;

/**
 * The stable id of a finding: the SHA-256 (hex) of `<accountId>#<findingKey>`, i.e. of the store's
 * partition and sort key without their prefixes. Equal across runs, scanners and notifiers for one
 * finding, different for two findings (the variant counts), 64 characters whatever the resource id's
 * length: the `findingId` of the SNS message's JSON, so consumers deduplicate on it.
 */
export function findingId(f: FindingIdentityFields): string {
  return createHash("sha256")
    .update(`${f.accountId}#${findingKey(f)}`)
    .digest("hex");
}
