import { describe, expect, it } from "vitest";
import { findingKey } from "#shared/findings/index.ts";
import { datastoreReachableByAllPods } from "#shared/rules/sg/datastore-reachable-by-all-pods.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import {
  allTraffic,
  branchEni,
  CLUSTER,
  CLUSTER_SG,
  DATA_VPC,
  healthySpec,
  inventoryOf,
  launchTemplateSpec,
  launchTemplateVersion,
  NODE_SG,
  nodegroup,
  REGION,
  type SgSpec,
  securityGroup,
  tcp,
  vpcCni,
} from "./fixtures.ts";

const RDS_SG = "sg-0rds";
const APP_SG = "sg-0app";

/** A PostgreSQL SG in the data VPC that admits the cluster SG (as widely used IaC suggests) and, optionally, a pod SG. */
function withDatabase(spec: SgSpec, extraSources: string[] = []): SgSpec {
  spec.securityGroups.push(
    securityGroup(RDS_SG, "orders-db", {
      vpcId: DATA_VPC,
      ingress: [tcp(5432, { groups: [CLUSTER_SG, ...extraSources] })],
    }),
  );
  return spec;
}

describe("Rule: sg.datastore-reachable-by-all-pods", () => {
  it("fires MEDIUM for a database in another VPC that admits the cluster SG", () => {
    // Prepare
    const spec = withDatabase(healthySpec());

    // Act
    const findings = expectFires(datastoreReachableByAllPods, inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: "sg.datastore-reachable-by-all-pods",
      cluster: CLUSTER,
      resourceId: RDS_SG,
      severity: "MEDIUM",
      title: `Every pod of node group general can reach ${RDS_SG} on port 5432`,
      evidence: {
        dataStoreSecurityGroup: { id: RDS_SG, name: "orders-db", vpcId: DATA_VPC, otherVpc: true },
        ports: [5432],
        nodegroups: [
          {
            nodegroup: "general",
            nodeSecurityGroups: [CLUSTER_SG],
            securityGroupSource: "cluster-security-group",
            rules: [
              {
                protocol: "tcp",
                ports: "tcp 5432",
                dataStorePorts: [5432],
                nodeSecurityGroupIds: [CLUSTER_SG],
              },
            ],
          },
        ],
        securityGroupsForPods: {
          ENABLE_POD_ENI: false,
          POD_SECURITY_GROUP_ENFORCING_MODE: "strict",
          branchEnis: 0,
          strict: false,
        },
      },
    });
    expect(findings[0]?.detail).toContain(
      `${RDS_SG} (orders-db) in ${DATA_VPC} (another VPC) admits node SG ${CLUSTER_SG}`,
    );
    const remediation = findings[0]?.remediation ?? "";
    expect(remediation).toContain(
      "aws iam attach-role-policy --role-name prod-cluster-role --policy-arn arn:aws:iam::aws:policy/AmazonEKSVPCResourceController",
    );
    expect(remediation).toContain(
      `aws eks update-addon --region ${REGION} --cluster-name ${CLUSTER} --addon-name vpc-cni --configuration-values '{"env":{"ENABLE_POD_ENI":"true","POD_SECURITY_GROUP_ENFORCING_MODE":"strict"}}'`,
    );
    expect(remediation).toContain("apiVersion: vpcresources.k8s.aws/v1beta1\nkind: SecurityGroupPolicy");
    expect(remediation).toContain("    groupIds:\n      - POD_SG_ID");
    expect(remediation).toContain(
      `aws ec2 authorize-security-group-ingress --region ${REGION} --group-id ${RDS_SG} --protocol tcp --port 5432 --source-group POD_SG_ID && aws ec2 revoke-security-group-ingress --region ${REGION} --group-id ${RDS_SG} --ip-permissions '[{"IpProtocol":"tcp","FromPort":5432,"ToPort":5432,"UserIdGroupPairs":[{"GroupId":"${CLUSTER_SG}","UserId":"111122223333"}]}]'`,
    );
  });

  it("keeps the add-on's other settings in the update-addon command", () => {
    // Prepare
    const spec = withDatabase(healthySpec());
    spec.addons = [vpcCni({ WARM_IP_TARGET: "5" })];

    // Act
    const [finding] = datastoreReachableByAllPods.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.remediation).toContain(
      `--configuration-values '{"env":{"WARM_IP_TARGET":"5","ENABLE_POD_ENI":"true","POD_SECURITY_GROUP_ENFORCING_MODE":"strict"}}'`,
    );
  });

  it("is LOW when pods use security groups in strict mode (the CNI default) and branch ENIs carry the admitted pod SG", () => {
    // Prepare: POD_SECURITY_GROUP_ENFORCING_MODE is unset, so strict.
    const spec = withDatabase(healthySpec(), [APP_SG]);
    spec.addons = [vpcCni({ ENABLE_POD_ENI: "true" })];
    spec.networkInterfaces = [branchEni("eni-0branch1", [APP_SG]), branchEni("eni-0branch2", ["sg-0other"])];

    // Act
    const [finding] = datastoreReachableByAllPods.evaluate(inventoryOf(spec));

    // Assess
    expect(finding).toMatchObject({
      severity: "LOW",
      evidence: {
        securityGroupsForPods: {
          ENABLE_POD_ENI: true,
          POD_SECURITY_GROUP_ENFORCING_MODE: "strict",
          branchEnis: 2,
          allowedPodSecurityGroups: [APP_SG],
          branchEnisWithAllowedGroup: ["eni-0branch1"],
          strict: true,
        },
      },
    });
    expect(finding?.detail).toContain("strict mode with 2 branch ENI(s); one of them carries sg-0app");
    expect(finding?.remediation).not.toContain("update-addon");
    expect(finding?.remediation).toContain(`${RDS_SG} already admits ${APP_SG}: remove the node SG source`);
  });

  it("stays MEDIUM in standard mode, where node SGs still apply to pod traffic", () => {
    // Prepare
    const spec = withDatabase(healthySpec(), [APP_SG]);
    spec.addons = [vpcCni({ ENABLE_POD_ENI: "true", POD_SECURITY_GROUP_ENFORCING_MODE: "standard" })];
    spec.networkInterfaces = [branchEni("eni-0branch1", [APP_SG])];

    // Act
    const [finding] = datastoreReachableByAllPods.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.severity).toBe("MEDIUM");
    expect(finding?.evidence).toMatchObject({
      securityGroupsForPods: { POD_SECURITY_GROUP_ENFORCING_MODE: "standard", branchEnis: 1, strict: false },
    });
    expect(finding?.detail).toContain("POD_SECURITY_GROUP_ENFORCING_MODE is standard");
    expect(finding?.remediation).not.toContain("AmazonEKSVPCResourceController");
    expect(finding?.remediation).toContain(
      `Switch security groups for pods to strict mode, then recreate the pods that use it (update-addon replaces configurationValues as a whole, so the command repeats the current settings): aws eks update-addon --region ${REGION} --cluster-name ${CLUSTER} --addon-name vpc-cni --configuration-values '{"env":{"ENABLE_POD_ENI":"true","POD_SECURITY_GROUP_ENFORCING_MODE":"strict"}}'`,
    );
  });

  it("stays MEDIUM when ENABLE_POD_ENI is on but no branch ENI exists", () => {
    // Prepare
    const spec = withDatabase(healthySpec());
    spec.addons = [vpcCni({ ENABLE_POD_ENI: "true" })];

    // Act
    const [finding] = datastoreReachableByAllPods.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.severity).toBe("MEDIUM");
    expect(finding?.detail).toContain("although ENABLE_POD_ENI is true");
  });

  it("counts an all-traffic rule from a launch-template node SG on a cache", () => {
    // Prepare
    const spec = launchTemplateSpec();
    spec.securityGroups.push(
      securityGroup("sg-0redis", "sessions-cache", { ingress: [allTraffic({ groups: [NODE_SG] })] }),
    );

    // Act
    const [finding] = datastoreReachableByAllPods.evaluate(inventoryOf(spec));

    // Assess
    expect(finding).toMatchObject({
      resourceId: "sg-0redis",
      evidence: {
        dataStoreSecurityGroup: { otherVpc: false },
        nodegroups: [{ rules: [{ protocol: "all" }] }],
      },
    });
    expect(finding?.evidence.ports).toEqual([
      443, 1433, 1521, 3306, 5432, 5439, 6379, 8182, 9042, 9092, 9094, 9096, 9200, 11211, 27017,
    ]);
    expect(finding?.title).toBe(
      "Every pod of node group general can reach sg-0redis on 15 data-store ports (443, 1433, 1521 and 12 more)",
    );
  });

  it("gives one finding per data store and cluster, listing every node group that shares the source SG", () => {
    // Prepare
    const spec = withDatabase(healthySpec());
    spec.nodegroups = [nodegroup("general"), nodegroup("batch")];

    // Act
    const findings = datastoreReachableByAllPods.evaluate(inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]?.evidence.nodegroups).toMatchObject([
      { nodegroup: "general" },
      { nodegroup: "batch" },
    ]);
    expect(new Set(findings.map(findingKey)).size).toBe(findings.length);
  });

  it("does not fire for the cluster SG's self rule, node-to-node rules, pod SGs, endpoints or other ports", () => {
    // Prepare: two launch-template node groups whose SGs admit each other entirely.
    const spec = launchTemplateSpec();
    spec.nodegroups.push(nodegroup("batch", { launchTemplate: { id: "lt-0batch", version: "1" } }));
    spec.launchTemplateVersions.push(
      launchTemplateVersion(1, { securityGroupIds: ["sg-0batch"] }, "lt-0batch"),
    );
    spec.securityGroups
      .find((g) => g.GroupId === NODE_SG)
      ?.IpPermissions?.push(allTraffic({ groups: ["sg-0batch"] }));
    spec.securityGroups.push(
      securityGroup("sg-0batch", "prod-batch-nodes", {
        ingress: [allTraffic({ groups: [NODE_SG, "sg-0batch"] })],
      }),
      securityGroup(RDS_SG, "orders-db", { vpcId: DATA_VPC, ingress: [tcp(5432, { groups: [APP_SG] })] }),
      securityGroup("sg-0vpce", "vpce-ecr-api", { ingress: [tcp(443, { groups: [NODE_SG] })] }),
      securityGroup("sg-0web", "internal-web", { ingress: [tcp(8080, { groups: [NODE_SG] })] }),
      securityGroup("sg-0karpenter", "karpenter-nodes", {
        ingress: [allTraffic({ groups: [NODE_SG] })],
        tags: { "karpenter.sh/discovery": CLUSTER },
      }),
    );

    // Act
    const findings = [
      ...expectQuiet(datastoreReachableByAllPods, inventoryOf(spec)),
      ...expectQuiet(datastoreReachableByAllPods, inventoryOf(healthySpec())),
    ];

    // Assess
    expect(findings).toEqual([]);
  });

  it("treats 443 as OpenSearch unless the SG presents itself as a VPC endpoint's", () => {
    // Prepare
    const spec = launchTemplateSpec();
    spec.securityGroups.push(
      securityGroup("sg-0search", "logs-opensearch", { ingress: [tcp(443, { groups: [NODE_SG] })] }),
      securityGroup("sg-0vpce", "interface-endpoints", {
        ingress: [tcp(443, { groups: [NODE_SG] })],
        description: "VPC endpoints for ECR, STS and CloudWatch Logs",
      }),
    );

    // Act
    const findings = datastoreReachableByAllPods.evaluate(inventoryOf(spec));

    // Assess
    expect(findings.map((f) => f.resourceId)).toEqual(["sg-0search"]);
    expect(findings[0]?.evidence.services).toEqual(["OpenSearch"]);
  });
});
