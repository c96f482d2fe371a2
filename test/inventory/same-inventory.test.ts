import type { LaunchTemplateVersion } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CallRecorder } from "#shared/aws/call-recorder.ts";
import { AwsClientFactory } from "#shared/aws/clients.ts";
import { type Estate, type EstateRegion, loadEstateFile } from "#shared/estate/index.ts";
import {
  assembleInventory,
  clusterVpcIds,
  instanceTypesToDescribe,
  nodeSecurityGroupIds,
  prefixDelegationSubnets,
} from "#shared/inventory/assemble.ts";
import { collectInventory } from "#shared/inventory/collect.ts";
import type { Inventory, RawRegion } from "#shared/inventory/types.ts";
import { launchTemplateVersionOf } from "#shared/models/security-groups/node-security-groups.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { instanceCatalog } from "#sim/instance-catalog.ts";
import { SAMPLE_ESTATE } from "#test/support/cli.ts";
import { rawRegionOf } from "#test/support/inventory.ts";

const SGP_ENI_DESCRIPTIONS = ["aws-k8s-branch-eni", "aws-k8s-trunk-eni"];

/**
 * An estate region cut down to what the collector deliberately reads, plus what the simulator adds:
 * - a region without clusters: its subnets and VPCs only;
 * - route tables: those of the cluster VPCs;
 * - security groups: those of the cluster VPCs and those anywhere whose ingress names a node SG;
 * - ENIs: the SGP trunk/branch ENIs of the cluster VPCs and every ENI of a prefix-delegation node subnet;
 * - launch template versions: the ones node groups use; instance types: the ones node groups launch;
 * - add-ons: vpc-cni only; no Fargate profiles;
 * - the simulator answers instance types the estate lacks from its catalogue (a snapshot holds them all).
 */
async function whatTheCollectorReads(region: EstateRegion): Promise<RawRegion> {
  // The collector does not list Fargate profiles yet (issue 16 adds it).
  const clustersRead = region.eks.clusters.map(({ fargateProfiles: _notCollected, ...c }) => c);
  const raw = structuredClone(rawRegionOf({ ...region, eks: { clusters: clustersRead } }));
  const { ec2 } = raw;
  const clusters = raw.eks.clusters.map((c) => ({
    ...c,
    addons: c.addons.filter((a) => a.addonName === "vpc-cni"),
  }));
  if (clusters.length === 0) {
    return {
      ec2: { ...rawRegionOf(undefined).ec2, Vpcs: ec2.Vpcs, Subnets: ec2.Subnets },
      eks: { clusters },
    };
  }
  const vpcs = new Set(clusterVpcIds(clusters, ec2.Subnets));
  const nodeSgs = new Set(nodeSecurityGroupIds(clusters, ec2.LaunchTemplateVersions));
  const pdSubnets = new Set(prefixDelegationSubnets(clusters, []));
  const used = new Set<LaunchTemplateVersion>(
    clusters.flatMap((c) =>
      c.nodegroups.flatMap((ng) => launchTemplateVersionOf(ng, ec2.LaunchTemplateVersions) ?? []),
    ),
  );
  const versions = ec2.LaunchTemplateVersions.filter((v) => used.has(v));
  const types = instanceTypesToDescribe(clusters, versions);
  const catalog = await instanceCatalog();
  return {
    ec2: {
      Vpcs: ec2.Vpcs,
      Subnets: ec2.Subnets,
      RouteTables: ec2.RouteTables.filter((t) => vpcs.has(t.VpcId ?? "")),
      SecurityGroups: ec2.SecurityGroups.filter(
        (g) =>
          vpcs.has(g.VpcId ?? "") ||
          (g.IpPermissions ?? []).some((p) =>
            (p.UserIdGroupPairs ?? []).some((u) => nodeSgs.has(u.GroupId ?? "")),
          ),
      ),
      InstanceTypes: types.flatMap((t) => {
        const own = ec2.InstanceTypes.find((i) => i.InstanceType === t);
        return own
          ? [own]
          : ((catalog.get(t) as RawRegion["ec2"]["InstanceTypes"][number] | undefined) ?? []);
      }),
      LaunchTemplateVersions: versions,
      NetworkInterfaces: ec2.NetworkInterfaces.filter(
        (n) =>
          (vpcs.has(n.VpcId ?? "") && SGP_ENI_DESCRIPTIONS.includes(n.Description ?? "")) ||
          pdSubnets.has(n.SubnetId ?? ""),
      ),
    },
    eks: { clusters },
  };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const ID_OF: Record<string, (item: Record<string, unknown>) => unknown> = {
  instanceTypes: (t) => t.InstanceType,
  launchTemplateVersions: (v) => `${v.LaunchTemplateId}:${v.VersionNumber}`,
  networkInterfaces: (n) => n.NetworkInterfaceId,
};

/**
 * Comparable form: Dates (SDK) and ISO strings (estate) as one ISO string; lists whose order follows the
 * order of the collector's calls (instance types, versions, ENIs) sorted by id.
 */
function comparable(inventory: Inventory): unknown {
  const json = JSON.parse(
    JSON.stringify(inventory, (_key, value: unknown) =>
      typeof value === "string" && ISO_DATE.test(value) ? new Date(value).toISOString() : value,
    ),
  ) as Record<string, Record<string, unknown>[]>;
  for (const [field, idOf] of Object.entries(ID_OF)) {
    json[field] = [...(json[field] ?? [])].sort((a, b) => String(idOf(a)).localeCompare(String(idOf(b))));
  }
  return json;
}

describe("Module: the one inventory assembly", () => {
  let estate: Estate;
  let sim: Simulator;

  beforeAll(async () => {
    const sample = await loadEstateFile(SAMPLE_ESTATE);
    estate = { ...sample, faults: {} };
    sim = await startSimulator({ estate });
  });

  afterAll(async () => {
    await sim.close();
  });

  it("gives the same Inventory from a live collection and from the estate, in every scope of the sample", async () => {
    // Prepare
    const scopes = Object.entries(estate.accounts).flatMap(([accountId, a]) =>
      Object.keys(a.regions).map((region) => ({ accountId, region })),
    );
    const factory = new AwsClientFactory({
      runId: "same-inventory",
      endpoint: sim.url,
      homeRegion: "eu-west-1",
      credentials: async () => ({ accessKeyId: "AKIA111122223333TEST", secretAccessKey: "x" }),
      recorder: new CallRecorder(),
    });

    for (const scope of scopes) {
      // Act
      const [ec2, eks] = await Promise.all([
        factory.ec2(scope.accountId, scope.region),
        factory.eks(scope.accountId, scope.region),
      ]);
      const live = await collectInventory({ ...scope, ec2, eks });
      const region = estate.accounts[scope.accountId]?.regions[scope.region] as EstateRegion;
      const fromEstate = await assembleInventory(scope, await whatTheCollectorReads(region));

      // Assess
      expect(comparable(live), `${scope.accountId}/${scope.region}`).toEqual(comparable(fromEstate));
    }
    factory.destroy();
    expect(scopes.length).toBeGreaterThan(5);
  });
});
