import { type Finding, findingKey, type Severity } from "#shared/findings/index.ts";
import { sampleHour } from "#shared/models/forecast/hour.ts";

export { sampleHour };

/** One account-region: the unit a scanner task owns and the only place it may resolve findings. */
export interface AccountRegion {
  accountId: string;
  region: string;
}

/**
 * OPEN pages on its transitions; RESOLVED is gone from the last complete scan; SUPPRESSED is produced by
 * the scans but covered by an accepted risk (a suppressions file entry): stored, never paged.
 */
export type FindingStatus = "OPEN" | "RESOLVED" | "SUPPRESSED";

/** What names one finding: its scope, cluster, rule, resource and variant. */
export type FindingIdentity = Pick<
  Finding,
  "accountId" | "region" | "cluster" | "ruleId" | "resourceId" | "variant"
>;

/** DynamoDB's limit on a sort key value, in bytes. */
const MAX_SORT_KEY_BYTES = 1024;

export class FindingKeyTooLongError extends Error {
  override readonly name = "FindingKeyTooLongError";
}

function checked(key: string): string {
  const bytes = Buffer.byteLength(key);
  if (bytes > MAX_SORT_KEY_BYTES) {
    throw new FindingKeyTooLongError(
      `Key ${key.slice(0, 120)}… is ${bytes} bytes; DynamoDB sort keys hold at most ${MAX_SORT_KEY_BYTES}. Shorten the finding's resourceId.`,
    );
  }
  return key;
}

export const accountPk = (accountId: string): string => `ACCOUNT#${accountId}`;

export const findingPrefix = (region: string): string => `FINDING#${region}#`;
/** `FINDING#<region>#<cluster or ->#<ruleId>#<resourceId>[#<variant>]` */
export const findingSk = (f: FindingIdentity): string => checked(`FINDING#${findingKey(f)}`);

export const scopeSk = (region: string): string => `SCOPE#${region}`;

export const historyPrefix = (region: string): string => `HISTORY#${region}#`;
/** `HISTORY#<region>#<ISO ts>#<finding key>`: a scope's history sorts by time. */
export const historySk = (f: FindingIdentity, at: string): string =>
  checked(`HISTORY#${f.region}#${at}#${findingKey(f)}`);

/** GSI1 partition: `OPEN#<SEVERITY>`; present only while the finding is OPEN. */
export const openPk = (severity: Severity): string => `OPEN#${severity}`;
export const openSk = (f: FindingIdentity): string =>
  checked(
    `${f.accountId}#${f.region}#${f.cluster}#${f.ruleId}#${f.resourceId}${f.variant ? `#${f.variant}` : ""}`,
  );

/**
 * GSI2 partition: `RULE#<ruleId>`; sort key starts with the status so `begins_with(OPEN#)`,
 * `begins_with(RESOLVED#)` and `begins_with(SUPPRESSED#)` work.
 */
export const rulePk = (ruleId: string): string => `RULE#${ruleId}`;
export const ruleSk = (status: FindingStatus, f: FindingIdentity): string =>
  checked(
    `${status}#${f.accountId}#${f.region}#${f.cluster}#${f.resourceId}${f.variant ? `#${f.variant}` : ""}`,
  );

/** Subnet samples live under the subnet, so one Query reads a subnet's series across accounts and regions. */
export const subnetPk = (subnetId: string): string => `SUBNET#${subnetId}`;
/** `SAMPLE#<UTC hour>#<accountId>`: a subnet's samples sort by time. */
export const sampleSk = (at: string, accountId: string): string => `SAMPLE#${sampleHour(at)}#${accountId}`;
