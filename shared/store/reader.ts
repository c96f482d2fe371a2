import type { QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { atLeast, type Finding, RULE_IDS, SEVERITIES, severityRank } from "#shared/findings/index.ts";
import type { TableHandle } from "./handle.ts";
import { itemToStoredFinding, parseFindingItem, parseHistoryItem, parseScopeItem } from "./items.ts";
import { accountPk, type FindingStatus, findingSk, scopeSk } from "./keys.ts";
import { consoleQueries } from "./queries.ts";
import type { FindingQuery, HistoryEntry, ScopeStatus, StoredFinding } from "./types.ts";

/** The rules whose findings say a scope could not be scanned: the planner closes them when a scope leaves the plan. */
export const COVERAGE_RULE_IDS = RULE_IDS.filter((id) => id.startsWith("scan."));

const STATUS_OF_QUERY: Record<NonNullable<FindingQuery["status"]>, FindingStatus> = {
  open: "OPEN",
  resolved: "RESOLVED",
  suppressed: "SUPPRESSED",
};

/** The console's and the CLI's questions to the findings table, each through a key or an index (never a Scan). */
export class FindingsReader {
  constructor(private readonly table: TableHandle) {}

  /** The status of one account-region's last scan, or undefined when it was never reconciled. */
  async getScope(accountId: string, region: string): Promise<ScopeStatus | undefined> {
    const raw = await this.table.get(accountPk(accountId), scopeSk(region));
    return raw === undefined ? undefined : parseScopeItem(raw);
  }

  async getFinding(
    f: Pick<Finding, "accountId" | "region" | "cluster" | "ruleId" | "resourceId" | "variant">,
  ): Promise<StoredFinding | undefined> {
    const raw = await this.table.get(accountPk(f.accountId), findingSk(f));
    return raw === undefined ? undefined : itemToStoredFinding(parseFindingItem(raw));
  }

  /** History of one account-region, oldest first. */
  async scopeHistory(accountId: string, region: string): Promise<HistoryEntry[]> {
    const items = await this.table.queryAll(
      consoleQueries.historyOfScope(this.table.tableName, accountId, region),
    );
    return items.map(parseHistoryItem);
  }

  /**
   * Every OPEN `scan.*` finding of the organisation (coverage findings): one GSI2 Query per `scan.*`
   * rule id (`RULE#<ruleId>`, sort key prefix `OPEN#`). The planner compares them with its plan and
   * closes those of scopes it no longer plans (`FindingsWriter.resolveCoverage`).
   */
  async openCoverageFindings(): Promise<StoredFinding[]> {
    const out: StoredFinding[] = [];
    for (const ruleId of COVERAGE_RULE_IDS) {
      const items = await this.table.queryAll(
        consoleQueries.findingsOfRule(this.table.tableName, ruleId, "OPEN"),
      );
      out.push(...items.map((raw) => itemToStoredFinding(parseFindingItem(raw))));
    }
    return out.sort(compareStoredFindings);
  }

  /**
   * Findings for the CLI, worst first. Index choice:
   * - `ruleId` → GSI2 (`RULE#<ruleId>`, sort key prefix `<STATUS>#[<accountId>#]`);
   * - `status: "open"` → GSI1, one Query per severity at or above `minSeverity` (`OPEN#<SEV>`,
   *   prefix `<accountId>#` when given), stopping at `limit`; SUPPRESSED findings have no GSI1 keys;
   * - `accountId` → the base table (`ACCOUNT#<id>`, `begins_with(sk, FINDING#)`);
   * - otherwise (resolved, suppressed or all, organisation-wide) → GSI2 once per rule id (sort key
   *   prefix `RESOLVED#` / `SUPPRESSED#`): still indexed, never a Scan.
   */
  async queryFindings(filter: FindingQuery = {}): Promise<StoredFinding[]> {
    const tableName = this.table.tableName;
    const minimum = filter.minSeverity ?? "INFO";
    const severities = SEVERITIES.filter((s) => atLeast(s, minimum));
    const status = filter.status === undefined ? undefined : STATUS_OF_QUERY[filter.status];
    const limit = filter.limit;

    if (filter.ruleId === undefined && status === "OPEN") {
      const out: StoredFinding[] = [];
      for (const severity of severities) {
        const remaining = limit === undefined ? undefined : limit - out.length;
        if (remaining !== undefined && remaining <= 0) break;
        const items = await this.table.queryAll(
          consoleQueries.openBySeverity(tableName, severity, filter.accountId),
          remaining,
        );
        out.push(...items.map((raw) => itemToStoredFinding(parseFindingItem(raw))));
      }
      return out;
    }

    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    if (severities.length < SEVERITIES.length) {
      names["#severity"] = "severity";
      filters.push(`#severity IN (${severities.map((_, i) => `:sev${i}`).join(", ")})`);
      for (const [i, s] of severities.entries()) values[`:sev${i}`] = s;
    }
    const withFilters = (input: QueryCommandInput): QueryCommandInput =>
      filters.length === 0
        ? input
        : {
            ...input,
            FilterExpression: filters.join(" AND "),
            ExpressionAttributeNames: { ...input.ExpressionAttributeNames, ...names },
            ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ...values },
          };

    let inputs: QueryCommandInput[];
    if (filter.ruleId !== undefined || filter.accountId === undefined) {
      const ruleIds = filter.ruleId === undefined ? RULE_IDS : [filter.ruleId];
      const prefix =
        status === undefined
          ? undefined
          : `${status}#${filter.accountId === undefined ? "" : `${filter.accountId}#`}`;
      if (status === undefined && filter.accountId !== undefined) {
        names["#accountId"] = "accountId";
        values[":accountId"] = filter.accountId;
        filters.push("#accountId = :accountId");
      }
      inputs = ruleIds.map((ruleId) => {
        const base = consoleQueries.findingsOfRule(tableName, ruleId);
        return prefix === undefined
          ? base
          : {
              ...base,
              KeyConditionExpression: "gsi2pk = :pk AND begins_with(gsi2sk, :prefix)",
              ExpressionAttributeValues: { ...base.ExpressionAttributeValues, ":prefix": prefix },
            };
      });
    } else {
      if (status !== undefined) {
        names["#status"] = "status";
        values[":status"] = status;
        filters.push("#status = :status");
      }
      inputs = [consoleQueries.findingsOfAccount(tableName, filter.accountId)];
    }

    const out: StoredFinding[] = [];
    for (const input of inputs) {
      const items = await this.table.queryAll(withFilters(input));
      out.push(...items.map((raw) => itemToStoredFinding(parseFindingItem(raw))));
    }
    out.sort(compareStoredFindings);
    return limit === undefined ? out : out.slice(0, limit);
  }
}

function compareStoredFindings(a: StoredFinding, b: StoredFinding): number {
  const sev = severityRank(b.severity) - severityRank(a.severity);
  if (sev !== 0) return sev;
  const ka = `${a.accountId}#${a.region}#${a.cluster}#${a.ruleId}#${a.resourceId}`;
  const kb = `${b.accountId}#${b.region}#${b.cluster}#${b.ruleId}#${b.resourceId}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
