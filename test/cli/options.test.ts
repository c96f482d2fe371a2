import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import {
  accountsOption,
  positiveIntOption,
  regionsOption,
  severityOption,
  urlOption,
} from "#shared/cli/common/options.ts";

describe("CLI option parsers", () => {
  it.each([
    ["eu-west-1", { kind: "list", regions: ["eu-west-1"] }],
    ["eu-west-1, us-east-1,eu-west-1", { kind: "list", regions: ["eu-west-1", "us-east-1"] }],
    ["us-gov-west-1", { kind: "list", regions: ["us-gov-west-1"] }],
    ["all", { kind: "all" }],
  ])("accepts regions %s", (input, expected) => {
    expect(regionsOption(input)).toEqual(expected);
  });

  it.each(["eu-west", "EU-WEST-1", "eu-west-1,mars-1", ""])(
    "rejects regions %j naming the bad value",
    (input) => {
      expect(() => regionsOption(input)).toThrow(InvalidArgumentError);
    },
  );

  it("rejects a malformed account id and names it", () => {
    expect(() => accountsOption("111122223333,12345")).toThrow(/"12345"/);
    expect(accountsOption("111122223333, 222233334444")).toEqual(["111122223333", "222233334444"]);
  });

  it("parses severities in any case and lists the valid ones on error", () => {
    expect(severityOption("high")).toBe("HIGH");
    expect(() => severityOption("urgent")).toThrow(/CRITICAL, HIGH, MEDIUM, LOW, INFO/);
  });

  it("takes only positive whole numbers and http(s) URLs", () => {
    expect(positiveIntOption("4")).toBe(4);
    expect(() => positiveIntOption("0")).toThrow(InvalidArgumentError);
    expect(() => positiveIntOption("2.5")).toThrow(InvalidArgumentError);
    expect(urlOption("http://127.0.0.1:4566")).toBe("http://127.0.0.1:4566");
    expect(() => urlOption("ftp://x")).toThrow(InvalidArgumentError);
  });
});
