import { buildEntry, type FieldValue } from "./entry.ts";
import { ENTRY_FIELDS, SuppressionFileError, type SuppressionProblem, type SuppressionSet } from "./types.ts";

/**
 * The deployed form of a suppressions file: parsed and validated once, at synth (`cdk synth` fails on a
 * bad file), written as JSON beside the scanner's handler. The scanner reads it with one file read and
 * `JSON.parse` per container — nothing fetched at cold start, no YAML parsed, no extra IAM — and checks
 * it again with the same entry rules (a hand-edited bundle fails the init, not a scan).
 */
export const COMPILED_FORMAT = "eks-auditor-suppressions/1";

interface CompiledFile {
  format: typeof COMPILED_FORMAT;
  /** The file it was compiled from, as named in cdk.json. */
  source: string;
  entries: Record<string, unknown>[];
}

/** The JSON the scanner reads; stable for a given file (its hash is part of the function's asset hash). */
export function compileSuppressions(set: SuppressionSet): string {
  const file: CompiledFile = {
    format: COMPILED_FORMAT,
    source: set.source,
    entries: set.entries.map((e) => ({ ...e })),
  };
  return `${JSON.stringify(file, null, 1)}\n`;
}

/** Reads the compiled JSON (`where`: the path it was read from); throws `SuppressionFileError` naming what is wrong. */
export function readCompiledSuppressions(text: string, where: string): SuppressionSet {
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch (err) {
    throw new SuppressionFileError(where, [], `${where}: not JSON (${(err as Error).message}).`);
  }
  const f = file as Partial<CompiledFile> | null;
  if (f === null || typeof f !== "object" || f.format !== COMPILED_FORMAT || !Array.isArray(f.entries)) {
    throw new SuppressionFileError(
      where,
      [],
      `${where}: not a compiled suppressions file (expected "format": "${COMPILED_FORMAT}"); deploy it with cdk deploy.`,
    );
  }
  const source = typeof f.source === "string" ? f.source : where;
  const problems: SuppressionProblem[] = [];
  const entries = f.entries.flatMap((raw, index) => {
    const line = typeof raw?.line === "number" ? raw.line : 0;
    const fields = new Map<string, FieldValue>();
    for (const name of ENTRY_FIELDS) {
      if (raw?.[name] !== undefined) fields.set(name, { value: raw[name], line });
    }
    const entry = buildEntry(index, { line, fields }, problems);
    return entry === undefined ? [] : [entry];
  });
  if (problems.length > 0) throw new SuppressionFileError(source, problems);
  return { source, entries };
}
