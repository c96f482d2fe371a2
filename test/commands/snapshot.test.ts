import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Estate, loadEstateFile } from "#shared/estate/index.ts";
import { type Finding, findingKey } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { ACCOUNT, capacityEstate, PLANTED_SECRETS, REGION } from "#test/inventory/capacity-estate.ts";
import { runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";
import { assembledFromEstate } from "#test/support/inventory.ts";

const SCOPE = ["--org", "--regions", "eu-west-1,us-east-1", "--store", "none"];

describe("Command: eks-audit snapshot", () => {
  it("records an estate that replays to the same findings, without the user data's secrets", async () => {
    // Prepare
    const out = join(mkdtempSync(join(tmpdir(), "eks-audit-snap-")), "snapshot.json");

    // Act
    const snap = await runCli([
      "snapshot",
      "--estate",
      SAMPLE_ESTATE,
      "--org",
      "--regions",
      "eu-west-1,us-east-1",
      "--out",
      out,
    ]);
    const original = await runCli(["scan", "--estate", SAMPLE_ESTATE, ...SCOPE, "--format", "json"]);
    const replay = await runCli(["scan", "--estate", out, ...SCOPE, "--format", "json"]);

    // Assess
    // The sample's denied account, disabled region and failing scope are skipped: the snapshot is incomplete.
    expect(snap.code, snap.stderr).toBe(4);
    expect(snap.stderr).toMatch(/incomplete: \d+ account-region\(s\) skipped \(exit 4\)/);
    expect(replay.code, replay.stderr).toBe(4); // the replayed denials and disabled region
    const estate = await loadEstateFile(out);
    expect(estate.faults?.assumeRoleDenied).toEqual(["444455556666"]);
    expect(estate.faults?.regionsNotEnabled).toEqual({ "333344445555": ["us-east-1"] });
    // The scope whose DescribeRouteTables always failed was not recorded, so it has no findings in the replay.
    const keys = (run: string) =>
      (JSON.parse(run) as Finding[])
        .filter((f) => !(f.accountId === "222233334444" && f.region === "us-east-1"))
        .map((f) => `${f.accountId}#${findingKey(f)}#${f.severity}`)
        .sort();
    expect(keys(replay.stdout)).toEqual(keys(original.stdout));
    expect(readFileSync(out, "utf8")).not.toMatch(/sample-estate-FAKE-db-password/);
  });

  it("records the calls that failed for one resource as faults, so the replay names the same unread resources", async () => {
    // Prepare: payments-euw1's add-on is denied and the region refuses m5.large.
    const dir = mkdtempSync(join(tmpdir(), "eks-audit-snap-"));
    const source = join(dir, "faulty.json");
    const out = join(dir, "snapshot.json");
    const estate = await loadEstateFile(SAMPLE_ESTATE);
    const payments = { accountId: "222233334444", region: "eu-west-1" };
    estate.faults = {
      failingCalls: [
        {
          ...payments,
          operation: "DescribeAddon",
          errorCode: "AccessDeniedException",
          resources: ["payments-euw1"],
        },
        {
          ...payments,
          operation: "DescribeInstanceTypes",
          errorCode: "InvalidInstanceType",
          resources: ["m5.large"],
        },
      ],
    };
    writeFileSync(source, JSON.stringify(estate));
    const scope = ["--accounts", payments.accountId, "--regions", payments.region, "--store", "none"];

    // Act
    const snap = await runCli(["snapshot", "--estate", source, ...scope.slice(0, 4), "--out", out]);
    const original = await runCli(["scan", "--estate", source, ...scope, "--format", "json"]);
    const replay = await runCli(["scan", "--estate", out, ...scope, "--format", "json"]);

    // Assess
    expect(snap.code, snap.stderr).toBe(0);
    expect(snap.stderr).toContain(
      "222233334444/eu-west-1: DescribeAddon vpc-cni not read: AccessDeniedException",
    );
    const recorded = await loadEstateFile(out);
    expect(recorded.faults?.failingCalls).toEqual([
      {
        ...payments,
        operation: "DescribeAddon",
        errorCode: "AccessDeniedException",
        resources: ["payments-euw1", "vpc-cni"],
      },
      {
        ...payments,
        operation: "DescribeInstanceTypes",
        errorCode: "InvalidInstanceType",
        resources: ["m5.large"],
      },
    ]);
    const keys = (run: string) =>
      (JSON.parse(run) as Finding[]).map((f) => `${f.accountId}#${findingKey(f)}#${f.severity}`).sort();
    expect(keys(original.stdout)).toContain(
      "222233334444#eu-west-1#payments-euw1#scan.access-denied#payments-euw1#DescribeAddon#HIGH",
    );
    expect(keys(replay.stdout)).toEqual(keys(original.stdout));
  });

  it("records every kind of node capacity in the v2 keys, replaying to the same capacity and findings", async () => {
    // Prepare: Karpenter, self-managed, Auto Mode (hidden instances) and Fargate, secrets in user data
    const dir = mkdtempSync(join(tmpdir(), "eks-audit-snap-"));
    const source = join(dir, "capacity.json");
    const out = join(dir, "snapshot.json");
    const { estate, ids } = capacityEstate();
    writeFileSync(source, JSON.stringify(estate));
    const scope = ["--accounts", ACCOUNT, "--regions", REGION];

    // Act
    const snap = await runCli(["snapshot", "--estate", source, ...scope, "--out", out]);
    const scan = (file: string) =>
      runCli(["scan", "--estate", file, ...scope, "--store", "none", "--format", "json"]);
    const original = await scan(source);
    const replay = await scan(out);

    // Assess
    expect(snap.code, snap.stderr).toBe(0);
    const text = readFileSync(out, "utf8");
    for (const secret of PLANTED_SECRETS) expect(text).not.toContain(secret);
    const recorded = await loadEstateFile(out);
    expect(recorded.version).toBe(2);
    const region = recorded.accounts[ACCOUNT]?.regions[REGION];
    expect(
      (region?.ec2.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId)).sort(),
    ).toEqual(Object.values(ids.nodes).sort());
    expect(region?.ec2.LaunchTemplates?.map((t) => t.LaunchTemplateId)).toEqual([ids.karpenterTemplate]);
    expect(region?.ec2.SubnetCidrReservations).toHaveLength(2);
    expect(region?.autoscaling?.AutoScalingGroups).toHaveLength(2);
    expect(region?.eks.clusters.map((c) => c.fargateProfiles?.map((p) => p.fargateProfileName))).toEqual([
      ["fp-batch"],
      [],
    ]);
    const keys = (run: string) =>
      (JSON.parse(run) as Finding[]).map((f) => `${findingKey(f)}#${f.severity}`).sort();
    expect(original.code, original.stderr).not.toBe(1);
    expect(keys(replay.stdout)).toEqual(keys(original.stdout));
    const capacity = async (e: Estate) => summary(await assembledFromEstate(e, ACCOUNT, REGION));
    expect(await capacity(recorded)).toEqual(await capacity(estate));
  });

  it("refuses to overwrite an existing --out without --force, leaving the file as it was", async () => {
    // Prepare
    const out = join(mkdtempSync(join(tmpdir(), "eks-audit-snap-")), "mine.json");
    writeFileSync(out, "my notes\n");
    const scope = ["--estate", SAMPLE_ESTATE, "--account", "555566667777", "--region", "eu-west-1"];

    // Act
    const refused = await runCli(["snapshot", ...scope, "--out", out]);
    const kept = readFileSync(out, "utf8");
    const forced = await runCli(["snapshot", ...scope, "--out", out, "--force"]);

    // Assess
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toBe(
      `eks-audit: --out ${out}: the file exists; pass --force to overwrite it (nothing was written).\n`,
    );
    expect(kept).toBe("my notes\n");
    expect(forced.code, forced.stderr).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(100);
    expect(Object.keys((await loadEstateFile(out)).accounts)).toEqual(["555566667777"]);
  });
});

/** What the rules read of the capacity: each group's fields without its source records, and kubelet settings. */
function summary(inventory: Inventory) {
  return {
    groups: inventory.clusters.flatMap((c) =>
      c.capacity.map(({ source: _source, nodes, ...g }) => ({
        ...g,
        nodes: nodes.map((n) => [n.id, n.subnetId, n.enis.length, n.branchEnis.length]),
      })),
    ),
    unattributed: inventory.clusters.map((c) => c.unattributedNodes.length),
    kubelet: inventory.kubelet,
    reservations: inventory.subnetCidrReservations.map((r) => r.Cidr).sort(),
  };
}
