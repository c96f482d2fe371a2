import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ALL_RULES, type CatalogRule, isEvaluated, RULE_CATALOG, ruleById } from "#shared/catalog/index.ts";
import { RULE_IDS, SEVERITIES } from "#shared/findings/index.ts";
import { codeOnly, helperCalls, importedNames } from "./rule-tests.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const LINK_HOSTS = ["docs.aws.amazon.com", "github.com", "kubernetes.io", "kubernetes-sigs.github.io"];

function parts(rule: CatalogRule): { family: string; name: string } {
  const [family = "", name = ""] = rule.id.split(".");
  return { family, name };
}

/** The export of the rule's own file that is this catalog entry. */
async function exportNameOf(rule: CatalogRule): Promise<string | undefined> {
  const { family, name } = parts(rule);
  const mod = (await import(pathToFileURL(`${ROOT}shared/rules/${family}/${name}.ts`).href)) as Record<
    string,
    unknown
  >;
  return Object.entries(mod).find(([, value]) => value === rule)?.[0];
}

describe("Catalog: the rules describe themselves", () => {
  it("has exactly one rule per rule id, in RULE_IDS order", () => {
    expect(RULE_CATALOG.map((r) => r.id)).toEqual([...RULE_IDS]);
    expect(RULE_IDS.map((id) => ruleById(id)?.id)).toEqual([...RULE_IDS]);
  });

  it("evaluates every rule on inventories except those the scanner produces", () => {
    const scanner = RULE_CATALOG.filter((r) => !isEvaluated(r));
    expect(scanner.map((r) => r.id)).toEqual(["scan.access-denied", "scan.region-unavailable"]);
    expect(scanner.every((r) => "producedBy" in r && r.producedBy === "scanner")).toBe(true);
    expect(ALL_RULES.map((r) => r.id)).toEqual(RULE_IDS.filter((id) => !scanner.some((r) => r.id === id)));
  });

  it.each(RULE_CATALOG.map((r) => [r.id, r] as const))("%s carries complete metadata", (_id, rule) => {
    expect(rule.family).toBe(parts(rule).family);
    expect(SEVERITIES).toContain(rule.severity);
    expect(rule.title.trim()).not.toBe("");
    expect(rule.title).not.toMatch(/\.$/);
    expect(rule.why).toMatch(/^[^\n]+\.$/);
    expect(rule.firesWhen.trim()).not.toBe("");
    const link = new URL(rule.link);
    expect(link.protocol).toBe("https:");
    expect(LINK_HOSTS).toContain(link.hostname);
    // Upstream source is cited at a release tag, so the line it points at stays put.
    if (link.hostname === "github.com") expect(link.pathname).toMatch(/\/blob\/v[\d.]+\//);
  });

  it.each(RULE_CATALOG.map((r) => [r.id, r] as const))(
    "%s lives in shared/rules/<family>/<rule>.ts beside its logic",
    async (_id, rule) => {
      const { family, name } = parts(rule);
      expect(existsSync(`${ROOT}shared/rules/${family}/${name}.ts`)).toBe(true);
      expect(await exportNameOf(rule)).toBeDefined();
    },
  );

  it.each(RULE_CATALOG.map((r) => [r.id, r] as const))(
    "%s has a firing and a quiet test through expectFires/expectQuiet",
    async (_id, rule) => {
      const { family, name } = parts(rule);
      const testFile = `${ROOT}test/rules/${family}/${name}.test.ts`;
      expect(existsSync(testFile), `${testFile} is missing`).toBe(true);
      const source = readFileSync(testFile, "utf8");
      const exportName = (await exportNameOf(rule)) ?? "";
      expect(importedNames(source, `#shared/rules/${family}/${name}.ts`)).toContain(exportName);
      const calls = helperCalls(source);
      expect(calls.fires, `no expectFires(${exportName}, …) in ${testFile}`).toContain(exportName);
      expect(calls.quiet, `no expectQuiet(${exportName}, …) in ${testFile}`).toContain(exportName);
      expect(calls.skipped, `${testFile} skips tests`).toBe(false);
    },
  );
});

describe("Function: helperCalls (the detector itself can fail)", () => {
  it("counts calls in code only", () => {
    const source = [
      'import { singleAz } from "#shared/rules/elb/single-az.ts";',
      "const a = expectFires(singleAz, inventory);",
      "// expectQuiet(singleAz, inventory);",
      "/* expectQuiet(singleAz, x) */",
      'const s = "expectQuiet(singleAz, x)";',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal inside the sample source
      "const t = `expectQuiet(singleAz, ${y})`;",
      "expectQuiet(otherRule, inventory);",
    ].join("\n");

    const calls = helperCalls(source);

    expect([...calls.fires]).toEqual(["singleAz"]);
    expect([...calls.quiet]).toEqual(["otherRule"]);
    expect(calls.skipped).toBe(false);
    expect(importedNames(source, "#shared/rules/elb/single-az.ts")).toEqual(["singleAz"]);
  });

  it("flags skipped tests and keeps URLs in strings out of comments", () => {
    expect(helperCalls('it.skip("x", () => expectQuiet(a, b));').skipped).toBe(true);
    expect(codeOnly('const u = "https://example.com"; expectFires(r, i);')).toBe(
      'const u = ""; expectFires(r, i);',
    );
  });
});
