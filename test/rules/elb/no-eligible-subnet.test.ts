import type { RouteTable } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { noEligibleSubnet } from "#shared/rules/elb/no-eligible-subnet.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import {
  CLUSTER,
  cluster,
  healthySpec,
  inventoryOf,
  mainTable,
  privateOnlySpec,
  privateTable,
  publicTable,
  REGION,
  subnet,
  VPC,
} from "./fixtures.ts";

const STALE = { "kubernetes.io/cluster/old-prod": "shared" };

describe("Rule: elb.no-eligible-subnet", () => {
  it("fires HIGH when every internal role-tagged subnet is tagged for another cluster", () => {
    // Prepare
    const spec = healthySpec();
    spec.subnets = spec.subnets.map((s) =>
      s.SubnetId?.startsWith("subnet-0prv")
        ? subnet({
            id: s.SubnetId,
            az: s.AvailabilityZone ?? "",
            tags: { "kubernetes.io/role/internal-elb": "1", ...STALE },
          })
        : s,
    );

    // Act
    const findings = expectFires(noEligibleSubnet, inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({
      ruleId: "elb.no-eligible-subnet",
      cluster: CLUSTER,
      resourceId: VPC,
      severity: "HIGH",
      evidence: {
        scheme: "internal",
        cause: "tagged-for-other-clusters",
        evaluated: 3,
        taggedForOtherClusters: 3,
        insufficientIps: 0,
        controllerError:
          "unable to resolve at least one subnet. Evaluated 3 subnets: 3 are tagged for other clusters, and 0 have insufficient available IP addresses",
      },
    });
    expect(finding?.detail).toContain("kubernetes.io/cluster/old-prod");
    expect(finding?.remediation).toContain(
      `aws ec2 create-tags --resources subnet-0prv0 subnet-0prv1 subnet-0prv2 --tags Key=kubernetes.io/cluster/${CLUSTER},Value=shared --region ${REGION}`,
    );
    expect(finding?.remediation).toContain(
      `aws ec2 delete-tags --resources subnet-0prv0 subnet-0prv1 subnet-0prv2 --tags Key=kubernetes.io/cluster/old-prod --region ${REGION}`,
    );
    expect(finding?.remediation).toContain('ignore_tags { key_prefixes = ["kubernetes.io/cluster/"] }');
  });

  it("fires HIGH when every role-tagged subnet has fewer than 8 free IPs", () => {
    // Prepare
    const spec = healthySpec();
    spec.subnets = spec.subnets.map((s) =>
      s.SubnetId?.startsWith("subnet-0pub") ? { ...s, AvailableIpAddressCount: 5 } : s,
    );

    // Act
    const findings = noEligibleSubnet.evaluate(inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: "HIGH",
      evidence: { scheme: "internet-facing", cause: "insufficient-ips", insufficientIps: 3 },
    });
    expect(findings[0]?.detail).toContain("subnet-0pub0: 5 IPs");
  });

  it("fires MEDIUM for internet-facing in a VPC without any IGW route", () => {
    // Prepare
    const inventory = inventoryOf(privateOnlySpec());

    // Act
    const findings = noEligibleSubnet.evaluate(inventory);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: "MEDIUM",
      resourceId: VPC,
      evidence: {
        scheme: "internet-facing",
        cause: "no-role-tag-and-no-fallback-candidate",
        vpcHasIgwRoute: false,
        fallbackUsed: true,
      },
    });
    expect(findings[0]?.remediation).toContain("use scheme internal");
  });

  it("fires HIGH for internal when the VPC has only public subnets and no internal role tag", () => {
    // Prepare
    const ids = ["subnet-1", "subnet-2"];
    const inventory = inventoryOf({
      clusters: [cluster()],
      subnets: [subnet({ id: "subnet-1", az: "eu-west-1a" }), subnet({ id: "subnet-2", az: "eu-west-1b" })],
      routeTables: [mainTable(), publicTable("rtb-public", ids)],
    });

    // Act
    const findings = noEligibleSubnet.evaluate(inventory);

    // Assess
    expect(findings.map((f) => f.evidence.scheme)).toEqual(["internal"]);
    expect(findings[0]?.severity).toBe("HIGH");
  });

  it("does not fire for a healthy cluster", () => {
    // Act
    const findings = noEligibleSubnet.evaluate(inventoryOf(healthySpec()));

    // Assess
    expect(findings).toEqual([]);
  });

  it("does not fire when untagged subnets are found by the reachability fallback", () => {
    // Prepare
    const inventory = inventoryOf({
      clusters: [cluster()],
      subnets: ["a", "b"].flatMap((az) => [
        subnet({ id: `subnet-pub-${az}`, az: `eu-west-1${az}` }),
        subnet({ id: `subnet-prv-${az}`, az: `eu-west-1${az}` }),
      ]),
      routeTables: [
        mainTable(),
        publicTable("rtb-public", ["subnet-pub-a", "subnet-pub-b"]),
        privateTable("rtb-private", ["subnet-prv-a", "subnet-prv-b"]),
      ],
    });

    // Act
    const findings = noEligibleSubnet.evaluate(inventory);

    // Assess
    expect(findings).toEqual([]);
  });

  it("skips clusters that are not ACTIVE and clusters whose VPC has no subnet in the inventory", () => {
    // Prepare
    const inventory = inventoryOf({
      ...privateOnlySpec(),
      clusters: [cluster({ status: "CREATING" }), cluster({ name: "elsewhere", vpcId: "vpc-unknown" })],
    });

    // Act
    const findings = expectQuiet(noEligibleSubnet, inventory);

    // Assess
    expect(findings).toEqual([]);
  });

  it("audits a cluster without resourcesVpcConfig.vpcId in the VPC of its subnets", () => {
    // Prepare: DescribeCluster names the subnets only; the VPC has public subnets and no internal role tag
    const ids = ["subnet-1", "subnet-2"];
    const withoutVpc = cluster();
    withoutVpc.cluster.resourcesVpcConfig = { subnetIds: ids };
    const routeTables = [mainTable(), publicTable("rtb-public", ids)];
    const inventory = inventoryOf({
      clusters: [withoutVpc],
      subnets: [subnet({ id: "subnet-1", az: "eu-west-1a" }), subnet({ id: "subnet-2", az: "eu-west-1b" })],
      routeTables,
    });
    // The collector reads the route tables of the VPC it derives from the subnets; inventoryFromEstate keys on vpcId.
    inventory.routeTables = routeTables as RouteTable[];

    // Act
    const findings = expectFires(noEligibleSubnet, inventory);

    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        cluster: CLUSTER,
        resourceId: VPC,
        evidence: expect.objectContaining({ scheme: "internal" }),
      }),
    ]);
  });
});
