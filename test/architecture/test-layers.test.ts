import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { INTEGRATION_IMPORTS, UNIT_DIRECTORIES, UNIT_FILES } from "#test/layers.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SPECIFIER = /(?:from|import)\s*\(?\s*["']([^"']+)["']/g;

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : [path];
  });
}

function isUnit(file: string): boolean {
  return (
    UNIT_DIRECTORIES.some((d) => file.startsWith(`test/${d}/`)) ||
    (UNIT_FILES as readonly string[]).includes(file)
  );
}

/** Every import specifier of a test file and of the test/ helpers it reaches. */
function reachableImports(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const text = readFileSync(join(ROOT, file), "utf8");
  return [...text.matchAll(SPECIFIER)].flatMap(([, specifier = ""]) => {
    const local = specifier.startsWith("#test/")
      ? specifier.slice(1)
      : specifier.startsWith("./")
        ? relative(ROOT, join(ROOT, dirname(file), specifier))
        : undefined;
    return local?.startsWith("test/") ? [specifier, ...reachableImports(local, seen)] : [specifier];
  });
}

describe("Test layers", () => {
  const tests = files("test").filter((f) => f.endsWith(".test.ts"));

  it("lists only unit files that exist", () => {
    expect(UNIT_FILES.filter((f) => !existsSync(join(ROOT, f)))).toEqual([]);
  });

  it("keeps servers, processes, synth and the CLI out of every unit test, helpers included", () => {
    // Act
    const offenders = tests.filter(isUnit).flatMap((file) =>
      reachableImports(file)
        .filter((s) => INTEGRATION_IMPORTS.some((marker) => s === marker || s.startsWith(marker)))
        .map((s) => `${file} imports ${s}`),
    );

    // Assess
    expect(tests.filter(isUnit).length).toBeGreaterThan(40);
    expect(offenders).toEqual([]);
  });

  it("finds an integration import when there is one (the check itself can fail)", () => {
    expect(reachableImports("test/functions/scanner.test.ts")).toContain("#sim/index.ts");
  });
});
