import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { findingKey, type UnreadResource } from "#shared/findings/index.ts";
import { accountPk, type FindingsStore, findingSk, type Transition } from "#shared/store/index.ts";
import { freshStorePerTest, type LocalDynamo } from "#test/support/dynalite.ts";
import { ACCOUNT, at, complete, finding, REGION, SCOPE } from "./fixtures.ts";

let dynamo: LocalDynamo;
let table: string;
let store: FindingsStore;

freshStorePerTest((fresh) => {
  ({ dynamo, table, store } = fresh);
});

async function rawItem(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
  const out = await dynamo.doc.send(new GetCommand({ TableName: table, Key: { pk, sk } }));
  return out.Item;
}

function summary(transitions: readonly Transition[]): string[] {
  return transitions.map((t) => `${t.type} ${t.finding.accountId} ${findingKey(t.finding)}`).sort();
}

describe("Method: FindingsWriter.reconcileScope with unread resources", () => {
  const nodegroup = finding({ ruleId: "sg.ssh-open-to-world", resourceId: "ng-web", severity: "CRITICAL" });
  const addonRule = finding({ ruleId: "ip.prefix-fragmentation", resourceId: "subnet-2", severity: "HIGH" });
  const otherCluster = finding({
    cluster: "staging",
    ruleId: "ip.subnet-nearly-full",
    resourceId: "subnet-7",
  });
  const gone = finding({ ruleId: "elb.no-eligible-subnet", resourceId: "vpc-0abc" });

  it("never resolves an open finding about what a complete scan could not read, and writes nothing for it", async () => {
    // Prepare
    await store.writer.reconcileScope(
      SCOPE,
      [nodegroup, addonRule, otherCluster, gone],
      complete("run-1", at(0)),
    );
    const unread: UnreadResource[] = [
      {
        cluster: "prod",
        resourceId: "ng-web",
        what: "launch template lt-0abc version 3",
        errorName: "AccessDenied",
      },
      {
        cluster: "prod",
        rulePrefixes: ["ip."],
        what: "DescribeAddon vpc-cni",
        errorName: "ThrottlingException",
      },
    ];
    store.resetStats();

    // Act: the scan completed but produced none of the four
    const transitions = await store.writer.reconcileScope(SCOPE, [], {
      ...complete("run-2", at(60)),
      unread,
    });

    // Assess: only the findings about what was read are resolved
    expect(summary(transitions)).toEqual(
      [`RESOLVED ${ACCOUNT} ${findingKey(gone)}`, `RESOLVED ${ACCOUNT} ${findingKey(otherCluster)}`].sort(),
    );
    expect(store.stats().itemsWritten.finding).toBe(2);
    for (const kept of [nodegroup, addonRule]) {
      expect(await rawItem(accountPk(ACCOUNT), findingSk(kept))).toMatchObject({
        status: "OPEN",
        version: 1,
        lastChangedAt: at(0),
      });
    }
    expect((await store.reader.getScope(ACCOUNT, REGION))?.counts.open).toBe(2);
  });

  it("resolves the same findings once the resource is read again and they are gone", async () => {
    // Prepare
    await store.writer.reconcileScope(SCOPE, [nodegroup], complete("run-1", at(0)));
    await store.writer.reconcileScope(SCOPE, [], {
      ...complete("run-2", at(60)),
      unread: [{ cluster: "prod", what: "DescribeNodegroup", errorName: "ThrottlingException" }],
    });

    // Act
    const transitions = await store.writer.reconcileScope(SCOPE, [], complete("run-3", at(120)));

    // Assess
    expect(summary(transitions)).toEqual([`RESOLVED ${ACCOUNT} ${findingKey(nodegroup)}`]);
  });
});
