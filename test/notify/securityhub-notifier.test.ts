import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { SNSClient } from "@aws-sdk/client-sns";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseEstate } from "#shared/estate/index.ts";
import type { Finding } from "#shared/findings/index.ts";
import { SnsNotifier } from "#shared/notify/index.ts";
import {
  asffFinding,
  ChannelDeliveryError,
  type DeliveryChannel,
  type DeliveryLedger,
  OutboxNotifier,
  SecurityHubChannel,
  SecurityHubImportError,
  SecurityHubImporter,
  SnsChannel,
} from "#shared/notify/securityhub/index.ts";
import { FindingsStore, type ReconcileOutcome } from "#shared/store/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { ACCOUNT, at, baseline, complete, finding, REGION, SCOPE } from "#test/store/fixtures.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";
import { TOPIC_ARN } from "./fixtures.ts";

const PRODUCT = `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`;
const LEASE_MS = 60_000;

let dynamo: LocalDynamo;
let sim: Simulator;
let sns: SNSClient;
let hub: SecurityHubClient;
let table: string;
let now: number;

const estate = parseEstate({
  version: 1,
  organization: { accounts: [{ Id: ACCOUNT, Status: "ACTIVE" }] },
  accounts: { [ACCOUNT]: { regions: { [REGION]: {} } } },
});

const credentials = { accessKeyId: "AKIA111122223333TEST", secretAccessKey: "x" };

beforeAll(async () => {
  [dynamo, sim] = await Promise.all([startDynalite(), startSimulator({ estate })]);
  sns = new SNSClient({ endpoint: sim.url, region: REGION, credentials, maxAttempts: 1 });
  // One attempt per call: the importer's own rounds are what these tests exercise.
  hub = new SecurityHubClient({
    endpoint: sim.url,
    region: REGION,
    credentials,
    retryStrategy: new ConfiguredRetryStrategy(1, 0),
  });
});

afterAll(async () => {
  sns.destroy();
  hub.destroy();
  await Promise.all([dynamo.stop(), sim.close()]);
});

beforeEach(async () => {
  sim.setEstate(estate);
  sim.published.length = 0;
  sim.securityHub.clear();
  sim.resetCounters();
  table = await dynamo.createTable();
  now = Date.now();
});

/** A store whose leases run on the test's clock (a redelivery comes after the dead container's lease ran out). */
function storeOf(): FindingsStore {
  return new FindingsStore(dynamo.doc, table, { clock: () => now });
}

function securityHubChannel(rounds = 3): SecurityHubChannel {
  return new SecurityHubChannel({
    client: hub,
    target: { accountId: ACCOUNT, partition: "aws", region: REGION },
    rounds,
    retryDelayMs: 0,
  });
}

function snsChannel(topicArn = TOPIC_ARN): SnsChannel {
  return new SnsChannel(new SnsNotifier({ sns, topicArn, minSeverity: "HIGH" }));
}

function notifier(
  ledger: DeliveryLedger,
  channels: DeliveryChannel[] = [securityHubChannel(), snsChannel()],
) {
  return new OutboxNotifier({ channels, ledger, leaseMs: LEASE_MS, claimRetryDelayMs: 5 });
}

/** What the scanner does for one SQS message: reconcile, then notify. */
async function scanTask(
  store: FindingsStore,
  n: OutboxNotifier,
  findings: Finding[],
  outcome: ReconcileOutcome,
) {
  const transitions = await store.writer.reconcileScope(SCOPE, findings, outcome);
  return n.notify(SCOPE, outcome.runId, transitions);
}

/**
 * A container that dies at `die()`: every later ledger call and channel delivery throws, as after a crash
 * (nothing of it reaches DynamoDB, Security Hub or SNS any more).
 */
function mortal(ledger: DeliveryLedger): {
  ledger: DeliveryLedger;
  die: () => void;
  channel: (c: DeliveryChannel) => DeliveryChannel;
} {
  let dead = false;
  const guard = <T>(call: () => Promise<T>): Promise<T> =>
    dead ? Promise.reject(new Error("the container died")) : call();
  return {
    die: () => {
      dead = true;
    },
    channel: (c) => ({ name: c.name, deliver: (s, r, t) => guard(() => c.deliver(s, r, t)) }),
    ledger: {
      hasPendingNotifications: (s) => guard(() => ledger.hasPendingNotifications(s)),
      claimNotifications: (s, r, o) => guard(() => ledger.claimNotifications(s, r, o)),
      pendingTransitions: (s) => guard(() => ledger.pendingTransitions(s)),
      markNotified: (t) => guard(() => ledger.markNotified(t)),
      markDelivered: (t, c) => guard(() => ledger.markDelivered(t, c)),
      releaseNotifications: (c, r) => guard(() => ledger.releaseNotifications(c, r)),
    },
  };
}

