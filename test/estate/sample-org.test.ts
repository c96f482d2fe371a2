import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  buildSampleEstate,
  FAKE_USER_DATA_SECRET,
  SAMPLE_ESTATE_FILE,
} from "#scripts/build-sample-estate.ts";
import { type EstateRegion, parseEstate } from "#shared/estate/index.ts";
import { formatEstateJson, ipToInt, parseCidr } from "#sim/builder/index.ts";

const README = new URL("../../sim/estates/README.md", import.meta.url);
const text = readFileSync(SAMPLE_ESTATE_FILE, "utf8");
const raw: unknown = JSON.parse(text);
const estate = parseEstate(raw, SAMPLE_ESTATE_FILE);

interface Scope {
  accountId: string;
  region: string;
  data: EstateRegion;
}

const scopes: Scope[] = Object.entries(estate.accounts).flatMap(([accountId, account]) =>
  Object.entries(account.regions).map(([region, data]) => ({ accountId, region, data })),
);

const clusters = scopes.flatMap((s) => s.data.eks.clusters.map((c) => ({ ...s, entry: c })));

function nameTag(tags: { Key?: string; Value?: string }[] | undefined): string | undefined {
  return tags?.find((t) => t.Key === "Name")?.Value;
}

function subnetNamed(name: string) {
  const subnet = scopes.flatMap((s) => s.data.ec2.Subnets).find((s) => nameTag(s.Tags) === name);
  if (subnet === undefined) throw new Error(`no subnet named ${name}`);
  return subnet;
}

function nodegroupNamed(cluster: string, name: string) {
  const ng = clusters
    .find((c) => c.entry.cluster.name === cluster)
    ?.entry.nodegroups.find((n) => n.nodegroupName === name);
  if (ng === undefined) throw new Error(`no node group ${cluster}/${name}`);
  return ng;
}

function tagsOf(tags: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
}

function scopeOf(accountId: string, region: string): EstateRegion {
  const scope = scopes.find((s) => s.accountId === accountId && s.region === region);
  if (scope === undefined) throw new Error(`no scope ${accountId} ${region}`);
  return scope.data;
}

/** The instances DescribeInstances lists for a cluster, whatever launched them (their `kubernetes.io/cluster/` tag). */
function instancesOfCluster(name: string) {
  return scopes
    .flatMap((s) => s.data.ec2.Reservations ?? [])
    .flatMap((r) => r.Instances ?? [])
    .filter((i) => tagsOf(i.Tags)[`kubernetes.io/cluster/${name}`] !== undefined);
}

function launchTemplateOf(instance: { Tags?: { Key?: string; Value?: string }[] } | undefined) {
  const id = tagsOf(instance?.Tags)["aws:ec2launchtemplate:id"];
  return scopes.flatMap((s) => s.data.ec2.LaunchTemplates ?? []).find((t) => t.LaunchTemplateId === id);
}

/** Addresses an ENI takes from its subnet: every private IPv4 address plus 16 per /28 prefix. */
function heldAddresses(eni: EstateRegion["ec2"]["NetworkInterfaces"][number]): number[] {
  const singles = (eni.PrivateIpAddresses ?? []).map((p) => ipToInt(p.PrivateIpAddress ?? ""));
  const prefixes = (eni.Ipv4Prefixes ?? []).flatMap((p) => {
    const { base, size } = parseCidr(p.Ipv4Prefix ?? "");
    return Array.from({ length: size }, (_, i) => base + i);
  });
  return [...singles, ...prefixes];
}

