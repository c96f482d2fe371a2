import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RULES_DOC, renderRulesDoc } from "#scripts/gen-rules-doc.ts";
import { RULE_CATALOG } from "#shared/catalog/index.ts";

describe("docs/rules.md", () => {
  it("is what `npm run docs:rules` generates from the rules' metadata (run it when this fails)", () => {
    expect(readFileSync(RULES_DOC, "utf8")).toBe(renderRulesDoc(RULE_CATALOG));
  });

  it("groups the rules by family with severity, title, why, fires-when and the upstream link", () => {
    const doc = renderRulesDoc(RULE_CATALOG);
    const families = [...doc.matchAll(/^## (\w+) — /gm)].map((m) => m[1]);
    expect(families).toEqual(["elb", "ip", "sg", "node", "scan"]);
    for (const rule of RULE_CATALOG) {
      const section = doc.slice(doc.indexOf(`### \`${rule.id}\``)).split("\n### ")[0] ?? "";
      expect(section).toContain(`**${rule.severity}** · ${rule.title}`);
      expect(section).toContain(`- **Why it matters:** ${rule.why}`);
      expect(section).toContain(`- **Fires when:** ${rule.firesWhen}`);
      expect(section).toContain(`- **Follows:** <${rule.link}>`);
    }
  });

  it("changes when a rule's metadata changes (the staleness check can fail)", () => {
    const [first, ...rest] = RULE_CATALOG;
    if (!first) throw new Error("empty catalog");
    const edited = [{ ...first, title: `${first.title} (edited)` }, ...rest];
    expect(renderRulesDoc(edited)).not.toBe(renderRulesDoc(RULE_CATALOG));
  });
});
