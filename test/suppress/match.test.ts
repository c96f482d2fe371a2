import { describe, expect, it } from "vitest";
import { type Finding, NO_CLUSTER } from "#shared/findings/index.ts";
import { type ClusterTags, SuppressionMatcher, suppressionsByKey } from "#shared/suppress/match.ts";
import { parseSuppressions } from "#shared/suppress/parse.ts";
import { finding } from "#test/store/fixtures.ts";

const NOW = Date.parse("2026-03-10T12:00:00Z");
const TAGS: ClusterTags = {
  "payments-blue": { team: "payments", env: "prod-eu" },
  "payments-green": { team: "payments", env: "staging" },
};

/** A matcher of one entry: `rule: "*"` and `reason` plus the given YAML lines. */
function matcherOf(...lines: string[]): SuppressionMatcher {
  const fields = lines.map((l) => `    ${l}\n`).join("");
  return new SuppressionMatcher(
    parseSuppressions(`suppressions:\n  - reason: accepted\n${fields || "    rule: '*'\n"}`, "s.yaml"),
  );
}

function foreignTag(overrides: Partial<Finding> = {}): Finding {
  return finding({
    cluster: "payments-blue",
    ruleId: "elb.foreign-cluster-tag",
    resourceId: "subnet-0a1b2c",
    ...overrides,
  });
}

const suppresses = (m: SuppressionMatcher, f: Finding, now = NOW) => m.entryFor(f, TAGS, now) !== undefined;

describe("Class: SuppressionMatcher", () => {
  it.each([
    ["rule", "rule: elb.foreign-cluster-tag", { ruleId: "elb.single-az" as const }],
    ["account", "account: '111122223333'", { accountId: "999988887777" }],
    ["region", "region: eu-west-1", { region: "us-east-1" }],
    ["cluster", "cluster: payments-blue", { cluster: "payments-green" }],
    ["resource", "resource: subnet-0a1b2c", { resourceId: "subnet-0a1b2cd" }],
  ])("matches by %s: the exact value, and nothing next to it", (_field, line, other) => {
    // Prepare
    const m = matcherOf(line.startsWith("rule") ? line : `rule: '*'\n    ${line}`);

    // Act / Assess
    expect(suppresses(m, foreignTag())).toBe(true);
    expect(suppresses(m, foreignTag(other))).toBe(false);
  });

  it("treats * as any run of characters, anchored at both ends", () => {
    // Prepare
    const m = matcherOf("rule: 'elb.*'", "resource: 'subnet-0a*'", "cluster: '*-blue'");

    // Act / Assess
    expect(suppresses(m, foreignTag())).toBe(true);
    expect(suppresses(m, foreignTag({ ruleId: "ip.subnet-exhausted" }))).toBe(false);
    expect(suppresses(m, foreignTag({ resourceId: "xsubnet-0a1" }))).toBe(false);
    expect(suppresses(m, foreignTag({ cluster: "payments-blue2" }))).toBe(false);
    // Dots and dashes are literal, not regex syntax.
    expect(suppresses(matcherOf("rule: 'elb.single-az'"), foreignTag({ ruleId: "elb.single-az" }))).toBe(
      true,
    );
    expect(suppresses(matcherOf("rule: '*'", "resource: 'a.c'"), foreignTag({ resourceId: "abc" }))).toBe(
      false,
    );
  });

  it("matches any value of a list, and needs every field to match", () => {
    // Prepare
    const m = matcherOf(
      "rule: elb.foreign-cluster-tag",
      "cluster: [payments-blue, payments-green]",
      "region: us-east-1",
    );

    // Act / Assess
    expect(suppresses(m, foreignTag({ region: "us-east-1", cluster: "payments-green" }))).toBe(true);
    expect(suppresses(m, foreignTag({ region: "eu-west-1", cluster: "payments-green" }))).toBe(false);
  });

  it("matches the cluster's tags: every KEY=VALUE pattern must find a tag", () => {
    // Prepare
    const both = matcherOf("rule: '*'", "tags: [team=payments, 'env=prod-*']");
    const keyGlob = matcherOf("rule: '*'", "tags: ['te*=pay*']");

    // Act / Assess
    expect(suppresses(both, foreignTag())).toBe(true);
    expect(suppresses(both, foreignTag({ cluster: "payments-green" }))).toBe(false);
    expect(suppresses(keyGlob, foreignTag({ cluster: "payments-green" }))).toBe(true);
    // A cluster whose tags are unknown, and a finding about no cluster, have no tags to match.
    expect(suppresses(both, foreignTag({ cluster: "gone-cluster" }))).toBe(false);
    expect(suppresses(keyGlob, foreignTag({ cluster: NO_CLUSTER }))).toBe(false);
  });

  it("stops matching after the expires day (UTC)", () => {
    // Prepare
    const m = matcherOf("rule: '*'", "expires: 2026-03-10");

    // Act / Assess
    expect(suppresses(m, foreignTag(), Date.parse("2026-03-10T23:59:59.999Z"))).toBe(true);
    expect(suppresses(m, foreignTag(), Date.parse("2026-03-11T00:00:00Z"))).toBe(false);
    expect(m.expired(Date.parse("2026-03-11T00:00:00Z")).map((e) => e.line)).toEqual([2]);
  });

  it("never suppresses a coverage finding, whatever the entry", () => {
    // Prepare
    const m = matcherOf("rule: '*'");

    // Act / Assess
    expect(suppresses(m, foreignTag({ ruleId: "scan.error", cluster: NO_CLUSTER }))).toBe(false);
    expect(suppresses(m, foreignTag({ ruleId: "scan.access-denied", cluster: NO_CLUSTER }))).toBe(false);
  });

  it("uses the first entry of the file that matches and has not expired", () => {
    // Prepare
    const m = new SuppressionMatcher(
      parseSuppressions(
        [
          "suppressions:",
          "  - rule: '*'",
          "    reason: first, expired",
          "    expires: 2026-01-01",
          "  - rule: elb.foreign-cluster-tag",
          "    reason: second",
          "  - rule: '*'",
          "    reason: third",
          "",
        ].join("\n"),
        "s.yaml",
      ),
    );

    // Act
    const suppressed = m.suppressed([foreignTag(), foreignTag({ ruleId: "ip.subnet-exhausted" })], TAGS, NOW);

    // Assess
    expect(suppressed.map((s) => s.entry.reason)).toEqual(["second", "third"]);
    expect([...suppressionsByKey(suppressed).values()]).toEqual([{ reason: "second" }, { reason: "third" }]);
  });
});
