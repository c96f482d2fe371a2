import type { Finding } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { type UnauditedCluster, unauditedClusters } from "#shared/rules/elb/audit.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";

/**
 * `scan.error` for what the rules see they could not audit: an ACTIVE cluster whose VPC neither DescribeCluster
 * nor its subnets name gets no elb audit, and says so instead of looking clean. The scanner produces the same
 * rule id for a scope it could not scan (`scanFailureFinding`, shared/scan/scan-scope.ts).
 */
export const scanError: RuleDefinition = {
  id: "scan.error",
  family: "scan",
  severity: "MEDIUM",
  title: "Scope or audit could not run",
  why: "A scan never looks healthier than what it saw: a scope or an audit that could not run is named instead of passing for clean.",
  firesWhen:
    "any other failure that left the scope unscanned (throttling or server errors after the SDK's retries, timeouts); and, per cluster, an audit that could not run: the elb audit when the cluster's VPC is neither in `resourcesVpcConfig.vpcId` nor the VPC of its subnets (resourceId = the cluster, variant `elb`).",
  link: "https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html",
  evaluate: (inventory) => unauditedClusters(inventory).map((c) => elbNotAuditedFinding(inventory, c)),
};

function elbNotAuditedFinding(inventory: Inventory, c: UnauditedCluster): Finding {
  const region = inventory.region;
  const found = Object.keys(c.subnetVpcs);
  const vpcs = [...new Set(Object.values(c.subnetVpcs))].sort();
  const why =
    c.subnetIds.length === 0
      ? "and it lists no subnet"
      : found.length === 0
        ? `and none of its ${c.subnetIds.length} subnet(s) (${c.subnetIds.join(", ")}) is in this scan's DescribeSubnets answer`
        : `and its subnets are in ${vpcs.length} different VPCs (${vpcs.join(", ")})`;
  const subnetCheck =
    c.subnetIds.length > 0
      ? `; aws ec2 describe-subnets --region ${region} --subnet-ids ${c.subnetIds.join(" ")} --query 'Subnets[].[SubnetId,VpcId]'`
      : "";
  return newFinding(inventory, {
    cluster: c.name,
    ruleId: "scan.error",
    resourceId: c.name,
    variant: "elb",
    severity: "MEDIUM",
    title: `Load-balancer subnet audit could not run for cluster ${c.name}: its VPC is unknown`,
    detail: `DescribeCluster gave no resourcesVpcConfig.vpcId for ${c.name} ${why}, so the load-balancer subnet discovery could not be replayed: no elb.* finding of ${c.name} was checked in this scan.`,
    remediation: `Check the cluster's VPC and subnets: aws eks describe-cluster --region ${region} --name ${c.name} --query cluster.resourcesVpcConfig${subnetCheck}. A subnet missing from the answer was deleted or is not readable by the member role (ec2:DescribeSubnets); fix that and re-run the scan.`,
    evidence: {
      audit: "elb",
      reason: "vpc-unknown",
      clusterStatus: c.cluster.status ?? null,
      subnetIds: c.subnetIds,
      subnetsFound: c.subnetVpcs,
    },
  });
}
