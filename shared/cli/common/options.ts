import { InvalidArgumentError } from "commander";
import {
  parseSeverity,
  parseTeamTagKeys,
  RULE_IDS,
  type RuleId,
  type Severity,
} from "#shared/findings/index.ts";
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from "#shared/scan/patterns.ts";
import type { RegionSelection } from "#shared/scan/plan.ts";

/** A flag or a combination of flags that cannot work: the CLI prints the message as its one line. */
export class FlagError extends Error {
  override readonly name: string = "FlagError";
}

/**
 * Commander argument parsers: each error names the flag and the expected form. The list parsers merge a
 * repeated flag (`--region eu-west-1 --regions us-east-1`) into one selection.
 */
export function regionsOption(value: string, previous?: RegionSelection): RegionSelection {
  if (value.trim() === "all") return { kind: "all" };
  const regions = splitList(value);
  const bad = regions.filter((r) => !REGION_PATTERN.test(r));
  if (regions.length === 0 || bad.length > 0) {
    throw new InvalidArgumentError(
      `bad region ${bad.map((r) => JSON.stringify(r)).join(", ") || "(none)"}: use names like eu-west-1, comma-separated, or "all".`,
    );
  }
  if (previous?.kind === "all") return previous;
  return { kind: "list", regions: [...new Set([...(previous?.regions ?? []), ...regions])] };
}

export function accountsOption(value: string, previous?: readonly string[]): string[] {
  const ids = splitList(value);
  const bad = ids.filter((id) => !ACCOUNT_ID_PATTERN.test(id));
  if (ids.length === 0 || bad.length > 0) {
    throw new InvalidArgumentError(
      `malformed account id ${bad.map((id) => JSON.stringify(id)).join(", ") || "(none)"}: expected 12 digits, comma-separated.`,
    );
  }
  return [...new Set([...(previous ?? []), ...ids])];
}

/** For a command that looks at one account: the one id of `--account`/`--accounts`, else a FlagError. */
export function oneAccount(command: string, accounts: readonly string[] | undefined): string | undefined {
  if (accounts === undefined || accounts.length === 1) return accounts?.[0];
  throw new FlagError(
    `--account: ${command} looks at one account, got ${accounts.length} (${accounts.join(", ")}); pass one.`,
  );
}

/** For a command that looks at one region: the one region of `--region`/`--regions`, else a FlagError. */
export function oneRegion(command: string, regions: RegionSelection | undefined): string | undefined {
  if (regions === undefined) return undefined;
  if (regions.kind === "list" && regions.regions.length === 1) return regions.regions[0];
  const got = regions.kind === "all" ? '"all"' : `${regions.regions.length} (${regions.regions.join(", ")})`;
  throw new FlagError(`--region: ${command} looks at one region, got ${got}; pass one, e.g. eu-west-1.`);
}

export function severityOption(value: string): Severity {
  try {
    return parseSeverity(value, "value");
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^value: /, ""));
  }
}

/** `--team-tags team,owner`: cluster tag keys naming the owning team, first match wins. */
export function teamTagsOption(value: string): string[] {
  try {
    return parseTeamTagKeys(value, "value");
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^value: /, ""));
  }
}

export function positiveIntOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a positive whole number.`);
  return n;
}

export function nonNegativeIntOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a whole number ≥ 0.`);
  return n;
}

