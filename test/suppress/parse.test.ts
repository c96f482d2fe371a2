import { describe, expect, it } from "vitest";
import { compileSuppressions, readCompiledSuppressions } from "#shared/suppress/compiled.ts";
import { parseSuppressions } from "#shared/suppress/parse.ts";
import { SuppressionFileError, type SuppressionProblem } from "#shared/suppress/types.ts";

const FILE = "suppressions.yaml";

/** The problems a bad file is refused with (the test fails when it is accepted). */
function problemsOf(text: string): SuppressionProblem[] {
  try {
    parseSuppressions(text, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(SuppressionFileError);
    return [...(err as SuppressionFileError).problems];
  }
  throw new Error("the file was accepted");
}

const VALID = `# Accepted risks of the platform team
version: 1
suppressions:
  - rule: elb.foreign-cluster-tag
    account: "222233334444"
    region: eu-west-1
    cluster: [payments-blue, payments-green]
    resource: subnet-0a1b*
    tags: [team=payments, "env=prod*"]
    reason: >-
      Blue and green share vpc-0a1b on purpose;
      each keeps the other's subnets (CHG-1234).
    owner: payments-platform@example.com
    expires: 2026-12-31
  - rule: "ip.*"
    account: 012345678901
    reason: Sandbox account, IPs are cheap there.
`;

describe("Function: parseSuppressions", () => {
  it("reads every field of a valid file, keeping account ids and dates as written", () => {
    // Act
    const set = parseSuppressions(VALID, FILE);

    // Assess
    expect(set.source).toBe(FILE);
    expect(set.entries).toEqual([
      {
        line: 4,
        rule: ["elb.foreign-cluster-tag"],
        account: ["222233334444"],
        region: ["eu-west-1"],
        cluster: ["payments-blue", "payments-green"],
        resource: ["subnet-0a1b*"],
        tags: ["team=payments", "env=prod*"],
        reason: "Blue and green share vpc-0a1b on purpose; each keeps the other's subnets (CHG-1234).",
        owner: "payments-platform@example.com",
        expires: "2026-12-31",
      },
      {
        line: 15,
        rule: ["ip.*"],
        // Unquoted: the failsafe schema keeps the leading zero a YAML 1.2 int would drop.
        account: ["012345678901"],
        reason: "Sandbox account, IPs are cheap there.",
      },
    ]);
  });

  it("accepts an entry whose expiry is over (it then matches nothing) and an empty list", () => {
    // Act
    const expired = parseSuppressions(
      "suppressions:\n  - rule: sg.ssh-open-to-world\n    reason: bastion\n    expires: 2001-01-31\n",
      FILE,
    );
    const empty = parseSuppressions("suppressions: []\n", FILE);

    // Assess
    expect(expired.entries[0]?.expires).toBe("2001-01-31");
    expect(empty.entries).toEqual([]);
  });

  it("gives a YAML syntax error with its line and column", () => {
    // Act
    const problems = problemsOf("suppressions:\n  - rule: [elb.single-az\n    reason: x\n");

    // Assess
    expect(problems[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    expect(problems[0]?.message).toMatch(/^YAML syntax error: /);
  });

  it("names the line of a duplicated key", () => {
    // Act
    const problems = problemsOf("suppressions:\n  - rule: elb.single-az\n    reason: a\n    reason: b\n");

    // Assess
    expect(problems).toEqual([
      expect.objectContaining({ line: 4, column: 5, message: expect.stringMatching(/unique/) }),
    ]);
  });

  it.each([
    ["an empty file", "", 1, "", /empty/],
    ["a list at the top", "- rule: x\n", 1, "", /mapping with `suppressions:`/],
    ["no suppressions key", "version: 1\n", 1, "", /no `suppressions:`/],
    ["an unknown top-level key", "suppressions: []\nsupressions: []\n", 2, "supressions", /unknown key/],
    ["an unsupported version", "version: 2\nsuppressions: []\n", 1, "version", /not supported/],
    ["suppressions that is not a list", "suppressions:\n  rule: x\n", 1, "suppressions", /list of entries/],
    [
      "an entry that is not a mapping",
      "suppressions:\n  - elb.single-az\n",
      2,
      "suppressions[0]",
      /an entry/,
    ],
  ])("refuses %s, naming the line", (_name, text, line, path, message) => {
    // Act
    const problems = problemsOf(text);

    // Assess
    expect(problems).toEqual([{ line, path, message: expect.stringMatching(message) }]);
  });

  it.each([
    ["no reason", "  - rule: elb.single-az\n", 2, "suppressions[0]", /no reason/],
    ["an empty reason", "  - rule: elb.single-az\n    reason:\n", 3, "suppressions[0].reason", /non-empty/],
    ["no rule", "  - reason: accepted\n", 2, "suppressions[0]", /no rule/],
    [
      "an unknown rule id",
      "  - rule: elb.foreign-cluster-tags\n    reason: x\n",
      2,
      "suppressions[0].rule",
      /"elb.foreign-cluster-tags" matches no rule id/,
    ],
    [
      "a coverage rule",
      "  - rule: scan.access-denied\n    reason: x\n",
      2,
      "suppressions[0].rule",
      /coverage findings \(scan\.\*\) are never suppressed/,
    ],
    [
      "a malformed account id",
      "  - rule: '*'\n    account: '1111'\n    reason: x\n",
      3,
      "suppressions[0].account",
      /"1111" is not a 12-digit account id/,
    ],
    [
      "a malformed region",
      "  - rule: '*'\n    region: Europe\n    reason: x\n",
      3,
      "suppressions[0].region",
      /"Europe" is not a region name/,
    ],
    [
      "a tag without =",
      "  - rule: '*'\n    tags:\n      - team=a\n      - team\n    reason: x\n",
      5,
      "suppressions[0].tags",
      /"team" is not KEY=VALUE/,
    ],
    [
      "an impossible date",
      "  - rule: '*'\n    reason: x\n    expires: 2026-02-30\n",
      4,
      "suppressions[0].expires",
      /"2026-02-30" is not a date \(YYYY-MM-DD/,
    ],
    [
      "a date with a time",
      "  - rule: '*'\n    reason: x\n    expires: 2026-02-01T10:00:00Z\n",
      4,
      "suppressions[0].expires",
      /is not a date/,
    ],
    [
      "a misspelt field (it would silently never expire)",
      "  - rule: '*'\n    reason: x\n    expire: 2026-02-01\n",
      4,
      "suppressions[0].expire",
      /unknown field/,
    ],
    [
      "a mapping where a list is expected",
      "  - rule: '*'\n    reason: x\n    tags:\n      team: a\n",
      4,
      "suppressions[0].tags",
      /a string or a non-empty list of strings/,
    ],
    [
      "an empty value in a list",
      "  - rule: '*'\n    reason: x\n    cluster: [a, '']\n",
      4,
      "suppressions[0].cluster",
      /empty value/,
    ],
    [
      "an empty owner",
      "  - rule: '*'\n    reason: x\n    owner: ''\n",
      4,
      "suppressions[0].owner",
      /expected a team or a person of 1 to 100 characters/,
    ],
    [
      "an owner that is a list",
      "  - rule: '*'\n    reason: x\n    owner: [a, b]\n",
      4,
      "suppressions[0].owner",
      /expected a team or a person/,
    ],
    [
      "a reason above 500 characters",
      `  - rule: '*'\n    reason: ${"x".repeat(501)}\n`,
      3,
      "suppressions[0].reason",
      /501 characters; at most 500/,
    ],
  ])("refuses an entry with %s, naming its line and field", (_name, entry, line, path, message) => {
    // Act
    const problems = problemsOf(`suppressions:\n${entry}`);

    // Assess
    expect(problems).toEqual([{ line, path, message: expect.stringMatching(message) }]);
  });

  it("reports every problem of the file, each with its own line, in one error", () => {
    // Prepare
    const text = [
      "suppressions:",
      "  - rule: elb.single-az",
      "    reason: fine",
      "  - rule: elb.nope",
      "    reason: x",
      "  - rule: sg.ssh-open-to-world",
      "    reason: y",
      "    expires: tomorrow",
      "",
    ].join("\n");

    // Act
    let message = "";
    try {
      parseSuppressions(text, FILE);
    } catch (err) {
      message = (err as Error).message;
    }

    // Assess
    expect(message.split("\n")).toEqual([
      `${FILE}: 2 problems; nothing was scanned or stored:`,
      `  ${FILE}:4: suppressions[1].rule: "elb.nope" matches no rule id (eks-audit rules lists them)`,
      `  ${FILE}:8: suppressions[2].expires: "tomorrow" is not a date (YYYY-MM-DD; the entry matches through that day, UTC)`,
    ]);
  });
});

describe("Function: compileSuppressions / readCompiledSuppressions", () => {
  it("round-trips a file through the JSON the scanner reads", () => {
    // Prepare
    const set = parseSuppressions(VALID, FILE);

    // Act
    const back = readCompiledSuppressions(compileSuppressions(set), "/var/task/suppressions.json");

    // Assess
    expect(back).toEqual(set);
  });

  it("refuses JSON that is not a compiled file, or whose entries break the rules", () => {
    // Prepare
    const tampered = compileSuppressions(parseSuppressions(VALID, FILE)).replace(
      '"elb.foreign-cluster-tag"',
      '"scan.error"',
    );

    // Act / Assess
    expect(() => readCompiledSuppressions("{}", "x.json")).toThrow(/not a compiled suppressions file/);
    expect(() => readCompiledSuppressions("{", "x.json")).toThrow(/x.json: not JSON/);
    expect(() => readCompiledSuppressions(tampered, "x.json")).toThrow(
      /suppressions.yaml:4: suppressions\[0\]\.rule: "scan.error": coverage findings/,
    );
  });
});
