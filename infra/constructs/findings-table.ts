import { RemovalPolicy } from "aws-cdk-lib";
import {
  AttributeType,
  Billing,
  type CfnGlobalTable,
  ProjectionType,
  TableEncryptionV2,
  TableV2,
} from "aws-cdk-lib/aws-dynamodb";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import { FINDINGS_TABLE } from "#shared/store/table.ts";

const S = AttributeType.STRING;

/** What the store code calls on the table: reconcile, queries, the notification ledger. */
export const DYNAMODB_STORE_ACTIONS = [
  "dynamodb:BatchWriteItem",
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:Query",
  "dynamodb:UpdateItem",
];

/**
 * The findings table, built from the one definition the store code and the dynalite tests use: encrypted
 * with DynamoDB's AWS-managed key, or with `key`.
 */
export class FindingsTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: { key?: IKey } = {}) {
    super(scope, id);
    const t = FINDINGS_TABLE;
    this.table = new TableV2(this, "Table", {
      partitionKey: { name: t.partitionKey.name, type: S },
      sortKey: { name: t.sortKey.name, type: S },
      globalSecondaryIndexes: t.globalSecondaryIndexes.map((g) => ({
        indexName: g.indexName,
        partitionKey: { name: g.partitionKey.name, type: S },
        sortKey: { name: g.sortKey.name, type: S },
        projectionType: ProjectionType.ALL,
      })),
      timeToLiveAttribute: t.timeToLiveAttribute,
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (props.key) {
      // TableEncryptionV2.customerManagedKey cannot render in a region-agnostic stack; this is what it
      // renders for the table's own replica: SSEType KMS at the table, the key at the replica.
      (this.table.node.defaultChild as CfnGlobalTable).addPropertyOverride(
        "Replicas.0.SSESpecification.KMSMasterKeyId",
        props.key.keyArn,
      );
    }
  }

  /** ARNs of the table and of each GSI by name: grants without a `/index/*` wildcard. */
  arns(): string[] {
    return [
      this.table.tableArn,
      ...FINDINGS_TABLE.globalSecondaryIndexes.map((g) => `${this.table.tableArn}/index/${g.indexName}`),
    ];
  }
}
