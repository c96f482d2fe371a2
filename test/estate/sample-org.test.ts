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
  it("is a valid format v1 estate", () => {
    expect(() => parseEstate(raw, SAMPLE_ESTATE_FILE)).not.toThrow();
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
  it("puts every subnet inside its VPC CIDR, without overlaps", () => {
    for (const { data } of scopes) {
      for (const vpc of data.ec2.Vpcs) {
        const outer = parseCidr(vpc.CidrBlock ?? "");
        const ranges = data.ec2.Subnets.filter((s) => s.VpcId === vpc.VpcId)
          .map((s) => ({ id: s.SubnetId, ...parseCidr(s.CidrBlock ?? "") }))
          .sort((a, b) => a.base - b.base);
        ranges.forEach((r, i) => {
          expect(
            r.base >= outer.base && r.base + r.size <= outer.base + outer.size,
            `${r.id} in ${vpc.VpcId}`,
          ).toBe(true);
          const next = ranges[i + 1];
          if (next !== undefined)
            expect(r.base + r.size <= next.base, `${r.id} overlaps ${next.id}`).toBe(true);
        });
      }
    }
  });

  it("derives AvailableIpAddressCount from the listed ENIs wherever a subnet has some", () => {
    let subnetsWithEnis = 0;
    for (const { data } of scopes) {
      for (const subnet of data.ec2.Subnets) {
        const usable = parseCidr(subnet.CidrBlock ?? "").size - 5;
        expect(subnet.AvailableIpAddressCount, subnet.SubnetId).toBeLessThanOrEqual(usable);
        const enis = data.ec2.NetworkInterfaces.filter((e) => e.SubnetId === subnet.SubnetId);
        if (enis.length === 0) continue;
        subnetsWithEnis++;
        const held = enis.reduce((n, e) => n + heldAddresses(e).length, 0);
        expect(subnet.AvailableIpAddressCount, subnet.SubnetId).toBe(usable - held);
      }
    }
    expect(subnetsWithEnis).toBeGreaterThan(0);
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
      for (const c of data.eks.clusters) {
        ids.push(c.cluster.arn ?? "", ...c.nodegroups.map((n) => n.nodegroupArn ?? ""));
        ids.push(...c.addons.map((a) => a.addonArn ?? ""));
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
      const row = /^\|\s*`([a-z0-9-]+)`\s*\|[^|]+\|\s*(JSON|YAML|none)\s*\|/.exec(line);
      if (row?.[1] !== undefined && row[2] !== undefined) stated.set(row[1], row[2]);
    }
    expect([...stated.keys()].sort()).toEqual(clusters.map((c) => c.entry.cluster.name).sort());
    const formats = new Set<string>();
    for (const { entry } of clusters) {
      const name = entry.cluster.name ?? "";
      const cni = entry.addons.find((a) => a.addonName === "vpc-cni");
      expect(cni, `${name} vpc-cni add-on`).toBeDefined();
      const value = cni?.configurationValues;
      const format = stated.get(name);
      formats.add(format ?? "");
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
    expect([...formats].sort()).toEqual(["JSON", "YAML", "none"]);
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

  it("healthy clusters have 100+ free addresses in every cluster and node subnet", () => {
    for (const name of ["platform-prod-euw1", "analytics-staging"]) {
      const entry = clusters.find((c) => c.entry.cluster.name === name);
      expect(entry, name).toBeDefined();
      const ids = new Set([
        ...(entry?.entry.cluster.resourcesVpcConfig?.subnetIds ?? []),
        ...(entry?.entry.nodegroups.flatMap((n) => n.subnets ?? []) ?? []),
      ]);
      for (const subnet of entry?.data.ec2.Subnets.filter((s) => ids.has(s.SubnetId ?? "")) ?? []) {
        expect(subnet.AvailableIpAddressCount, subnet.SubnetId).toBeGreaterThanOrEqual(100);
      }
    }
  });
});
