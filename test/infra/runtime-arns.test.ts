import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Code that runs in the Lambda functions and the CLI. */
const RUNTIME_DIRS = ["shared", "functions"];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** `file:line` of each `arn:aws:` in code (comments are prose and may quote an example ARN). */
function standardPartitionLiterals(file: string, text: string): string[] {
  return text.split("\n").flatMap((line, i) => {
    const code = line.trimStart();
    if (code.startsWith("//") || code.startsWith("*") || code.startsWith("/*")) return [];
    const beforeComment = line.replace(/\s\/\/.*$/, "");
    return beforeComment.includes("arn:aws:") ? [`${file}:${i + 1}`] : [];
  });
}

describe("Runtime ARNs", () => {
  it("are built from the caller's partition: no arn:aws: literal in shared/ or functions/", () => {
    // Act
    const hits = RUNTIME_DIRS.flatMap((dir) =>
      sources(dir).flatMap((file) =>
        standardPartitionLiterals(relative(ROOT, join(ROOT, file)), readFileSync(join(ROOT, file), "utf8")),
      ),
    );

    // Assess
    expect(hits).toEqual([]);
  });

  it("finds a literal in code and not in a comment (the check itself can fail)", () => {
    const text = [
      "/** `arn:aws:iam::1:role/x` → x */",
      "// arn:aws:sns:… in a comment",
      'const arn = "arn:aws:iam::" + id;',
      'const ok = "arn:" + partition + ":iam::" + id; // not arn:aws: here',
    ].join("\n");
    expect(standardPartitionLiterals("x.ts", text)).toEqual(["x.ts:3"]);
  });
});
