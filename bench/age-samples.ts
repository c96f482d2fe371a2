/**
 * Between the benchmark's two runs: the first run's subnet samples are moved back a day, so the second run
 * finds the store as the next day's schedule does (yesterday's sample of every capacity subnet, none of this
 * hour) and writes its own samples, as the daily run does. Without this, a re-run within the same hour writes
 * no sample (the scan skips an hour its history read holds) and the "daily" figure would leave out the sample
 * writes.
 * The run itself is untouched: only the store it starts from is aged, through the store's own sample log.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, paginateScan } from "@aws-sdk/lib-dynamodb";
import { TableHandle } from "#shared/store/handle.ts";
import { FindingsStore, parseSampleItem } from "#shared/store/index.ts";

/** Moves every sample item back `hours`; returns how many were moved. */
export async function ageSamples(options: {
  endpoint: string;
  region: string;
  tableName: string;
  hours: number;
}): Promise<number> {
  const client = new DynamoDBClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const doc = DynamoDBDocumentClient.from(client);
  try {
    const store = new FindingsStore(doc, options.tableName);
    const keys: { pk: string; sk: string }[] = [];
    const aged = [];
    for await (const page of paginateScan(
      { client: doc },
      {
        TableName: options.tableName,
        FilterExpression: "itemType = :sample",
        ExpressionAttributeValues: { ":sample": "SAMPLE" },
      },
    )) {
      for (const raw of page.Items ?? []) {
        const sample = parseSampleItem(raw);
        keys.push({ pk: String(raw.pk), sk: String(raw.sk) });
        aged.push({
          ...sample,
          at: new Date(Date.parse(sample.at) - options.hours * 3_600_000).toISOString(),
        });
      }
    }
    await store.samples.record(aged);
    await new TableHandle(doc, options.tableName).batchDelete(keys, "sample");
    return keys.length;
  } finally {
    client.destroy();
  }
}
