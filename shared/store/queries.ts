import type { QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { RuleId, Severity } from "#shared/findings/index.ts";
import {
  accountPk,
  type FindingStatus,
  findingPrefix,
  historyPrefix,
  openPk,
  rulePk,
  sampleHour,
  scopeSk,
  subnetPk,
} from "./keys.ts";
import { BY_RULE_INDEX, OPEN_BY_SEVERITY_INDEX } from "./table.ts";

/**
 * The console's questions, each one Query call (one page), exactly as a user types them in
 * *Explore items → Query*:
 *
 * | question                         | index                   | partition key              | sort key condition           |
 * |----------------------------------|-------------------------|----------------------------|------------------------------|
 * | open findings of a severity      | gsi1-open-by-severity   | gsi1pk = `OPEN#HIGH`       | (none) or begins_with `<account>#` |
 * | all findings of an account       | table                   | pk = `ACCOUNT#<id>`        | begins_with `FINDING#`       |
 * | all findings of one rule         | gsi2-by-rule            | gsi2pk = `RULE#<ruleId>`   | (none) or begins_with `OPEN#`|
 * | accepted risks of one rule       | gsi2-by-rule            | gsi2pk = `RULE#<ruleId>`   | begins_with `SUPPRESSED#`    |
 * | one account-region's scope status| table                   | pk = `ACCOUNT#<id>`        | = `SCOPE#<region>`           |
 * | a scope's history                | table                   | pk = `ACCOUNT#<id>`        | begins_with `HISTORY#<region>#` |
 * | a subnet's samples (forecast)    | table                   | pk = `SUBNET#<subnet id>`  | between `SAMPLE#<from hour>` and `SAMPLE#<to hour>#~` |
 */
export const consoleQueries = {
  openBySeverity(tableName: string, severity: Severity, accountId?: string): QueryCommandInput {
    return accountId === undefined
      ? {
          TableName: tableName,
          IndexName: OPEN_BY_SEVERITY_INDEX,
          KeyConditionExpression: "gsi1pk = :pk",
          ExpressionAttributeValues: { ":pk": openPk(severity) },
        }
      : {
          TableName: tableName,
          IndexName: OPEN_BY_SEVERITY_INDEX,
          KeyConditionExpression: "gsi1pk = :pk AND begins_with(gsi1sk, :prefix)",
          ExpressionAttributeValues: { ":pk": openPk(severity), ":prefix": `${accountId}#` },
        };
  },

  findingsOfAccount(tableName: string, accountId: string, region?: string): QueryCommandInput {
    return {
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: {
        ":pk": accountPk(accountId),
        ":prefix": region === undefined ? "FINDING#" : findingPrefix(region),
      },
    };
  },

  findingsOfRule(tableName: string, ruleId: RuleId, status?: FindingStatus): QueryCommandInput {
    return status === undefined
      ? {
          TableName: tableName,
          IndexName: BY_RULE_INDEX,
          KeyConditionExpression: "gsi2pk = :pk",
          ExpressionAttributeValues: { ":pk": rulePk(ruleId) },
        }
      : {
          TableName: tableName,
          IndexName: BY_RULE_INDEX,
          KeyConditionExpression: "gsi2pk = :pk AND begins_with(gsi2sk, :prefix)",
          ExpressionAttributeValues: { ":pk": rulePk(ruleId), ":prefix": `${status}#` },
        };
  },

  scopeStatus(tableName: string, accountId: string, region: string): QueryCommandInput {
    return {
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND sk = :sk",
      ExpressionAttributeValues: { ":pk": accountPk(accountId), ":sk": scopeSk(region) },
    };
  },

  historyOfScope(tableName: string, accountId: string, region: string): QueryCommandInput {
    return {
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": accountPk(accountId), ":prefix": historyPrefix(region) },
    };
  },

  /** A subnet's samples from the hour of `from` to the hour of `to` (ISO), oldest first. */
  samplesOfSubnet(tableName: string, subnetId: string, from: string, to: string): QueryCommandInput {
    return {
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
      ExpressionAttributeValues: {
        ":pk": subnetPk(subnetId),
        ":from": `SAMPLE#${sampleHour(from)}`,
        ":to": `SAMPLE#${sampleHour(to)}#~`,
      },
    };
  },
};
