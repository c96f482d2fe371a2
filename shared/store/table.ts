import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/** GSI1: open findings by severity. Sparse: its keys exist only while a finding is OPEN (not RESOLVED, not SUPPRESSED). */
export const OPEN_BY_SEVERITY_INDEX = "gsi1-open-by-severity";
/** GSI2: every finding (open, resolved and suppressed) by rule id; the sort key starts with the status. */
export const BY_RULE_INDEX = "gsi2-by-rule";
/** History items carry it (epoch seconds); DynamoDB TTL deletes them after the retention. */
export const TTL_ATTRIBUTE = "expiresAt";

/**
 * The findings table, once, as plain data: tests create the dynalite table from it
 * (`createTableInput`) and the CDK stack builds its `TableV2` from the same constants, e.g.
 *
 * ```ts
 * const S = AttributeType.STRING; // "S"
 * new TableV2(this, "Findings", {
 *   partitionKey: { name: FINDINGS_TABLE.partitionKey.name, type: S },
 *   sortKey: { name: FINDINGS_TABLE.sortKey.name, type: S },
 *   globalSecondaryIndexes: FINDINGS_TABLE.globalSecondaryIndexes.map((g) => ({
 *     indexName: g.indexName,
 *     partitionKey: { name: g.partitionKey.name, type: S },
 *     sortKey: { name: g.sortKey.name, type: S },
 *     projectionType: ProjectionType.ALL,
 *   })),
 *   timeToLiveAttribute: FINDINGS_TABLE.timeToLiveAttribute,
 *   billing: Billing.onDemand(),
 * });
 * ```
 *
 * Every key is a single string attribute (dynalite has no multi-attribute GSI keys). Both GSIs
 * project ALL so the console's *Explore items → Query* shows title, detail and remediation; evidence
 * is capped (see `EVIDENCE_MAX_BYTES`) so the projected copies stay small.
 */
export const FINDINGS_TABLE = {
  partitionKey: { name: "pk", type: "S" },
  sortKey: { name: "sk", type: "S" },
  billingMode: "PAY_PER_REQUEST",
  timeToLiveAttribute: TTL_ATTRIBUTE,
  globalSecondaryIndexes: [
    {
      indexName: OPEN_BY_SEVERITY_INDEX,
      partitionKey: { name: "gsi1pk", type: "S" },
      sortKey: { name: "gsi1sk", type: "S" },
      projectionType: "ALL",
    },
    {
      indexName: BY_RULE_INDEX,
      partitionKey: { name: "gsi2pk", type: "S" },
      sortKey: { name: "gsi2sk", type: "S" },
      projectionType: "ALL",
    },
  ],
} as const;

/** The CreateTable request for the findings table (dynalite in tests, scripts). TTL is a separate API call. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const t = FINDINGS_TABLE;
  const keyNames = [
    t.partitionKey.name,
    t.sortKey.name,
    ...t.globalSecondaryIndexes.flatMap((g) => [g.partitionKey.name, g.sortKey.name]),
  ];
  return {
    TableName: tableName,
    BillingMode: t.billingMode,
    AttributeDefinitions: keyNames.map((name) => ({ AttributeName: name, AttributeType: "S" })),
    KeySchema: [
      { AttributeName: t.partitionKey.name, KeyType: "HASH" },
      { AttributeName: t.sortKey.name, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: t.globalSecondaryIndexes.map((g) => ({
      IndexName: g.indexName,
      KeySchema: [
        { AttributeName: g.partitionKey.name, KeyType: "HASH" },
        { AttributeName: g.sortKey.name, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: g.projectionType },
    })),
  };
}
