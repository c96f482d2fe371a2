/** What an AWS account id and a region name look like; kept apart so handlers import no client for them. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
/**
 * An account name the scan task carries: printable ASCII (Organizations validates `Account.Name` against
 * the ASCII range), not blank, at most 128 characters (Organizations allows 50; the margin costs nothing).
 */
export const ACCOUNT_NAME_PATTERN = /^[ -~]{1,128}$/;

/** The account name as a task may carry it, or undefined for a missing, blank or non-ASCII one. */
export function accountNameOf(name: string | undefined): string | undefined {
  const trimmed = name?.trim();
  return trimmed && ACCOUNT_NAME_PATTERN.test(trimmed) ? trimmed : undefined;
}