describe("sample-org estate", () => {
  it("is a valid format v2 estate (it lists instances, launch templates, Auto Scaling groups, Fargate profiles)", () => {
    expect(() => parseEstate(raw, SAMPLE_ESTATE_FILE)).not.toThrow();
    expect(estate.version).toBe(2);
  });

  it("is exactly what scripts/build-sample-estate.ts writes (regenerate with npx tsx scripts/build-sample-estate.ts)", () => {
    const built = buildSampleEstate();
    expect(raw).toEqual(JSON.parse(JSON.stringify(built)));
    expect(text === formatEstateJson(built)).toBe(true);
  });

  it("has a management account first, four or more ACTIVE accounts and one SUSPENDED account without data", () => {
    const accounts = estate.organization.accounts;
    expect(estate.organization.managementAccountId).toBe(accounts[0]?.Id);
    expect(accounts.filter((a) => a.Status === "ACTIVE").length).toBeGreaterThanOrEqual(4);
    const suspended = accounts.filter((a) => a.Status === "SUSPENDED");
    expect(suspended).toHaveLength(1);
    expect(Object.keys(estate.accounts)).not.toContain(suspended[0]?.Id);
    for (const id of Object.keys(estate.accounts)) {
      expect(accounts.find((a) => a.Id === id)?.Status).toBe("ACTIVE");
    }
  });

  it("injects only coverage faults, nothing that slows the demo down", () => {
    const faults = estate.faults ?? {};
    expect(Object.keys(faults).sort()).toEqual(["assumeRoleDenied", "failingCalls", "regionsNotEnabled"]);
    for (const call of faults.failingCalls ?? []) {
      const scope = scopes.find((s) => s.accountId === call.accountId && s.region === call.region);
      expect(scope?.data.eks.clusters.length ?? 0, `${call.accountId} ${call.region}`).toBeGreaterThan(0);
    }
  });

  it("has at least 5 clusters and 8 node groups, and scanned account-regions without clusters", () => {
    expect(clusters.length).toBeGreaterThanOrEqual(5);
    expect(clusters.flatMap((c) => c.entry.nodegroups).length).toBeGreaterThanOrEqual(8);
    expect(scopes.some((s) => s.data.eks.clusters.length === 0)).toBe(true);
  });
});

