import { readFile } from "node:fs/promises";
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { buildEntry, type FieldValue, type RawEntry } from "./entry.ts";
import {
  type SuppressionEntry,
  SuppressionFileError,
  type SuppressionProblem,
  type SuppressionSet,
} from "./types.ts";

/** The file's format version; `version:` may be left out. */
export const SUPPRESSIONS_VERSION = "1";

const TOP_LEVEL_KEYS = ["version", "suppressions"];

/**
 * Parses and validates a suppressions file (YAML):
 *
 * ```yaml
 * version: 1
 * suppressions:
 *   - rule: elb.foreign-cluster-tag
 *     cluster: [payments-blue, payments-green]
 *     tags: [team=payments]
 *     reason: Blue and green share vpc-0a1b on purpose; each keeps the other's subnets (CHG-1234).
 *     expires: 2026-12-31
 * ```
 *
 * Read with the YAML failsafe schema, so every scalar stays the text written: `012345678901` keeps its
 * leading zero and `2026-12-31` is not turned into a timestamp. Every problem is reported with its line
 * (syntax errors with the column): a file with any problem suppresses nothing and throws
 * `SuppressionFileError`.
 */
export function parseSuppressions(text: string, source: string): SuppressionSet {
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: "failsafe", lineCounter: lines, prettyErrors: true });
  const problems: SuppressionProblem[] = [];
  const lineOf = (node: Node | undefined | null, fallback = 1): { line: number; column: number } => {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: fallback, column: 0 };
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };

  for (const error of doc.errors) {
    const pos = error.linePos?.[0];
    problems.push({
      line: pos?.line ?? 1,
      ...(pos?.col ? { column: pos.col } : {}),
      path: "",
      message: `YAML syntax error: ${firstLine(error.message)}`,
    });
  }
  if (problems.length > 0) throw new SuppressionFileError(source, problems);

  const root = doc.contents;
  if (root === null || (isScalar(root) && String(root.value ?? "").trim() === "")) {
    throw new SuppressionFileError(source, [
      {
        line: 1,
        path: "",
        message: "the file is empty: expected `suppressions:` followed by a list of entries",
      },
    ]);
  }
  if (!isMap(root)) {
    throw new SuppressionFileError(source, [
      {
        line: lineOf(root).line,
        path: "",
        message: "expected a mapping with `suppressions:` (a list of entries)",
      },
    ]);
  }

  let list: Node | undefined;
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    const where = lineOf(pair.key as Node);
    if (key === undefined || !TOP_LEVEL_KEYS.includes(key)) {
      problems.push({
        line: where.line,
        path: String(key ?? "?"),
        message: "unknown key (the file has version and suppressions)",
      });
    } else if (key === "version") {
      const value = isScalar(pair.value) ? String(pair.value.value).trim() : undefined;
      if (value !== SUPPRESSIONS_VERSION) {
        problems.push({
          line: where.line,
          path: "version",
          message: `${JSON.stringify(value ?? null)} is not supported (expected ${SUPPRESSIONS_VERSION})`,
        });
      }
    } else {
      list = resolved(doc, pair.value as Node | null) ?? undefined;
      if (list === undefined || !(isSeq(list) || (isScalar(list) && String(list.value).trim() === ""))) {
        problems.push({
          line: where.line,
          path: "suppressions",
          message: "expected a list of entries (- rule: …)",
        });
        list = undefined;
      }
    }
  }
  if (!root.items.some((pair) => isScalar(pair.key) && pair.key.value === "suppressions")) {
    problems.push({
      line: lineOf(root).line,
      path: "",
      message: "no `suppressions:` key (a list of entries)",
    });
  }

  const entries: SuppressionEntry[] = [];
  if (list !== undefined && isSeq(list)) {
    for (const [index, itemNode] of list.items.entries()) {
      const item = resolved(doc, itemNode as Node | null);
      const where = lineOf(item ?? (itemNode as Node), lineOf(list).line);
      if (item === undefined || !isMap(item)) {
        problems.push({
          line: where.line,
          path: `suppressions[${index}]`,
          message: "expected an entry: a mapping with rule, reason and the fields to match",
        });
        continue;
      }
      const raw: RawEntry = { line: where.line, fields: new Map() };
      for (const pair of item.items) {
        const keyWhere = lineOf(pair.key as Node, where.line);
        if (!isScalar(pair.key)) {
          problems.push({
            line: keyWhere.line,
            path: `suppressions[${index}]`,
            message: "a field name must be plain text",
          });
          continue;
        }
        const valueNode = resolved(doc, pair.value as Node | null);
        const field: FieldValue = {
          value: valueNode === undefined ? "" : valueNode.toJS(doc),
          line: keyWhere.line,
        };
        if (valueNode !== undefined && isSeq(valueNode)) {
          field.itemLines = valueNode.items.map(
            (n) => lineOf(resolved(doc, n as Node | null), field.line).line,
          );
        }
        raw.fields.set(String(pair.key.value), field);
      }
      const entry = buildEntry(index, raw, problems);
      if (entry !== undefined) entries.push(entry);
    }
  }

  if (problems.length > 0)
    throw new SuppressionFileError(
      source,
      problems.sort((a, b) => a.line - b.line),
    );
  return { source, entries };
}

/** Reads and validates a suppressions file; every error names the file (and the line, when it has one). */
export async function loadSuppressionsFile(path: string): Promise<SuppressionSet> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "a directory, not a file"
          : code === "EACCES"
            ? "permission denied"
            : (err as Error).message;
    throw new SuppressionFileError(path, [], `${path}: cannot read the suppressions file: ${why}.`);
  }
  return parseSuppressions(text, path);
}

/** An alias (`*name`) resolved to the node it names. */
function resolved(doc: Document, node: Node | null | undefined): Node | undefined {
  if (node === null || node === undefined) return undefined;
  return isAlias(node) ? (node.resolve(doc) as Node | undefined) : node;
}

/** `Map keys must be unique at line 10, column 5:\n\n…` → `Map keys must be unique`. */
function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}
