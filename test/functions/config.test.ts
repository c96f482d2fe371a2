import { describe, expect, it } from "vitest";
import { ConfigError, plannerConfigFromEnv, scannerConfigFromEnv } from "#functions/commons/config.ts";
import { QUEUE_URL, TOPIC_ARN } from "./support.ts";

const PLANNER = { AWS_REGION: "eu-west-1", QUEUE_URL, REGIONS: "eu-west-1,us-east-1" };
const SCANNER = { AWS_REGION: "eu-west-1", TABLE_NAME: "eks-auditor-findings", TOPIC_ARN };

describe("Function: plannerConfigFromEnv", () => {
  it("reads the organisation mode with exclusions and a region list", () => {
    // Act
    const config = plannerConfigFromEnv({ ...PLANNER, EXCLUDED_ACCOUNT_IDS: "111122223333, 222233334444" });

    // Assess
    expect(config).toEqual({
      homeRegion: "eu-west-1",
      memberRoleName: "EksAuditorReadRole",
      queueUrl: QUEUE_URL,
      accounts: { kind: "org", exclude: ["111122223333", "222233334444"] },
      regions: { kind: "list", regions: ["eu-west-1", "us-east-1"] },
    });
  });

  it("reads a static account list, REGIONS=all, the org role and an endpoint", () => {
    // Act
    const config = plannerConfigFromEnv({
      ...PLANNER,
      REGIONS: "ALL",
      ACCOUNT_IDS: "111122223333",
      HOME_REGION: "us-east-1",
      MEMBER_ROLE_NAME: "AuditRead",
      EKS_AUDITOR_ENDPOINT_URL: "http://127.0.0.1:4566",
    });

    // Assess
    expect(config).toMatchObject({
      homeRegion: "us-east-1",
      memberRoleName: "AuditRead",
      endpointUrl: "http://127.0.0.1:4566",
      accounts: { kind: "list", accountIds: ["111122223333"], exclude: [] },
      regions: { kind: "all" },
    });
  });

  it("names every missing or malformed variable in one error", () => {
    // Act
    const read = () =>
      plannerConfigFromEnv({
        ORG_ROLE_ARN: "EksAuditorOrganizationsRead",
        ACCOUNT_IDS: "1111",
        EKS_AUDITOR_ENDPOINT_URL: "localhost:4566",
      });

    // Assess
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/HOME_REGION \(or AWS_REGION\) is not set/);
    expect(read).toThrow(/QUEUE_URL is not set/);
    expect(read).toThrow(/REGIONS is not set/);
    expect(read).toThrow(/ACCOUNT_IDS: "1111" is not a 12-digit account id/);
    expect(read).toThrow(/ORG_ROLE_ARN="EksAuditorOrganizationsRead" is not an IAM role ARN/);
    expect(read).toThrow(/EKS_AUDITOR_ENDPOINT_URL="localhost:4566" is not an http\(s\) URL/);
  });
});

describe("Function: scannerConfigFromEnv", () => {
  it("defaults the alert threshold to HIGH", () => {
    // Act
    const config = scannerConfigFromEnv(SCANNER);

    // Assess
    expect(config).toEqual({
      homeRegion: "eu-west-1",
      memberRoleName: "EksAuditorReadRole",
      tableName: "eks-auditor-findings",
      topicArn: TOPIC_ARN,
      alertMinSeverity: "HIGH",
    });
  });

  it("reads the optional settings", () => {
    // Act
    const config = scannerConfigFromEnv({
      ...SCANNER,
      ALERT_MIN_SEVERITY: "medium",
      SCOPE_CONCURRENCY: "2",
      HISTORY_RETENTION_DAYS: "90",
      EKS_AUDITOR_DYNAMODB_ENDPOINT_URL: "http://127.0.0.1:8000",
      TEAM_TAG_KEYS: "squad, owner,squad",
    });

    // Assess
    expect(config).toMatchObject({
      alertMinSeverity: "MEDIUM",
      scopeConcurrency: 2,
      historyRetentionDays: 90,
      dynamodbEndpointUrl: "http://127.0.0.1:8000",
      teamTagKeys: ["squad", "owner"],
    });
  });

  it("names the malformed variables", () => {
    // Act
    const read = () =>
      scannerConfigFromEnv({
        ...SCANNER,
        TOPIC_ARN: "alerts",
        ALERT_MIN_SEVERITY: "URGENT",
        SCOPE_CONCURRENCY: "0",
        TEAM_TAG_KEYS: `team,${"k".repeat(129)}`,
      });

    // Assess
    expect(read).toThrow(
      /TEAM_TAG_KEYS: "k{40}…" is not a tag key \(AWS tag keys have at most 128 characters\)/,
    );
    expect(read).toThrow(/TOPIC_ARN="alerts" is not an SNS topic ARN/);
    expect(read).toThrow(/ALERT_MIN_SEVERITY: unknown severity "URGENT"/);
    expect(read).toThrow(/SCOPE_CONCURRENCY="0" is not a positive integer/);
  });
});
