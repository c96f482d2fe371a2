/** What an AWS account id and a region name look like; kept apart so handlers import no client for them. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
