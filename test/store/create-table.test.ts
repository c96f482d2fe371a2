import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";

describe("Function: createFindingsTable", () => {
  let dynamo: LocalDynamo;

  beforeAll(async () => {
    // Prepare: a new table stays CREATING for 300 ms, as a real one does for seconds
    dynamo = await startDynalite({ createTableMs: 300 });
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  it("returns once the table is ACTIVE, so the first write right after it lands", async () => {
    // Act
    const table = await dynamo.createTable();
    const put = dynamo.doc.send(new PutCommand({ TableName: table, Item: { pk: "SCOPE#a", sk: "b" } }));

    // Assess: a CREATING table answers ResourceNotFoundException
    await expect(put).resolves.toBeDefined();
  });
});
