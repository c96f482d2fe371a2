/** Reads rule test files: which rules they assert through `expectFires` / `expectQuiet` (test/support/rules.ts). */

/** The source with comments removed and string/template contents blanked, so only code is searched. */
export function codeOnly(source: string): string {
  let out = "";
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end === -1 ? source.length : end + 2;
    } else if (c === '"' || c === "'" || c === "`") {
      i++;
      while (i < source.length && source[i] !== c) i += source[i] === "\\" ? 2 : 1;
      out += `${c}${c}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export interface HelperCalls {
  fires: Set<string>;
  quiet: Set<string>;
  /** `.skip(`, `.only(`, `.todo(` or `.fails(`: a call in such a test does not count. */
  skipped: boolean;
}

/** The identifiers passed first to `expectFires(` and `expectQuiet(` in code (not comments or strings). */
export function helperCalls(source: string): HelperCalls {
  const code = codeOnly(source);
  const calls = (fn: string) =>
    new Set([...code.matchAll(new RegExp(`\\b${fn}\\(\\s*(\\w+)\\s*,`, "g"))].map((m) => m[1] ?? ""));
  return {
    fires: calls("expectFires"),
    quiet: calls("expectQuiet"),
    skipped: /\.(skip|only|todo|fails)\s*\(/.test(code),
  };
}

/** Names imported from `specifier` (`import { a, b as c } from "…"` gives a and c). */
export function importedNames(source: string, specifier: string): string[] {
  const escaped = specifier.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*["']${escaped}["']`, "g");
  return [...source.matchAll(pattern)].flatMap((m) =>
    (m[1] ?? "")
      .split(",")
      .map(
        (part) =>
          part
            .trim()
            .split(/\s+as\s+/)
            .pop() ?? "",
      )
      .filter((name) => name !== "" && !name.startsWith("type ")),
  );
}
