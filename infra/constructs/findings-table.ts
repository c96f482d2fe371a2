import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";
import { FINDINGS_TABLE } from "#shared/store/table.ts";

const S = AttributeType.STRING;

/** The findings table, built from the one definition the store code and the dynalite tests use. */
export class FindingsTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string) {
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
  }

  /** ARNs of the table and of each GSI by name: grants without a `/index/*` wildcard. */
  arns(): string[] {
    return [
      this.table.tableArn,
      ...FINDINGS_TABLE.globalSecondaryIndexes.map((g) => `${this.table.tableArn}/index/${g.indexName}`),
    ];
  }
}
