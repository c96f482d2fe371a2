import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { commandHelp, EXIT, EXIT_CODES_HELP, exitCodesHelp } from "#shared/cli/common/command.ts";
import { debugReport, redactSecrets } from "#shared/cli/common/errors.ts";
import {
  accountsOption,
  FlagError,
  oneAccount,
  oneRegion,
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

describe("Repeated and single-value scope flags", () => {
  it("merge a repeated --region/--regions and --account/--accounts, all regions absorbing a list", () => {
    expect(regionsOption("us-east-1", regionsOption("eu-west-1"))).toEqual({
      kind: "list",
      regions: ["eu-west-1", "us-east-1"],
    });
    expect(regionsOption("eu-west-1", { kind: "all" })).toEqual({ kind: "all" });
    expect(regionsOption("all", regionsOption("eu-west-1"))).toEqual({ kind: "all" });
    expect(accountsOption("222233334444,111122223333", ["111122223333"])).toEqual([
      "111122223333",
      "222233334444",
    ]);
  });

  it("give the one account or region of a command that takes one, and name the flag when given more", () => {
    expect(oneAccount("lb-subnets", undefined)).toBeUndefined();
    expect(oneAccount("lb-subnets", ["111122223333"])).toBe("111122223333");
    expect(() => oneAccount("lb-subnets", ["111122223333", "222233334444"])).toThrow(FlagError);
    expect(() => oneAccount("lb-subnets", ["111122223333", "222233334444"])).toThrow(
      "--account: lb-subnets looks at one account, got 2 (111122223333, 222233334444); pass one.",
    );
    expect(oneRegion("lb-subnets", regionsOption("eu-west-1"))).toBe("eu-west-1");
    expect(() => oneRegion("lb-subnets", { kind: "all" })).toThrow(/--region: lb-subnets .* got "all"/);
    expect(() => oneRegion("lb-subnets", regionsOption("eu-west-1,us-east-1"))).toThrow(
      /got 2 \(eu-west-1, us-east-1\)/,
    );
  });
});

describe("Help: examples and exit codes", () => {
  it("lists every exit code of EXIT in the program's help, in order", () => {
    const codes = [...EXIT_CODES_HELP.matchAll(/^ {2}(\d) {2}/gm)].map((m) => Number(m[1]));
    expect(codes).toEqual(Object.values(EXIT).sort());
  });

  it("ends a command's help with its examples, then only its own exit codes, in its own words where given", () => {
    const help = commandHelp(
      [["eks-audit lb-subnets --cluster web", "why no load balancer"]],
      [EXIT.controllerWouldFail, EXIT.ok],
      { [EXIT.ok]: "a load balancer can be created" },
    );
    expect(help).toBe(
      [
        "",
        "Examples:",
        "  # why no load balancer",
        "  eks-audit lb-subnets --cluster web",
        "",
        "Exit codes:",
        "  0  a load balancer can be created",
        "  3  lb-subnets: the controller would find no usable subnets",
        "",
      ].join("\n"),
    );
    expect(exitCodesHelp([EXIT.ok])).toBe("Exit codes:\n  0  done, and nothing at or above --fail-on\n");
  });

  it("wraps long texts within 80 columns and prints a command given in parts as continuation lines", () => {
    const help = commandHelp(
      [[["eks-audit scan --estate sim/estates/sample-org.json", "--store none"], "why ".repeat(30)]],
      [EXIT.error],
      { [EXIT.error]: "error ".repeat(20) },
    );
    const lines = help.split("\n");
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
    expect(lines.filter((l) => l.startsWith("  # why")).length).toBeGreaterThan(1);
    expect(help).toContain("  eks-audit scan --estate sim/estates/sample-org.json \\\n      --store none\n");
    expect(lines.filter((l) => /^ {5}error/.test(l)).length).toBeGreaterThan(0);
  });
});

describe("Debug report: the whole error, never a credential", () => {
  const env = {
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_SESSION_TOKEN: "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
    AWS_REGION: "eu-west-1",
    AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/token",
  };

  it("prints the stack, the SDK's $metadata and fault, and each cause", () => {
    // Prepare: an SDK-shaped error with a cause
    const cause = new Error("socket hang up");
    const err = Object.assign(new Error("Rate exceeded", { cause }), {
      name: "ThrottlingException",
      $fault: "client",
      $metadata: { httpStatusCode: 400, requestId: "req-1234", attempts: 3, totalRetryDelay: 250 },
    });

    // Act
    const report = debugReport(err, env).split("\n");

    // Assess
    expect(report[0]).toBe("ThrottlingException: Rate exceeded");
    expect(report[1]).toMatch(/^ {4}at /);
    expect(report).toContain(
      "$metadata: requestId=req-1234 httpStatusCode=400 attempts=3 totalRetryDelay=250",
    );
    expect(report).toContain("$fault=client");
    expect(report).toContain("  caused by:");
    expect(report).toContain("  Error: socket hang up");
  });

  it("redacts the secret AWS_* values wherever they appear, and secret key/value pairs", () => {
    // Prepare
    const text = [
      `token ${env.AWS_SESSION_TOKEN} in a message`,
      `aws_secret_access_key = ${env.AWS_SECRET_ACCESS_KEY}`,
      '{"SecretAccessKey":"abc123secret","SessionToken":"tok/en+=="}',
      "https://sts.amazonaws.com/?X-Amz-Security-Token=FQoGZXIvYXdz&X-Amz-Signature=deadbeef",
      "region eu-west-1, token file /var/run/token",
    ].join("\n");

    // Act
    const redacted = redactSecrets(text, env);

    // Assess
    for (const secret of [
      env.AWS_SESSION_TOKEN,
      env.AWS_SECRET_ACCESS_KEY,
      "abc123secret",
      "tok/en+==",
      "FQoGZXIvYXdz",
      "deadbeef",
    ]) {
      expect(redacted).not.toContain(secret);
    }
    expect(redacted).toContain("token [AWS_SESSION_TOKEN redacted] in a message");
    expect(redacted).toContain("region eu-west-1, token file /var/run/token");
    expect(debugReport(new Error(`denied for ${env.AWS_SESSION_TOKEN}`), env)).not.toContain(
      env.AWS_SESSION_TOKEN,
    );
  });
});