export function urlOption(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    return value;
  } catch {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not an http(s) URL.`);
  }
}

/** Where findings and their history live: `--store`. */
export type StoreSpec =
  | { kind: "dynalite"; dir: string }
  | { kind: "dynamodb"; table: string; region?: string }
  | { kind: "none" };

/** Where alerts go: `--notify`. */
export type NotifySpec =
  | { kind: "stdout" }
  | { kind: "sns"; topicArn: string; region: string; accountId: string }
  /** The caller's own Security Hub (its default product), in `region` or the session's home region. */
  | { kind: "securityhub"; region?: string }
  | { kind: "none" };

/** The laptop default: an embedded dynalite, relative to the current directory (git-ignored). */
export const DEFAULT_STORE_DIR = ".eks-audit";
export const DEFAULT_STORE = `dynalite:${DEFAULT_STORE_DIR}`;

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):\d{12}:table\/([A-Za-z0-9_.-]{3,255})$/;
const STORE_FORMS = "expected dynalite:DIR, dynamodb:TABLE or none";

export function storeOption(value: string): StoreSpec {
  const spec = value.trim();
  if (spec === "none") return { kind: "none" };
  if (spec.startsWith("dynalite:")) {
    const dir = spec.slice("dynalite:".length);
    if (dir === "") throw new InvalidArgumentError(`${STORE_FORMS} (dynalite: needs a directory).`);
    return { kind: "dynalite", dir };
  }
  if (spec.startsWith("dynamodb:")) {
    const table = spec.slice("dynamodb:".length);
    const arn = TABLE_ARN.exec(table);
    if (arn?.[1] && arn[2]) return { kind: "dynamodb", table: arn[2], region: arn[1] };
    if (TABLE_NAME.test(table)) return { kind: "dynamodb", table };
    throw new InvalidArgumentError(
      `${STORE_FORMS} (${JSON.stringify(table)} is not a DynamoDB table name or table ARN: 3-255 of A-Z a-z 0-9 _ . -).`,
    );
  }
  throw new InvalidArgumentError(`${STORE_FORMS}.`);
}

/** A standard SNS topic: FIFO topics cannot deliver to email, HTTPS or Chatbot. */
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})$/;

export function notifyOption(value: string): NotifySpec {
  const spec = value.trim();
  if (spec === "stdout") return { kind: "stdout" };
  if (spec === "none") return { kind: "none" };
  if (spec === "securityhub") return { kind: "securityhub" };
  if (spec.startsWith("securityhub:")) {
    const region = spec.slice("securityhub:".length);
    if (REGION_PATTERN.test(region)) return { kind: "securityhub", region };
    throw new InvalidArgumentError(
      `${JSON.stringify(region)} is not a region (expected securityhub or securityhub:REGION, e.g. securityhub:eu-west-1).`,
    );
  }
  if (spec.startsWith("sns:")) {
    const topicArn = spec.slice("sns:".length);
    const arn = TOPIC_ARN.exec(topicArn);
    if (arn?.[1] && arn[2]) return { kind: "sns", topicArn, region: arn[1], accountId: arn[2] };
    const fifo = topicArn.endsWith(".fifo") ? " FIFO topics cannot deliver email; use a standard topic." : "";
    throw new InvalidArgumentError(
      `${JSON.stringify(topicArn)} is not an SNS topic ARN (expected sns:arn:PARTITION:sns:REGION:ACCOUNT:TOPIC, PARTITION being aws, aws-cn or aws-us-gov).${fifo}`,
    );
  }
  throw new InvalidArgumentError("expected stdout, sns:TOPIC_ARN or none (or securityhub[:REGION]).");
}

/** Rule ids as the catalog names them; the error lists the families and where to find the ids. */
export function ruleOption(value: string): RuleId {
  const id = value.trim();
  const known = RULE_IDS.find((r) => r === id);
  if (known !== undefined) return known;
  const families = [...new Set(RULE_IDS.map((r) => r.split(".")[0]))].map((f) => `${f}.*`).join(", ");
  const family = id.split(".")[0] ?? "";
  const inFamily = RULE_IDS.filter((r) => r.startsWith(`${family}.`));
  const hint =
    inFamily.length > 0 ? `; ${family}.* is: ${inFamily.join(", ")}` : " (e.g. ip.subnet-exhausted)";
  throw new InvalidArgumentError(
    `unknown rule id ${JSON.stringify(value)}: rule families are ${families}${hint}.`,
  );
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