describe("physical consistency", () => {
  it("puts every subnet inside one of its VPC's CIDR blocks, without overlaps", () => {
    for (const { data } of scopes) {
      for (const vpc of data.ec2.Vpcs) {
        const blocks = (vpc.CidrBlockAssociationSet ?? [{ CidrBlock: vpc.CidrBlock }]).map((b) =>
          parseCidr(b.CidrBlock ?? ""),
        );
        const ranges = data.ec2.Subnets.filter((s) => s.VpcId === vpc.VpcId)
          .map((s) => ({ id: s.SubnetId, ...parseCidr(s.CidrBlock ?? "") }))
          .sort((a, b) => a.base - b.base);
        ranges.forEach((r, i) => {
          expect(
            blocks.some((outer) => r.base >= outer.base && r.base + r.size <= outer.base + outer.size),
            `${r.id} in ${vpc.VpcId}`,
          ).toBe(true);
          const next = ranges[i + 1];
          if (next !== undefined)
            expect(r.base + r.size <= next.base, `${r.id} overlaps ${next.id}`).toBe(true);
        });
      }
    }
  });

  it("derives AvailableIpAddressCount from the listed ENIs wherever a subnet has some, leaving reserved ranges out", () => {
    let subnetsWithEnis = 0;
    let subnetsWithReservations = 0;
    for (const { data } of scopes) {
      for (const subnet of data.ec2.Subnets) {
        const { base, size } = parseCidr(subnet.CidrBlock ?? "");
        const usable = size - 5;
        expect(subnet.AvailableIpAddressCount, subnet.SubnetId).toBeLessThanOrEqual(usable);
        const enis = data.ec2.NetworkInterfaces.filter((e) => e.SubnetId === subnet.SubnetId);
        if (enis.length === 0) continue;
        subnetsWithEnis++;
        const unavailable = new Set(enis.flatMap(heldAddresses));
        const reservations = (data.ec2.SubnetCidrReservations ?? []).filter(
          (r) => r.SubnetId === subnet.SubnetId,
        );
        if (reservations.length > 0) subnetsWithReservations++;
        for (const r of reservations) {
          const range = parseCidr(r.Cidr ?? "");
          for (let a = range.base; a < range.base + range.size; a++) {
            if (a >= base + 4 && a < base + size - 1) unavailable.add(a);
          }
        }
        expect(subnet.AvailableIpAddressCount, subnet.SubnetId).toBe(usable - unavailable.size);
      }
    }
    expect(subnetsWithEnis).toBeGreaterThan(0);
    expect(subnetsWithReservations).toBeGreaterThan(0);
  });

  it("keeps every ENI address inside its subnet, off the reserved addresses, used once", () => {
    for (const { data } of scopes) {
      const used = new Map<string, Set<number>>();
      for (const eni of data.ec2.NetworkInterfaces) {
        const subnet = data.ec2.Subnets.find((s) => s.SubnetId === eni.SubnetId);
        expect(subnet, eni.NetworkInterfaceId).toBeDefined();
        if (subnet === undefined) continue;
        expect(eni.VpcId).toBe(subnet.VpcId);
        expect(eni.AvailabilityZone).toBe(subnet.AvailabilityZone);
        const { base, size } = parseCidr(subnet.CidrBlock ?? "");
        const primaries = (eni.PrivateIpAddresses ?? []).filter((p) => p.Primary === true);
        expect(primaries.map((p) => p.PrivateIpAddress)).toEqual([eni.PrivateIpAddress]);
        for (const prefix of eni.Ipv4Prefixes ?? []) expect(parseCidr(prefix.Ipv4Prefix ?? "").size).toBe(16);
        const seen = used.get(subnet.SubnetId ?? "") ?? new Set<number>();
        used.set(subnet.SubnetId ?? "", seen);
        for (const a of heldAddresses(eni)) {
          expect(
            a >= base + 4 && a < base + size - 1,
            `${eni.NetworkInterfaceId} address in ${subnet.SubnetId}`,
          ).toBe(true);
          expect(seen.has(a), `${eni.NetworkInterfaceId} reuses an address`).toBe(false);
          seen.add(a);
        }
      }
    }
  });

  it("uses every id once", () => {
    const ids: string[] = [];
    for (const { data } of scopes) {
      const { ec2 } = data;
      ids.push(...ec2.Vpcs.map((v) => v.VpcId ?? ""), ...ec2.Subnets.map((s) => s.SubnetId ?? ""));
      ids.push(...ec2.RouteTables.map((t) => t.RouteTableId ?? ""));
      ids.push(
        ...ec2.RouteTables.flatMap((t) => (t.Associations ?? []).map((a) => a.RouteTableAssociationId ?? "")),
      );
      ids.push(
        ...ec2.SecurityGroups.map((g) => g.GroupId ?? ""),
        ...ec2.NetworkInterfaces.map((e) => e.NetworkInterfaceId ?? ""),
      );
      ids.push(...ec2.LaunchTemplateVersions.map((v) => `${v.LaunchTemplateId}:${v.VersionNumber}`));
      ids.push(...(ec2.LaunchTemplates ?? []).map((t) => t.LaunchTemplateId ?? ""));
      ids.push(...(ec2.SubnetCidrReservations ?? []).map((r) => r.SubnetCidrReservationId ?? ""));
      for (const r of ec2.Reservations ?? []) {
        ids.push(r.ReservationId ?? "", ...(r.Instances ?? []).map((i) => i.InstanceId ?? ""));
      }
      ids.push(...(data.autoscaling?.AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupARN ?? ""));
      for (const c of data.eks.clusters) {
        ids.push(c.cluster.arn ?? "", ...c.nodegroups.map((n) => n.nodegroupArn ?? ""));
        ids.push(...c.addons.map((a) => a.addonArn ?? ""));
        ids.push(...(c.fargateProfiles ?? []).map((p) => p.fargateProfileArn ?? ""));
      }
    }
    expect(ids.filter((id) => id === "")).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it("resolves every referenced VPC, subnet, security group and launch template", () => {
    for (const { accountId, region, data } of scopes) {
      const { ec2 } = data;
      const where = `${accountId} ${region}`;
      const vpcIds = new Set(ec2.Vpcs.map((v) => v.VpcId));
      const subnetVpc = new Map(ec2.Subnets.map((s) => [s.SubnetId, s.VpcId]));
      const sgVpc = new Map(ec2.SecurityGroups.map((g) => [g.GroupId, g.VpcId]));
      const ltVersions = new Set(
        ec2.LaunchTemplateVersions.map((v) => `${v.LaunchTemplateId}:${v.VersionNumber}`),
      );
      const expectSgs = (ids: string[] | undefined, what: string) => {
        for (const id of ids ?? []) expect(sgVpc.has(id), `${where} ${what} ${id}`).toBe(true);
      };

      for (const vpc of ec2.Vpcs) {
        const mains = ec2.RouteTables.filter(
          (t) => t.VpcId === vpc.VpcId && t.Associations?.some((a) => a.Main),
        );
        expect(mains, `${where} main route table of ${vpc.VpcId}`).toHaveLength(1);
      }
      for (const table of ec2.RouteTables) {
        expect(vpcIds.has(table.VpcId)).toBe(true);
        for (const a of table.Associations ?? []) {
          expect(a.RouteTableId).toBe(table.RouteTableId);
          if (a.Main === true) expect(a.SubnetId).toBeUndefined();
          else
            expect(subnetVpc.get(a.SubnetId ?? ""), `${where} ${a.RouteTableAssociationId}`).toBe(
              table.VpcId,
            );
        }
      }
      const associated = ec2.RouteTables.flatMap((t) => (t.Associations ?? []).map((a) => a.SubnetId)).filter(
        (id) => id !== undefined,
      );
      expect(
        associated.filter((id, i) => associated.indexOf(id) !== i),
        `${where} subnets in two tables`,
      ).toEqual([]);
      for (const sg of ec2.SecurityGroups) {
        expect(vpcIds.has(sg.VpcId ?? "")).toBe(true);
        for (const perm of [...(sg.IpPermissions ?? []), ...(sg.IpPermissionsEgress ?? [])]) {
          expectSgs(
            (perm.UserIdGroupPairs ?? []).map((p) => p.GroupId ?? ""),
            `rule of ${sg.GroupId}`,
          );
          for (const pair of perm.UserIdGroupPairs ?? []) {
            // Another VPC's SG can only be referenced through a peering connection.
            if (sgVpc.get(pair.GroupId ?? "") !== sg.VpcId)
              expect(pair.VpcPeeringConnectionId).toMatch(/^pcx-/);
          }
        }
      }
      for (const eni of ec2.NetworkInterfaces)
        expectSgs(
          eni.Groups?.map((g) => g.GroupId ?? ""),
          "ENI",
        );
      for (const version of ec2.LaunchTemplateVersions) {
        const d = version.LaunchTemplateData;
        expectSgs(d?.SecurityGroupIds, "launch template");
        expectSgs(
          d?.NetworkInterfaces?.flatMap((n) => n.Groups ?? []),
          "launch template interface",
        );
      }

      for (const { cluster, nodegroups } of data.eks.clusters) {
        const config = cluster.resourcesVpcConfig ?? {};
        const vpc = config.vpcId ?? "";
        expect(vpcIds.has(vpc), `${where} ${cluster.name} VPC`).toBe(true);
        for (const id of config.subnetIds ?? []) expect(subnetVpc.get(id), id).toBe(vpc);
        expectSgs(config.securityGroupIds, `${cluster.name} security group`);
        expectSgs([config.clusterSecurityGroupId ?? ""], `${cluster.name} cluster SG`);
        for (const ng of nodegroups) {
          const what = `${where} ${cluster.name}/${ng.nodegroupName}`;
          for (const id of ng.subnets ?? []) expect(subnetVpc.get(id), `${what} subnet ${id}`).toBe(vpc);
          if (ng.launchTemplate !== undefined) {
            const key = `${ng.launchTemplate.id}:${ng.launchTemplate.version}`;
            expect(ltVersions.has(key), `${what} launch template ${key}`).toBe(true);
          }
          expectSgs(ng.remoteAccess?.sourceSecurityGroups, `${what} remote access source`);
          if (ng.resources?.remoteAccessSecurityGroup !== undefined) {
            expectSgs([ng.resources.remoteAccessSecurityGroup], `${what} remote access SG`);
          }
          for (const issue of ng.health?.issues ?? []) {
            for (const id of issue.resourceIds ?? []) {
              if (id.startsWith("subnet-")) expect(ng.subnets, `${what} issue ${id}`).toContain(id);
            }
          }
        }
      }
    }
  });

  it("writes every vpc-cni configurationValues in the format sim/estates/README.md states", () => {
    const stated = new Map<string, string>();
    for (const line of readFileSync(README, "utf8").split("\n")) {
      const row = /^\|\s*`([a-z0-9-]+)`\s*\|[^|]+\|\s*(JSON|YAML|none|no add-on)\s*\|/.exec(line);
      if (row?.[1] !== undefined && row[2] !== undefined) stated.set(row[1], row[2]);
    }
    expect([...stated.keys()].sort()).toEqual(clusters.map((c) => c.entry.cluster.name).sort());
    const formats = new Set<string>();
    for (const { entry } of clusters) {
      const name = entry.cluster.name ?? "";
      const cni = entry.addons.find((a) => a.addonName === "vpc-cni");
      const format = stated.get(name);
      formats.add(format ?? "");
      if (format === "no add-on") {
        // EKS Auto Mode runs pod networking itself: no vpc-cni add-on to configure.
        expect(cni, name).toBeUndefined();
        expect(entry.cluster.computeConfig?.enabled, `${name} runs Auto Mode`).toBe(true);
        continue;
      }
      expect(cni, `${name} vpc-cni add-on`).toBeDefined();
      const value = cni?.configurationValues;
      if (format === "none") {
        expect(value, name).toBeUndefined();
        continue;
      }
      expect(value, name).toBeTypeOf("string");
      const source = value ?? "";
      let parsed: unknown;
      if (format === "JSON") {
        parsed = JSON.parse(source);
      } else {
        expect(() => JSON.parse(source), `${name} is YAML, not JSON`).toThrow();
        parsed = parseYaml(source);
      }
      expect(parsed, name).toMatchObject({ env: expect.any(Object) });
    }
    expect([...formats].sort()).toEqual(["JSON", "YAML", "no add-on", "none"]);
  });

  it("plants the fake secret in exactly one launch template's user data", () => {
    const holders = scopes
      .flatMap((s) => s.data.ec2.LaunchTemplateVersions)
      .filter((v) =>
        Buffer.from(v.LaunchTemplateData?.UserData ?? "", "base64")
          .toString("utf8")
          .includes(FAKE_USER_DATA_SECRET),
      )
      .map((v) => `${v.LaunchTemplateName}:${v.VersionNumber}`);
    expect(holders).toEqual(["tools-use1-ci-runners:2"]);
    expect(text).not.toContain(FAKE_USER_DATA_SECRET);
  });
});

describe("scenario margins claimed in sim/estates/README.md", () => {
  it("ip.subnet-exhausted: payments-batch-1a has 2-6 free addresses under an m5.large node group", () => {
    const subnet = subnetNamed("payments-batch-1a");
    expect(subnet.AvailableIpAddressCount).toBeGreaterThanOrEqual(2);
    expect(subnet.AvailableIpAddressCount).toBeLessThanOrEqual(6);
    expect(nodegroupNamed("payments-euw1", "batch").instanceTypes).toEqual(["m5.large"]);
  });

  it("ip.subnet-nearly-full: the web subnets have 40-60 free addresses and web wants 10+ more nodes", () => {
    for (const name of ["payments-web-1b", "payments-web-1c"]) {
      const free = subnetNamed(name).AvailableIpAddressCount;
      expect(free).toBeGreaterThanOrEqual(40);
      expect(free).toBeLessThanOrEqual(60);
    }
    const scaling = nodegroupNamed("payments-euw1", "web").scalingConfig;
    expect((scaling?.maxSize ?? 0) - (scaling?.desiredSize ?? 0)).toBeGreaterThanOrEqual(10);
  });

  it("ip.cluster-subnet-low: payments-control-plane-1a has fewer than 5 free addresses", () => {
    expect(subnetNamed("payments-control-plane-1a").AvailableIpAddressCount).toBeLessThan(5);
  });

  it("ip.prefix-fragmentation: tools-private-1a has no free aligned /28 although 100+ addresses are free", () => {
    const subnet = subnetNamed("tools-private-1a");
    expect(subnet.AvailableIpAddressCount).toBeGreaterThanOrEqual(100);
    const { base, size } = parseCidr(subnet.CidrBlock ?? "");
    const held = scopes
      .flatMap((s) => s.data.ec2.NetworkInterfaces)
      .filter((e) => e.SubnetId === subnet.SubnetId)
      .flatMap(heldAddresses);
    for (let block = base; block < base + size; block += 16) {
      expect(
        held.some((a) => a >= block && a < block + 16),
        `/28 at offset ${block - base}`,
      ).toBe(true);
    }
  });

  it("healthy clusters have 100+ free addresses in every cluster and node subnet, whatever launched the nodes", () => {
    const healthy = [
      "platform-prod-euw1",
      "analytics-staging",
      "platform-batch-euw1",
      "platform-auto-euw1",
      "storefront-use1",
    ];
    for (const name of healthy) {
      const entry = clusters.find((c) => c.entry.cluster.name === name);
      expect(entry, name).toBeDefined();
      const ids = new Set([
        ...(entry?.entry.cluster.resourcesVpcConfig?.subnetIds ?? []),
        ...(entry?.entry.nodegroups.flatMap((n) => n.subnets ?? []) ?? []),
        ...(entry?.entry.fargateProfiles?.flatMap((p) => p.subnets ?? []) ?? []),
        ...instancesOfCluster(name).flatMap((i) => (i.NetworkInterfaces ?? []).map((n) => n.SubnetId ?? "")),
      ]);
      expect(ids.size, name).toBeGreaterThan(0);
      for (const subnet of entry?.data.ec2.Subnets.filter((s) => ids.has(s.SubnetId ?? "")) ?? []) {
        expect(subnet.AvailableIpAddressCount, `${name} ${subnet.SubnetId}`).toBeGreaterThanOrEqual(100);
      }
    }
  });
});

describe("estate v2 stories claimed in sim/estates/README.md (awaiting the capacity rules)", () => {
  it("ml-staging (Karpenter only): ml-nodes-1a has 30-40 free, fewer than two m5.2xlarge launches; the other zones have room", () => {
    const tight = subnetNamed("ml-nodes-1a");
    expect(tight.AvailableIpAddressCount).toBeGreaterThanOrEqual(30);
    expect(tight.AvailableIpAddressCount).toBeLessThan(40);
    for (const name of ["ml-nodes-1a", "ml-nodes-1b", "ml-nodes-1c"]) {
      expect(tagsOf(subnetNamed(name).Tags)).toMatchObject({ "karpenter.sh/discovery": "ml-staging" });
    }
    expect(subnetNamed("ml-nodes-1b").AvailableIpAddressCount).toBeGreaterThanOrEqual(1000);
    const nodes = instancesOfCluster("ml-staging");
    expect(nodes.map((i) => i.InstanceType)).toEqual(nodes.map(() => "m5.2xlarge"));
    expect(nodes.filter((i) => i.SubnetId === tight.SubnetId).length).toBeGreaterThan(0);
    expect(nodes.every((i) => tagsOf(i.Tags)["karpenter.sh/nodepool"] === "default")).toBe(true);
    expect(clusters.find((c) => c.entry.cluster.name === "ml-staging")?.entry.nodegroups).toEqual([]);
    const template = launchTemplateOf(nodes[0]);
    expect(tagsOf(template?.Tags)).toMatchObject({
      "karpenter.k8s.aws/cluster": "ml-staging",
      "eks:eks-cluster-name": "ml-staging",
    });
  });

  it("payments-euw1 reports (self-managed): its only SG admits neither 10250 from the control plane, nor does the control plane admit 443 from it", () => {
    const data = scopeOf("222233334444", "eu-west-1");
    const asg = data.autoscaling?.AutoScalingGroups.find(
      (g) => g.AutoScalingGroupName === "payments-euw1-reports",
    );
    expect(asg?.Tags?.map((t) => [t.Key, t.Value, t.PropagateAtLaunch])).toContainEqual([
      "kubernetes.io/cluster/payments-euw1",
      "owned",
      true,
    ]);
    const nodes = instancesOfCluster("payments-euw1").filter(
      (i) => tagsOf(i.Tags)["aws:autoscaling:groupName"] === "payments-euw1-reports",
    );
    expect(nodes.map((i) => i.InstanceId).sort()).toEqual(
      (asg?.Instances ?? []).map((i) => i.InstanceId).sort(),
    );
    const nodeSgs = [...new Set(nodes.flatMap((i) => (i.SecurityGroups ?? []).map((g) => g.GroupId ?? "")))];
    expect(nodeSgs).toHaveLength(1);
    const cluster = clusters.find((c) => c.entry.cluster.name === "payments-euw1")?.entry.cluster;
    const controlPlane = [
      cluster?.resourcesVpcConfig?.clusterSecurityGroupId ?? "",
      ...(cluster?.resourcesVpcConfig?.securityGroupIds ?? []),
    ];
    const sg = (id: string) => data.ec2.SecurityGroups.find((g) => g.GroupId === id);
    const admits = (target: string, port: number, sources: string[]) =>
      (sg(target)?.IpPermissions ?? []).some(
        (p) =>
          (p.IpProtocol === "-1" || (p.FromPort ?? 0) <= port) &&
          (p.IpProtocol === "-1" || port <= (p.ToPort ?? -1)) &&
          (p.UserIdGroupPairs ?? []).some((u) => sources.includes(u.GroupId ?? "")),
      );
    expect(admits(nodeSgs[0] ?? "", 10250, controlPlane)).toBe(false);
    for (const cp of controlPlane) expect(admits(cp, 443, nodeSgs), cp).toBe(false);
  });

  it("checkout-euw1 (Auto Mode): no vpc-cni add-on, EKS-managed nodes, and no free aligned /28 in its node subnets although 40+ addresses are free", () => {
    const entry = clusters.find((c) => c.entry.cluster.name === "checkout-euw1");
    expect(entry?.entry.cluster.computeConfig?.enabled).toBe(true);
    expect(entry?.entry.addons).toEqual([]);
    const nodes = instancesOfCluster("checkout-euw1");
    expect(nodes.length).toBeGreaterThan(0);
    for (const i of nodes)
      expect(i.Operator).toMatchObject({ Managed: true, Principal: "eks.amazonaws.com" });
    for (const name of ["checkout-nodes-1a", "checkout-nodes-1b"]) {
      const subnet = subnetNamed(name);
      expect(subnet.AvailableIpAddressCount, name).toBeGreaterThanOrEqual(40);
      const { base, size } = parseCidr(subnet.CidrBlock ?? "");
      const held = scopes
        .flatMap((s) => s.data.ec2.NetworkInterfaces)
        .filter((e) => e.SubnetId === subnet.SubnetId)
        .flatMap(heldAddresses);
      for (let block = base; block < base + size; block += 16) {
        const reservedByAws = block === base;
        expect(
          reservedByAws || held.some((a) => a >= block && a < block + 16),
          `${name} /28 at ${block - base}`,
        ).toBe(true);
      }
    }
  });

  it("tools-use1 ci-jobs (Fargate): two /28 profile subnets with 0 and 1 address left, one pod ENI per address used", () => {
    const profile = clusters
      .find((c) => c.entry.cluster.name === "tools-use1")
      ?.entry.fargateProfiles?.find((p) => p.fargateProfileName === "ci-jobs");
    expect(profile?.subnets).toEqual([
      subnetNamed("tools-fargate-1a").SubnetId,
      subnetNamed("tools-fargate-1b").SubnetId,
    ]);
    expect(subnetNamed("tools-fargate-1a").AvailableIpAddressCount).toBe(1);
    expect(subnetNamed("tools-fargate-1b").AvailableIpAddressCount).toBe(0);
  });

  it("storefront-use1: every web node carries two SGs tagged kubernetes.io/cluster/storefront-use1, and no other node two of its cluster's", () => {
    for (const { entry, data } of clusters) {
      const name = entry.cluster.name ?? "";
      const tagged = (id: string) =>
        tagsOf(data.ec2.SecurityGroups.find((g) => g.GroupId === id)?.Tags)[
          `kubernetes.io/cluster/${name}`
        ] !== undefined;
      for (const node of instancesOfCluster(name)) {
        const count = (node.SecurityGroups ?? []).filter((g) => tagged(g.GroupId ?? "")).length;
        if (name === "storefront-use1") expect(count, node.InstanceId).toBe(2);
        else expect(count, `${name} ${node.InstanceId}`).toBeLessThan(2);
      }
    }
    expect(instancesOfCluster("storefront-use1").length).toBeGreaterThan(0);
  });

  it("platform-auto-euw1 keeps prefix room: a prefix-type CIDR reservation in every node subnet", () => {
    const data = scopeOf("111122223333", "eu-west-1");
    const nodeSubnets = new Set(instancesOfCluster("platform-auto-euw1").map((i) => i.SubnetId));
    const reserved = new Set(
      (data.ec2.SubnetCidrReservations ?? [])
        .filter((r) => r.ReservationType === "prefix")
        .map((r) => r.SubnetId),
    );
    expect(nodeSubnets.size).toBe(3);
    for (const id of nodeSubnets) expect(reserved.has(id), id).toBe(true);
  });
});

describe("estate v2 records", () => {
  it("lists every instance's ENIs in DescribeNetworkInterfaces, attached to it, with the instance's SGs on the primary one", () => {
    for (const { data } of scopes) {
      const enis = new Map(data.ec2.NetworkInterfaces.map((e) => [e.NetworkInterfaceId, e]));
      for (const instance of (data.ec2.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
        for (const ni of instance.NetworkInterfaces ?? []) {
          const eni = enis.get(ni.NetworkInterfaceId);
          expect(eni?.Attachment?.InstanceId, ni.NetworkInterfaceId).toBe(instance.InstanceId);
          expect(ni.PrivateIpAddresses?.map((p) => p.PrivateIpAddress)).toEqual(
            eni?.PrivateIpAddresses?.map((p) => p.PrivateIpAddress),
          );
        }
        const primary = instance.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0);
        expect(primary?.SubnetId).toBe(instance.SubnetId);
        expect(instance.SecurityGroups?.map((g) => g.GroupId)).toEqual(
          primary?.Groups?.map((g) => g.GroupId),
        );
      }
    }
  });

  it("resolves every Auto Scaling group's template, subnets and instances, and every Fargate profile's subnets (private, in its cluster's VPC)", () => {
    for (const { data } of scopes) {
      const instances = new Set(
        (data.ec2.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId)),
      );
      const templates = new Set((data.ec2.LaunchTemplates ?? []).map((t) => t.LaunchTemplateId));
      const subnets = new Map(data.ec2.Subnets.map((s) => [s.SubnetId, s]));
      for (const asg of data.autoscaling?.AutoScalingGroups ?? []) {
        // A node group's group launches from EKS's own copy of the template, which the estate does not hold.
        const ofNodegroup = (asg.Tags ?? []).some((t) => t.Key === "eks:nodegroup-name");
        expect(
          ofNodegroup || templates.has(asg.LaunchTemplate?.LaunchTemplateId),
          asg.AutoScalingGroupName,
        ).toBe(true);
        for (const id of (asg.VPCZoneIdentifier ?? "").split(",")) expect(subnets.has(id), id).toBe(true);
        for (const i of asg.Instances ?? []) expect(instances.has(i.InstanceId), i.InstanceId).toBe(true);
      }
      for (const { cluster, fargateProfiles } of data.eks.clusters) {
        for (const id of (fargateProfiles ?? []).flatMap((p) => p.subnets ?? [])) {
          expect(subnets.get(id)?.VpcId, id).toBe(cluster.resourcesVpcConfig?.vpcId);
          expect(subnets.get(id)?.MapPublicIpOnLaunch, id).toBe(false);
        }
      }
      for (const version of data.ec2.LaunchTemplateVersions) {
        const template = data.ec2.LaunchTemplates?.find(
          (t) => t.LaunchTemplateId === version.LaunchTemplateId,
        );
        expect(template?.LatestVersionNumber ?? 0, version.LaunchTemplateId).toBeGreaterThanOrEqual(
          version.VersionNumber ?? 1,
        );
      }
    }
  });
});
