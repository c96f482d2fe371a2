import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import type { SubnetSample } from "#shared/inventory/types.ts";
import { TableHandle } from "#shared/store/handle.ts";
import {
  type FindingsStore,
  SAMPLE_RETENTION_DAYS,
  StoreDataError,
  sampleSk,
  subnetPk,
} from "#shared/store/index.ts";
import { freshStorePerTest, type LocalDynamo } from "#test/support/dynalite.ts";

let dynamo: LocalDynamo;
let table: string;
let store: FindingsStore;

freshStorePerTest((fresh) => {
  ({ dynamo, table, store } = fresh);
});

function sample(at: string, availableIps: number, accountId = "111122223333"): SubnetSample {
  return {
    subnetId: "subnet-0abc",
    accountId,
    region: "eu-west-1",
    availabilityZone: "eu-west-1a",
    at,
    availableIps,
    nodes: 3,
    groups: [
      {
        cluster: "prod",
        group: "web",
        kind: "managed-nodegroup",
        instanceType: "m5.large",
        launchIps: 20,
        needIps: 20,
        fitsAtLaunch: Math.floor(availableIps / 20),
        fitsAtFull: Math.floor(availableIps / 30),
        podsAtLaunch: Math.floor(availableIps / 20),
        podsAtFull: Math.floor(availableIps / 30) * 27,
        nodes: 3,
      },
    ],
  };
}

describe("Class: SampleLog (store.samples)", () => {
  it("keeps one sample per subnet, account and hour, in one BatchWriteItem per 25", async () => {
    // Act: two samples of one hour for one account (the later one stays), another account's, the next hour's,
    // and a scan's thirty subnets at once.
    const first = await store.samples.record([
      sample("2026-12-01T06:15:00.000Z", 300),
      sample("2026-12-01T06:45:00.000Z", 290),
    ]);
    const other = await store.samples.record([sample("2026-12-01T06:50:00.000Z", 290, "222233334444")]);
    const next = await store.samples.record([sample("2026-12-01T07:05:00.000Z", 280)]);
    store.resetStats();
    const many = await store.samples.record(
      Array.from({ length: 30 }, (_, i) => ({
        ...sample("2026-12-01T08:05:00.000Z", 200),
        subnetId: `subnet-${i}`,
      })),
    );

    // Assess
    expect([first, other, next, many]).toEqual([1, 1, 1, 30]);
    expect(store.stats().writesByOperation).toMatchObject({ BatchWriteItem: 2, PutItem: 0 });
    const series = await store.samples.ofSubnet(
      "subnet-0abc",
      "2026-12-01T00:00:00.000Z",
      "2026-12-01T23:59:59.000Z",
    );
    expect(series.map((s) => [s.at, s.accountId, s.availableIps])).toEqual([
      ["2026-12-01T06:45:00.000Z", "111122223333", 290],
      ["2026-12-01T06:50:00.000Z", "222233334444", 290],
      ["2026-12-01T07:05:00.000Z", "111122223333", 280],
    ]);
    expect(series[0]).toEqual(sample("2026-12-01T06:45:00.000Z", 290));
  });

  it("deletes by key through the table's batch writer, 25 keys to a BatchWriteItem", async () => {
    // Prepare: thirty hours of one subnet's samples
    const hours = Array.from({ length: 30 }, (_, i) =>
      sample(new Date(Date.UTC(2026, 11, 1, 0, 5) + i * 3_600_000).toISOString(), 300 - i),
    );
    await store.samples.record(hours);
    const handle = new TableHandle(dynamo.doc, table);

    // Act: all but the last three
    await handle.batchDelete(
      hours.slice(0, 27).map((s) => ({ pk: subnetPk(s.subnetId), sk: sampleSk(s.at, s.accountId) })),
      "sample",
    );

    // Assess
    expect(handle.stats().writesByOperation).toMatchObject({ BatchWriteItem: 2 });
    const left = await store.samples.ofSubnet(
      "subnet-0abc",
      "2026-12-01T00:00:00.000Z",
      "2026-12-03T00:00:00.000Z",
    );
    expect(left.map((s) => s.availableIps)).toEqual([273, 272, 271]);
  });

  it("expires a sample 180 days after it was taken, under a key the console can query", async () => {
    await store.samples.record([sample("2026-12-01T06:15:00.000Z", 300)]);
    const item = (
      await dynamo.doc.send(
        new GetCommand({
          TableName: table,
          Key: { pk: "SUBNET#subnet-0abc", sk: "SAMPLE#2026-12-01T06#111122223333" },
        }),
      )
    ).Item;
    expect(item?.expiresAt).toBe(
      Date.parse("2026-12-01T06:15:00.000Z") / 1000 + SAMPLE_RETENTION_DAYS * 86_400,
    );
    expect(item?.itemType).toBe("SAMPLE");
  });

  it("reads only the asked window, for each subnet with one Query", async () => {
    await store.samples.record([
      sample("2026-11-01T06:15:00.000Z", 500),
      sample("2026-11-20T06:15:00.000Z", 400),
      sample("2026-12-01T06:15:00.000Z", 300),
    ]);
    store.resetStats();
    const bySubnet = await store.samples.ofSubnets(
      ["subnet-0abc", "subnet-0none"],
      "2026-11-17T06:15:00.000Z",
      "2026-12-01T06:15:00.000Z",
    );
    expect(bySubnet.get("subnet-0abc")?.map((s) => s.availableIps)).toEqual([400, 300]);
    expect(bySubnet.get("subnet-0none")).toEqual([]);
    expect(store.stats().readCalls).toBe(2);
  });

  it("names the item when a stored sample is malformed", async () => {
    const at = "2026-12-01T06:15:00.000Z";
    await dynamo.doc.send(
      new PutCommand({
        TableName: table,
        Item: { pk: subnetPk("subnet-0abc"), sk: sampleSk(at, "111122223333"), at, subnetId: "subnet-0abc" },
      }),
    );
    const read = store.samples.ofSubnet(
      "subnet-0abc",
      "2026-12-01T00:00:00.000Z",
      "2026-12-02T00:00:00.000Z",
    );
    await expect(read).rejects.toThrow(StoreDataError);
    await expect(read).rejects.toThrow("SUBNET#subnet-0abc SAMPLE#2026-12-01T06#111122223333");
  });
});
