import { RULE_IDS } from "#shared/findings/index.ts";
import { globOf, hasWildcard } from "./glob.ts";
import { ENTRY_FIELDS, type EntryField, type SuppressionEntry, type SuppressionProblem } from "./types.ts";

/** A field of an entry as read from a file: its plain value and where it is. */
export interface FieldValue {
  value: unknown;
  line: number;
  column?: number;
  /** Line of each list item, when the value is a list. */
  itemLines?: number[];
}

/** An entry as read, before validation: its line and its fields by name. */
export interface RawEntry {
  line: number;
  fields: Map<string, FieldValue>;
}

/** The reason is stored on every finding it covers and exported to Security Hub (a note of at most 512). */
export const REASON_MAX_CHARS = 500;
/** Who answers for the accepted risk: a team, an alias or an email address. */
export const OWNER_MAX_CHARS = 100;

// Kept here rather than imported from shared/scan: the scan imports this module.
const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_GLOB = /^[\d*]+$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const REGION_GLOB = /^[a-z\d*-]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Rule ids an entry may suppress: every rule but the coverage ones (`scan.*`), which say what was not read. */
export const SUPPRESSIBLE_RULE_IDS: readonly string[] = RULE_IDS.filter((id) => !id.startsWith("scan."));

const COVERAGE_REFUSAL =
  "coverage findings (scan.*) are never suppressed: they say what the auditor could not read. Exclude the account (eksAuditor.excludedAccounts) or the region instead";

/** Epoch milliseconds from which an entry expiring on `date` (YYYY-MM-DD) no longer matches: the next day, 00:00 UTC. */
export function expiryInstant(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) + 86_400_000;
}

function validDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * Validates one entry; returns it, or undefined after adding its problems (each with the line of the
 * offending value and the path `suppressions[i].field`).
 */
export function buildEntry(
  index: number,
  raw: RawEntry,
  problems: SuppressionProblem[],
): SuppressionEntry | undefined {
  const before = problems.length;
  const at = `suppressions[${index}]`;
  const problem = (field: string, where: { line: number; column?: number }, message: string) => {
    problems.push({
      line: where.line,
      ...(where.column ? { column: where.column } : {}),
      path: `${at}${field ? `.${field}` : ""}`,
      message,
    });
  };

  for (const [name, field] of raw.fields) {
    if (!(ENTRY_FIELDS as readonly string[]).includes(name)) {
      problem(name, field, `unknown field (an entry has ${ENTRY_FIELDS.join(", ")})`);
    }
  }

  /** A field that is one string or a list of strings: its non-empty values, each with its line. */
  const read = (name: EntryField): { value: string; line: number }[] | undefined => {
    const field = raw.fields.get(name);
    if (field === undefined) return undefined;
    const items = typeof field.value === "string" ? [field.value] : field.value;
    if (!Array.isArray(items) || items.length === 0 || items.some((v) => typeof v !== "string")) {
      problem(name, field, "expected a string or a non-empty list of strings");
      return undefined;
    }
    const out: { value: string; line: number }[] = [];
    for (const [i, item] of (items as string[]).entries()) {
      const line = field.itemLines?.[i] ?? field.line;
      const value = item.trim();
      if (value === "") problem(name, { line }, "empty value (leave the field out to match everything)");
      else out.push({ value, line });
    }
    return out;
  };
  /** Reads a field and checks each value; the values, or undefined when the field is absent. */
  const patterns = (name: EntryField, check?: (value: string) => string | undefined) => {
    const values = read(name);
    for (const { value, line } of values ?? []) {
      const why = check?.(value);
      if (why !== undefined) problem(name, { line }, why);
    }
    return values?.map((v) => v.value);
  };

  const rule = patterns("rule", (pattern) => {
    const glob = globOf(pattern);
    const known = RULE_IDS.filter((id) => glob(id));
    if (known.length === 0) return `"${pattern}" matches no rule id (eks-audit rules lists them)`;
    if (!known.some((id) => SUPPRESSIBLE_RULE_IDS.includes(id))) return `"${pattern}": ${COVERAGE_REFUSAL}`;
    return undefined;
  });
  if (!raw.fields.has("rule")) {
    problem(
      "",
      { line: raw.line },
      'no rule: every entry names the rule ids it suppresses (a rule id, a pattern such as "elb.*", or "*")',
    );
  }
  const account = patterns("account", (value) =>
    (hasWildcard(value) ? ACCOUNT_GLOB : ACCOUNT_ID).test(value)
      ? undefined
      : `"${value}" is not a 12-digit account id (or a pattern of digits and *)`,
  );
  const region = patterns("region", (value) =>
    (hasWildcard(value) ? REGION_GLOB : REGION).test(value)
      ? undefined
      : `"${value}" is not a region name such as eu-west-1`,
  );
  const cluster = patterns("cluster");
  const resource = patterns("resource");
  const tags = patterns("tags", (value) =>
    value.indexOf("=") > 0
      ? undefined
      : `"${value}" is not KEY=VALUE (e.g. team=payments; * allowed in both parts)`,
  );

  const reasonField = raw.fields.get("reason");
  let reason: string | undefined;
  if (reasonField === undefined) {
    problem("", { line: raw.line }, "no reason: every entry says why the risk is accepted (reason: …)");
  } else if (typeof reasonField.value !== "string" || reasonField.value.trim() === "") {
    problem("reason", reasonField, "expected a non-empty text: why the risk is accepted, and by whom");
  } else if (reasonField.value.trim().length > REASON_MAX_CHARS) {
    problem(
      "reason",
      reasonField,
      `${reasonField.value.trim().length} characters; at most ${REASON_MAX_CHARS} (it is stored on each finding and exported to Security Hub)`,
    );
  } else {
    reason = reasonField.value.trim().replace(/\s+/g, " ");
  }

  const ownerField = raw.fields.get("owner");
  let owner: string | undefined;
  if (ownerField !== undefined) {
    const value = typeof ownerField.value === "string" ? ownerField.value.trim() : "";
    if (value === "" || value.length > OWNER_MAX_CHARS) {
      problem(
        "owner",
        ownerField,
        `expected a team or a person of 1 to ${OWNER_MAX_CHARS} characters (leave the field out if none)`,
      );
    } else {
      owner = value.replace(/\s+/g, " ");
    }
  }

  const expiresField = raw.fields.get("expires");
  let expires: string | undefined;
  if (expiresField !== undefined) {
    const value = typeof expiresField.value === "string" ? expiresField.value.trim() : undefined;
    if (value === undefined || !validDate(value)) {
      problem(
        "expires",
        expiresField,
        `${JSON.stringify(expiresField.value)} is not a date (YYYY-MM-DD; the entry matches through that day, UTC)`,
      );
    } else {
      expires = value;
    }
  }

  if (problems.length > before || rule === undefined || reason === undefined) return undefined;
  return {
    line: raw.line,
    rule,
    ...(account ? { account } : {}),
    ...(region ? { region } : {}),
    ...(cluster ? { cluster } : {}),
    ...(resource ? { resource } : {}),
    ...(tags ? { tags } : {}),
    reason,
    ...(owner ? { owner } : {}),
    ...(expires ? { expires } : {}),
  };
}
