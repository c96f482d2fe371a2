import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, plannerConfigFromEnv, scannerConfigFromEnv } from "#functions/commons/config.ts";
import { readSettings } from "#infra/config.ts";
import {
  actionsOf,
  type Json,
  propsOf,
  resourcesOf,
  type Synthesized,
  statementsOf,
  synthesize,
} from "./support.ts";

let off: Synthesized;
let on: Synthesized;

beforeAll(() => {
  // cdk-nag (AwsSolutions) runs in synthesize: a violation throws here.
  off = synthesize();
  on = synthesize({ "eksAuditor.securityHub": true });
});

/** The product ARN of the stack's own account and region, as CloudFormation renders it. */
const PRODUCT_ARN = {
  "Fn::Join": [
    "",
    [
      "arn:",
      { Ref: "AWS::Partition" },
      ":securityhub:",
      { Ref: "AWS::Region" },
      ":",
      { Ref: "AWS::AccountId" },
      ":product/",
      { Ref: "AWS::AccountId" },
      "/default",
    ],
  ],
};

/** The hub of the stack's own account and region (BatchUpdateFindings' resource). */
const HUB_ARN = {
  "Fn::Join": [
    "",
    [
      "arn:",
      { Ref: "AWS::Partition" },
      ":securityhub:",
      { Ref: "AWS::Region" },
      ":",
      { Ref: "AWS::AccountId" },
      ":hub/default",
    ],
  ],
};

function securityHubStatements(s: Synthesized) {
  return s.all
    .flatMap(statementsOf)
    .filter(({ statement }) => actionsOf(statement).some((a) => a.toLowerCase().startsWith("securityhub:")));
}

/** The environment variables of the function whose role has `roleName` in its policy's name. */
function environments(s: Synthesized): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [id, fn] of resourcesOf(s.central, "AWS::Lambda::Function")) {
    out[id] = ((propsOf(fn).Environment as Json | undefined)?.Variables ?? {}) as Json;
  }
  return out;
}

describe("Deploy option: eksAuditor.securityHub", () => {
  it("is off by default: no Security Hub permission, no setting in the functions' environment", () => {
    // Assess
    expect(securityHubStatements(off)).toEqual([]);
    expect(Object.values(environments(off)).some((v) => "SECURITY_HUB_IMPORT" in v)).toBe(false);
  });

  it("on: the scanner and planner roles may BatchImportFindings on their product ARN and BatchUpdateFindings on their hub, of their own account and region only", () => {
    // Act
    const statements = securityHubStatements(on);

    // Assess
    expect(statements.map(({ where }) => where).sort()).toEqual([
      expect.stringMatching(/^Planner/),
      expect.stringMatching(/^Planner/),
      expect.stringMatching(/^Scanner/),
      expect.stringMatching(/^Scanner/),
    ]);
    for (const role of ["Planner", "Scanner"]) {
      const own = statements.filter(({ where }) => where.startsWith(role)).map(({ statement }) => statement);
      expect(own).toEqual(
        expect.arrayContaining([
          {
            Sid: "ImportFindingsToSecurityHub",
            Effect: "Allow",
            Action: "securityhub:BatchImportFindings",
            Resource: PRODUCT_ARN,
          },
          {
            Sid: "UpdateFindingWorkflowInSecurityHub",
            Effect: "Allow",
            Action: "securityhub:BatchUpdateFindings",
            Resource: HUB_ARN,
          },
        ]),
      );
    }
    // The template names no partition literally (the product ARN follows the stack's).
    expect(JSON.stringify(on.central.toJSON())).not.toContain("arn:aws:securityhub");
  });

  it("on: both functions get SECURITY_HUB_IMPORT=true, which their configuration reads", () => {
    // Act
    const envs = Object.values(environments(on)).filter((v) => "TABLE_NAME" in v);

    // Assess
    expect(envs).toHaveLength(2);
    for (const env of envs) expect(env.SECURITY_HUB_IMPORT).toBe("true");
    const base = {
      HOME_REGION: "eu-west-1",
      TABLE_NAME: "findings",
      TOPIC_ARN: "arn:aws:sns:eu-west-1:111122223333:alerts",
      SECURITY_HUB_IMPORT: "true",
    };
    expect(scannerConfigFromEnv(base).securityHub).toBe(true);
    expect(
      plannerConfigFromEnv({ ...base, QUEUE_URL: "https://sqs.local/q", REGIONS: "all" }).coverage,
    ).toMatchObject({
      securityHub: true,
    });
    expect(scannerConfigFromEnv({ ...base, SECURITY_HUB_IMPORT: undefined }).securityHub).toBeUndefined();
  });

  it("bad values name the setting", () => {
    // Assess
    expect(() =>
      readSettings((k) => (k === "eksAuditor.securityHub" ? "yes" : undefined), ["eksAuditor.securityHub"]),
    ).toThrow(/"eksAuditor.securityHub": "yes" must be true or false/);
    expect(() =>
      scannerConfigFromEnv({
        HOME_REGION: "eu-west-1",
        TABLE_NAME: "findings",
        TOPIC_ARN: "arn:aws:sns:eu-west-1:111122223333:alerts",
        SECURITY_HUB_IMPORT: "yes",
      }),
    ).toThrow(
      new ConfigError('scanner configuration is invalid: SECURITY_HUB_IMPORT="yes" is not true or false'),
    );
  });
});
