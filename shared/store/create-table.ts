import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createTableInput } from "./table.ts";

/** How long a new table may stay CREATING: dynalite activates it at once, DynamoDB within seconds. */
const ACTIVE_WITHIN_MS = 60_000;
const POLL_MS = 25;

/**
 * Creates the findings table and returns once it is ACTIVE. CreateTable answers while the table is still
 * CREATING, and until it is ACTIVE every item call fails with ResourceNotFoundException (DynamoDB, and
 * dynalite: db/index.js `getTable` refuses a CREATING table), so a caller that writes at once can lose the race.
 * Not exported from the store's index: only the CLI's local store, tests and the benchmark create tables.
 */
export async function createFindingsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  const deadline = Date.now() + ACTIVE_WITHIN_MS;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === "ACTIVE") return;
    if (Date.now() > deadline)
      throw new Error(
        `table ${tableName} is still ${Table?.TableStatus ?? "unknown"} after ${ACTIVE_WITHIN_MS / 1000} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
