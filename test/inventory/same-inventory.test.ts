import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CallRecorder } from "#shared/aws/call-recorder.ts";
import { AwsClientFactory } from "#shared/aws/clients.ts";
import { type Estate, type EstateRegion, loadEstateFile } from "#shared/estate/index.ts";
import {
  assembleInventory,
  clusterVpcIds,
  deriveClusterViews,
  fargatePodEniScope,
  instanceTypesToDescribe,
  launchTemplatesToDescribe,
  nodeSecurityGroupIds,
  prefixDelegationSubnets,
} from "#shared/inventory/assemble.ts";
import {
  KARPENTER_TEMPLATE_TAG_KEYS,
  NODE_STATES,
  NODE_TAG_KEYS,
  templateVersionOf,
} from "#shared/inventory/capacity.ts";
import { collectInventory } from "#shared/inventory/collect.ts";
import type { Inventory, RawRegion } from "#shared/inventory/types.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { instanceCatalog } from "#sim/instance-catalog.ts";
import { SAMPLE_ESTATE } from "#test/support/cli.ts";
import { rawRegionOf } from "#test/support/inventory.ts";

/**
 * An estate region cut down to what the collector deliberately reads, plus what the simulator adds:
 * - a region without clusters: its subnets and VPCs only;
 * - route tables: those of the cluster VPCs;
 * - security groups: those of the cluster VPCs and those anywhere whose ingress names a node SG;
 * - instances: running or pending ones of the cluster VPCs carrying a node tag; Auto Scaling groups tagged
 *   for a cluster; launch templates tagged by Karpenter; Fargate profiles of each cluster;
 * - ENIs: SGP trunk/branch ENIs and ipamd's of the cluster VPCs, every ENI of a prefix-delegation capacity
 *   subnet, requester-managed ENIs with the cluster SG in Fargate subnets; CIDR reservations of the
 *   prefix-delegation subnets;
 * - launch template versions: the ones capacity groups launch; instance types: the ones they launch or run;
 * - add-ons: vpc-cni only;
 * - the simulator answers instance types the estate lacks from its catalogue (a snapshot holds them all).
 */
async function whatTheCollectorReads(region: EstateRegion): Promise<RawRegion> {
  const raw = structuredClone(rawRegionOf(region));
  const { ec2 } = raw;
  const base = raw.eks.clusters.map((c) => ({
    ...c,
    addons: c.addons.filter((a) => a.addonName === "vpc-cni"),
    fargateProfiles: c.fargateProfiles ?? [],
  }));
  if (base.length === 0) {
    return {
      ec2: { ...rawRegionOf(undefined).ec2, Vpcs: ec2.Vpcs, Subnets: ec2.Subnets },
      eks: { clusters: base },
    };
  }
  const names = base.map((c) => c.cluster.name ?? "");
  const vpcs = new Set(clusterVpcIds(base, ec2.Subnets));
  const tagKeys = new Set([...NODE_TAG_KEYS, ...names.map((n) => `kubernetes.io/cluster/${n}`)]);
  const reservations = (ec2.Reservations ?? []).flatMap((r) => {
    const instances = (r.Instances ?? []).filter(
      (i) =>
        vpcs.has(i.VpcId ?? "") &&
        NODE_STATES.includes(i.State?.Name ?? "") &&
        (i.Tags ?? []).some((t) => tagKeys.has(t.Key ?? "")),
    );
    return instances.length > 0 ? [{ ...r, Instances: instances }] : [];
  });
  const clusterTags = new Set(names.map((n) => `kubernetes.io/cluster/${n}`));
  const partial: RawRegion = {
    ec2: {
      ...ec2,
      Reservations: reservations,
      LaunchTemplates: (ec2.LaunchTemplates ?? []).filter((t) =>
        (t.Tags ?? []).some((tag) => KARPENTER_TEMPLATE_TAG_KEYS.includes(tag.Key ?? "")),
      ),
    },
    eks: { clusters: base },
    autoscaling: {
      AutoScalingGroups: (raw.autoscaling?.AutoScalingGroups ?? []).filter((g) =>
        (g.Tags ?? []).some((t) => clusterTags.has(t.Key ?? "")),
      ),
    },
  };
  const firstViews = base.map((c) => deriveClusterViews(c, partial, []));
  const templates = launchTemplatesToDescribe(firstViews);
  const versions = ec2.LaunchTemplateVersions.filter((v) =>
    [...(templates.get(v.LaunchTemplateId ?? "") ?? [])].some(
      (spec) =>
        templateVersionOf({ id: v.LaunchTemplateId, version: spec }, ec2.LaunchTemplateVersions) === v,
    ),
  );
  partial.ec2.LaunchTemplateVersions = versions;
  const views = base.map((c) => deriveClusterViews(c, partial, []));
  const nodeSgs = new Set(nodeSecurityGroupIds(views));
  const pdSubnets = new Set(prefixDelegationSubnets(views));
  const fargate = fargatePodEniScope(views);
  const types = instanceTypesToDescribe(views);
  const catalog = await instanceCatalog();
  const isK8sEni = (d: string) => SGP_ENI_DESCRIPTIONS.includes(d) || d.startsWith("aws-K8S-");
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
          (vpcs.has(n.VpcId ?? "") && isK8sEni(n.Description ?? "")) ||
          pdSubnets.has(n.SubnetId ?? "") ||
          (fargate.subnetIds.includes(n.SubnetId ?? "") &&
            n.RequesterManaged === true &&
            (n.Groups ?? []).some((g) => fargate.groupIds.includes(g.GroupId ?? ""))),
      ),
      Reservations: reservations,
      LaunchTemplates: partial.ec2.LaunchTemplates ?? [],
      SubnetCidrReservations: (ec2.SubnetCidrReservations ?? []).filter((r) =>
        pdSubnets.has(r.SubnetId ?? ""),
      ),
    },
    eks: { clusters: base },
    autoscaling: partial.autoscaling ?? { AutoScalingGroups: [] },
  };
}

const SGP_ENI_DESCRIPTIONS = ["aws-k8s-branch-eni", "aws-k8s-trunk-eni"];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const ID_OF: Record<string, (item: Record<string, unknown>) => unknown> = {
  instanceTypes: (t) => t.InstanceType,
  launchTemplateVersions: (v) => `${v.LaunchTemplateId}:${v.VersionNumber}`,
  networkInterfaces: (n) => n.NetworkInterfaceId,
  // One GetSubnetCidrReservations per prefix-delegation subnet: they land in the order of those calls.
  subnetCidrReservations: (r) => r.SubnetCidrReservationId,
};

/**
 * Comparable form: Dates (SDK) and ISO strings (estate) as one ISO string; lists whose order follows the
 * order of the collector's calls (instance types, versions, ENIs, CIDR reservations) sorted by id.
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
      const live = await collectInventory(await factory.scopeClients(scope.accountId, scope.region));
      const region = estate.accounts[scope.accountId]?.regions[scope.region] as EstateRegion;
      const fromEstate = await assembleInventory(scope, await whatTheCollectorReads(region));

      // Assess
      expect(comparable(live), `${scope.accountId}/${scope.region}`).toEqual(comparable(fromEstate));
    }
    factory.destroy();
    expect(scopes.length).toBeGreaterThan(5);
  });
});
