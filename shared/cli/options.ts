import { InvalidArgumentError } from "commander";
import { parseSeverity, type Severity } from "../findings/index.ts";
import { ACCOUNT_ID_PATTERN, REGION_PATTERN, type RegionSelection } from "../scan/plan.ts";

/** Commander argument parsers: each error names the flag and the expected form. */
export function regionsOption(value: string): RegionSelection {
  if (value.trim() === "all") return { kind: "all" };
  const regions = splitList(value);
  const bad = regions.filter((r) => !REGION_PATTERN.test(r));
  if (regions.length === 0 || bad.length > 0) {
    throw new InvalidArgumentError(
      `bad region ${bad.map((r) => `"${r}"`).join(", ") || "(none)"}: use names like eu-west-1, comma-separated, or "all".`,
    );
  }
  return { kind: "list", regions: [...new Set(regions)] };
}

export function accountsOption(value: string): string[] {
  const ids = splitList(value);
  const bad = ids.filter((id) => !ACCOUNT_ID_PATTERN.test(id));
  if (ids.length === 0 || bad.length > 0) {
    throw new InvalidArgumentError(
      `malformed account id ${bad.map((id) => `"${id}"`).join(", ") || "(none)"}: expected 12 digits, comma-separated.`,
    );
  }
  return [...new Set(ids)];
}

export function accountOption(value: string): string {
  const [id, ...rest] = accountsOption(value);
  if (id === undefined || rest.length > 0)
    throw new InvalidArgumentError("expected one 12-digit account id.");
  return id;
}

export function regionOption(value: string): string {
  if (!REGION_PATTERN.test(value))
    throw new InvalidArgumentError(`bad region "${value}": use a name like eu-west-1.`);
  return value;
}

export function severityOption(value: string): Severity {
  try {
    return parseSeverity(value, "value");
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^value: /, ""));
  }
}

export function positiveIntOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`"${value}" is not a positive whole number.`);
  return n;
}

export function nonNegativeIntOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`"${value}" is not a whole number ≥ 0.`);
  return n;
}

export function urlOption(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    return value;
  } catch {
    throw new InvalidArgumentError(`"${value}" is not an http(s) URL.`);
  }
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