/** A channel that delivers with `inner`, then lets the container die (`after`), or dies before delivering. */
function dying(inner: DeliveryChannel, die: () => void, when: "before" | "after"): DeliveryChannel {
  return {
    name: inner.name,
    deliver: async (scope, runId, transitions) => {
      if (when === "before") {
        die();
        throw new Error(`${inner.name}: the container died before delivering`);
      }
      const result = await inner.deliver(scope, runId, transitions);
      die();
      throw new Error(`${inner.name}: the container died after delivering (result ${result.status})`);
    },
  };
}

const pendingMarkers = async (store: FindingsStore) => store.ledger.pendingTransitions(SCOPE);

describe("Class: OutboxNotifier (Security Hub and SNS)", () => {
  describe("Method: notify", () => {
    it("imports NEW findings, then only the changes with an archive on resolve, then nothing when unchanged", async () => {
      // Prepare
      const store = storeOf();
      const n = notifier(store.ledger);
      const changed = [
        ...baseline().filter((f) => f.ruleId !== "elb.no-eligible-subnet"),
        finding({
          ruleId: "ip.subnet-exhausted",
          resourceId: "subnet-2",
          severity: "CRITICAL",
          title: "Full",
        }),
      ];

      // Act
      const first = await scanTask(store, n, baseline(), complete("run-1", at(0)));
      const afterFirst = sim.securityHub.received().length;
      const second = await scanTask(store, n, changed, complete("run-2", at(60)));
      const secondImport = sim.securityHub.received().slice(afterFirst);
      const callsBefore = sim.securityHub.imports.length;
      const third = await scanTask(store, n, changed, complete("run-3", at(120)));

      // Assess: the first scan imports every finding, whatever its severity (SNS pages at HIGH)
      expect(first).toMatchObject({
        status: "published",
        securityHub: { productArn: PRODUCT, imported: 4, archived: 0, calls: 1 },
      });
      expect(afterFirst).toBe(4);
      expect(
        sim.securityHub
          .received()
          .slice(0, 4)
          .map((f) => `${f.GeneratorId} ${f.RecordState} ${f.Compliance?.Status} ${f.Workflow?.Status}`)
          .sort(),
      ).toEqual([
        "elb.no-eligible-subnet ACTIVE FAILED NEW",
        "elb.stale-cluster-tag ACTIVE FAILED NEW",
        "ip.subnet-nearly-full ACTIVE FAILED NEW",
        "sg.ssh-open-to-world ACTIVE FAILED NEW",
      ]);
      // The second: the new finding and the resolved one, nothing about the two unchanged
      expect(second.securityHub).toMatchObject({ imported: 2, archived: 1 });
      expect(
        secondImport.map((f) => `${f.GeneratorId} ${f.RecordState} ${f.Compliance?.Status}`).sort(),
      ).toEqual(["elb.no-eligible-subnet ARCHIVED PASSED", "ip.subnet-exhausted ACTIVE FAILED"]);
      const resolved = secondImport.find((f) => f.GeneratorId === "elb.no-eligible-subnet");
      expect(resolved?.UpdatedAt).toBe(at(60));
      expect(resolved?.CreatedAt).toBe(at(0)); // the store's firstSeen, not the resolution time
      // The third: no call at all
      expect(third.status).toBe("nothing-pending");
      expect(sim.securityHub.imports.length).toBe(callsBefore);
      expect(sim.published).toHaveLength(2);
      expect(await pendingMarkers(store)).toEqual([]);
    });

    it("reopens: a finding that comes back is imported ACTIVE again and Security Hub resets its workflow", async () => {
      // Prepare
      const store = storeOf();
      const n = notifier(store.ledger);
      await scanTask(store, n, baseline(), complete("run-1", at(0)));
      await scanTask(store, n, baseline().slice(1), complete("run-2", at(60)));
      const [key] = [...sim.securityHub.findings].find(
        ([, f]) => f.GeneratorId === "elb.no-eligible-subnet",
      ) ?? [""];

      // Act
      const held = sim.securityHub.findings.get(key);
      expect(held).toMatchObject({ RecordState: "ARCHIVED" });
      const reopened = await scanTask(store, n, baseline(), complete("run-3", at(120)));

      // Assess
      expect(reopened.securityHub).toMatchObject({ imported: 1, archived: 0 });
      expect(sim.securityHub.findings.get(key)).toMatchObject({
        RecordState: "ACTIVE",
        Compliance: { Status: "FAILED" },
        Workflow: { Status: "NEW" },
        ProductFields: expect.objectContaining({ "eksAuditor/Transition": "REOPENED" }),
      });
    });

    it("re-sends the findings Security Hub returned in FailedFindings", async () => {
      // Prepare
      const store = storeOf();
      sim.securityHub.rejectNext(2, "LimitExceeded");

      // Act
      const result = await scanTask(store, notifier(store.ledger), baseline(), complete("run-1", at(0)));

      // Assess
      expect(result.securityHub).toMatchObject({ imported: 4, resent: 2, calls: 2 });
      expect(sim.securityHub.findings.size).toBe(4);
      expect(sim.securityHub.imports[1]?.findings.map((f) => f.Id)).toEqual(
        sim.securityHub.imports[0]?.failed.map((f) => f.Id),
      );
    });

    it("reports what Security Hub keeps refusing, still pages once, and imports only on the next delivery", async () => {
      // Prepare
      const store = storeOf();
      sim.securityHub.rejectNext(1_000, "InvalidAccess", "Security Hub is not enabled");

      // Act
      const failure = await scanTask(
        store,
        notifier(store.ledger, [securityHubChannel(2), snsChannel()]),
        baseline(),
        complete("run-1", at(0)),
      ).catch((err: unknown) => err);
      const kept = await pendingMarkers(store);
      sim.securityHub.rejectNext(0);
      const retry = await notifier(store.ledger).notify(SCOPE, "run-1", []);

      // Assess
      expect(failure).toBeInstanceOf(ChannelDeliveryError);
      expect((failure as Error).message).toMatch(
        /^securityhub: SecurityHubImportError: Security Hub refused 4 finding/,
      );
      expect((failure as Error).message).toContain("InvalidAccess (Security Hub is not enabled)");
      expect(kept).toHaveLength(4);
      expect(kept.every((t) => t.deliveredTo?.join() === "sns")).toBe(true);
      expect(retry).toMatchObject({ status: "imported", securityHub: { imported: 4 } });
      expect(sim.published).toHaveLength(1); // the page went out once, on the first delivery
      expect(sim.securityHub.findings.size).toBe(4);
      expect(await pendingMarkers(store)).toEqual([]);
      expect(await store.ledger.hasPendingNotifications(SCOPE)).toBe(false);
    });

    it("does nothing when SQS redelivers after a delivery that went through", async () => {
      // Prepare
      const store = storeOf();
      const outcome = complete("run-1", at(0));
      await scanTask(store, notifier(store.ledger), baseline(), outcome);
      const calls = sim.securityHub.imports.length;

      // Act
      const again = await scanTask(store, notifier(store.ledger), baseline(), outcome);

      // Assess
      expect(again.status).toBe("nothing-pending");
      expect(sim.securityHub.imports.length).toBe(calls);
      expect(sim.published).toHaveLength(1);
    });
  });

  describe("Class: SecurityHubImporter", () => {
    const target = { accountId: ACCOUNT, partition: "aws", region: REGION };
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        asffFinding(
          {
            finding: finding({
              ruleId: "node.health-issues",
              resourceId: `ng-${i}`,
              variant: "AsgInstanceLaunchFailures",
            }),
            state: "open",
            firstSeen: at(0),
            observedAt: at(0),
          },
          target,
        ),
      );

    it("sends at most 100 findings a call", async () => {
      // Act
      const report = await new SecurityHubImporter({ client: hub }).importFindings(many(250));

      // Assess
      expect(report).toEqual({ imported: 250, calls: 3, resent: 0 });
      expect(sim.securityHub.imports.map((c) => c.findings.length)).toEqual([100, 100, 50]);
      expect(new Set(sim.securityHub.received().map((f) => f.Id)).size).toBe(250);
    });

    it("gets through throttling (TooManyRequestsException) by re-sending the throttled batches", async () => {
      // Prepare: one call, then one more every half second
      sim.setEstate(parseEstate({ ...estate, faults: { throttle: { bucket: 1, refillPerSecond: 2 } } }));
      const importer = new SecurityHubImporter({ client: hub, rounds: 8, retryDelayMs: 100 });

      // Act
      const report = await importer.importFindings(many(201));

      // Assess
      expect(sim.calls.throttled()).toBeGreaterThan(0);
      expect(report.imported).toBe(201);
      expect(report.resent).toBeGreaterThan(0);
      expect(sim.securityHub.findings.size).toBe(201);
    });

    it("throws what is still throttled after its last round, naming the findings", async () => {
      // Prepare
      sim.setEstate(parseEstate({ ...estate, faults: { throttle: { bucket: 1, refillPerSecond: 0.01 } } }));
      const importer = new SecurityHubImporter({ client: hub, rounds: 2, retryDelayMs: 1 });

      // Act
      const err = await importer.importFindings(many(101)).catch((e: unknown) => e);

      // Assess
      expect(err).toBeInstanceOf(SecurityHubImportError);
      expect((err as SecurityHubImportError).failed).toHaveLength(1);
      expect((err as Error).message).toContain("TooManyRequestsException (the call was throttled)");
    });
  });

  describe("Redelivery after a crash", () => {
    /** The first delivery dies inside `channels`; the redelivery comes after its lease ran out, in a new container. */
    async function crashThenRedeliver(channelsOf: (die: () => void) => DeliveryChannel[]) {
      const store = storeOf();
      const first = mortal(store.ledger);
      const transitions = await store.writer.reconcileScope(SCOPE, baseline(), complete("run-1", at(0)));
      const crash = await notifier(first.ledger, channelsOf(first.die).map(first.channel))
        .notify(SCOPE, "run-1", transitions)
        .catch((err: unknown) => err);
      now += LEASE_MS + 1;
      const redelivered = await scanTask(
        storeOf(),
        notifier(storeOf().ledger),
        baseline(),
        complete("run-1", at(5)),
      );
      return { crash, redelivered, store };
    }

    it("between the two channels (import recorded, Publish not sent): each channel sends once", async () => {
      // Act
      const { crash, redelivered, store } = await crashThenRedeliver((die) => [
        securityHubChannel(),
        dying(snsChannel(), die, "before"),
      ]);

      // Assess
      expect(crash).toBeInstanceOf(Error);
      expect(redelivered).toMatchObject({ status: "published" });
      expect(redelivered.securityHub).toBeUndefined(); // nothing left for Security Hub
      expect(sim.securityHub.imports).toHaveLength(1);
      expect(sim.securityHub.received()).toHaveLength(4);
      expect(sim.published).toHaveLength(1);
      expect(await pendingMarkers(store)).toEqual([]);
    });

    it("after the import, before its record (the documented window): sent again, and Security Hub ignores it", async () => {
      // Act
      const { redelivered } = await crashThenRedeliver((die) => [
        dying(securityHubChannel(), die, "after"),
        snsChannel(),
      ]);

      // Assess: one duplicate call, whose findings carry the same UpdatedAt, so Security Hub changes nothing
      expect(redelivered).toMatchObject({ status: "published", securityHub: { imported: 4 } });
      expect(sim.securityHub.imports).toHaveLength(2);
      expect(sim.securityHub.imports[1]?.outcomes).toEqual(["ignored", "ignored", "ignored", "ignored"]);
      expect(sim.securityHub.accepted()).toHaveLength(4);
      expect(sim.published).toHaveLength(1);
    });

    it("after Publish, before the markers' removal: SNS's own window, Security Hub gets nothing", async () => {
      // Act
      const { redelivered } = await crashThenRedeliver((die) => [
        securityHubChannel(),
        dying(snsChannel(), die, "after"),
      ]);

      // Assess
      expect(redelivered.status).toBe("published");
      expect(sim.securityHub.imports).toHaveLength(1);
      expect(sim.published).toHaveLength(2); // the duplicate page the SNS notifier documents
    });
  });
});
