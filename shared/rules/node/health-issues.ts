import type { Issue, Nodegroup } from "@aws-sdk/client-eks";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import { type AuditedNodegroup, managedNodegroups } from "./node-groups.ts";

/** Only managed node groups report health through an AWS API. */
type ManagedNodegroup = AuditedNodegroup & { nodegroup: Nodegroup };

/**
 * The node group reports health issues or is DEGRADED. One finding per issue code (resourceId = the node
 * group, variant = the code), so each cause opens and resolves on its own; variant `DEGRADED` when the
 * status is DEGRADED without issues.
 */
export const healthIssues: RuleDefinition = {
  id: "node.health-issues",
  family: "node",
  severity: "HIGH",
  title: "Node group reports health issues",
  why: "EKS reports the launch, join and permission failures it sees on a node group; unread, they surface only when capacity is missing.",
  firesWhen:
    "the node group reports health issues or status `DEGRADED`; one finding per issue code, evidence lists the resource ids.",
  link: "https://docs.aws.amazon.com/eks/latest/APIReference/API_Issue.html",
  evaluate: (inventory) =>
    managedNodegroups(inventory).flatMap((ng) => {
      const status = ng.nodegroup.status;
      const byCode = issuesByCode(ng.nodegroup.health?.issues ?? []);
      const describe = describeCommand(ng, inventory.region);
      if (byCode.size === 0) {
        if (status !== "DEGRADED") return [];
        return [
          newFinding(inventory, {
            cluster: ng.clusterName,
            ruleId: "node.health-issues",
            resourceId: ng.nodegroupName,
            variant: "DEGRADED",
            severity: "HIGH",
            title: `Node group ${ng.nodegroupName} is DEGRADED`,
            detail: `Node group ${ng.nodegroupName} of cluster ${ng.clusterName} has status DEGRADED but reports no health issue.`,
            remediation: `Check the node group's health and its Auto Scaling group activity: ${describe}`,
            evidence: {
              nodegroup: ng.nodegroupName,
              status,
              code: "DEGRADED",
              message: "status DEGRADED without health issues",
              resourceIds: [],
            },
          }),
        ];
      }
      return [...byCode].map(([code, { messages, resourceIds }]) =>
        newFinding(inventory, {
          cluster: ng.clusterName,
          ruleId: "node.health-issues",
          resourceId: ng.nodegroupName,
          variant: code,
          severity: "HIGH",
          title: `Node group ${ng.nodegroupName} reports ${code}`,
          detail:
            `Node group ${ng.nodegroupName} of cluster ${ng.clusterName} (status ${status ?? "unknown"}) reports ` +
            `${code}${messages.length > 0 ? `: ${messages.join(" / ")}` : ""}` +
            `${resourceIds.length > 0 ? ` (${resourceIds.length} resource(s): ${resourceIds.slice(0, 5).join(", ")}${resourceIds.length > 5 ? ", …" : ""})` : ""}.`,
          remediation: `${remediationFor(code, ng)} Inspect: ${describe}`,
          evidence: {
            nodegroup: ng.nodegroupName,
            status,
            code,
            message: messages.join(" / "),
            messages,
            resourceIds,
          },
        }),
      );
    }),
};

function issuesByCode(issues: readonly Issue[]): Map<string, { messages: string[]; resourceIds: string[] }> {
  const byCode = new Map<string, { messages: string[]; resourceIds: string[] }>();
  for (const issue of issues) {
    const code = issue.code ?? "Unknown";
    const entry = byCode.get(code) ?? { messages: [], resourceIds: [] };
    if (issue.message && !entry.messages.includes(issue.message)) entry.messages.push(issue.message);
    for (const id of issue.resourceIds ?? []) if (!entry.resourceIds.includes(id)) entry.resourceIds.push(id);
    byCode.set(code, entry);
  }
  return byCode;
}

function describeCommand(ng: ManagedNodegroup, region: string): string {
  return `aws eks describe-nodegroup --region ${region} --cluster-name ${ng.clusterName} --nodegroup-name ${ng.nodegroupName} --query nodegroup.health`;
}

function remediationFor(code: string, ng: ManagedNodegroup): string {
  const role = ng.nodegroup.nodeRole ?? "NODE_ROLE_ARN";
  const asg = ng.nodegroup.resources?.autoScalingGroups?.[0]?.name ?? "ASG_NAME";
  switch (code) {
    case "InsufficientFreeAddresses":
      return "The node group's subnets are out of IP addresses: see the ip.subnet-exhausted / ip.subnet-nearly-full findings for these subnets, and add subnets, enable prefix delegation or move pods to a secondary CIDR with custom networking (ENIConfig).";
    case "AsgInstanceLaunchFailures":
      return `The Auto Scaling group cannot launch instances: check its scaling activities for the cause (capacity, instance type not offered in the AZ, launch template errors) with \`aws autoscaling describe-scaling-activities --auto-scaling-group-name ${asg}\`, and add instance types or AZs.`;
    case "NodeCreationFailure":
    case "ClusterUnreachable":
      return `Instances launch but do not join: check that the node SGs allow TCP 443 to and TCP 10250 from the cluster SG (see the sg.missing-control-plane-rules findings), that the nodes reach the API endpoint (private endpoint or NAT), and that the node role ${role} has an access entry (type EC2_LINUX) or an aws-auth mapping.`;
    case "Ec2SecurityGroupNotFound":
      return "A security group the node group or its launch template references was deleted: update the launch template to existing SGs, or recreate the node group.";
    case "Ec2SecurityGroupDeletionFailure":
      return "The remote-access SG could not be deleted because something still references it: remove the references (ENIs, other SGs' rules) and retry.";
    case "IamInstanceProfileNotFound":
    case "IamNodeRoleNotFound":
      return `The node IAM role or its instance profile is gone: recreate ${role} with AmazonEKSWorkerNodePolicy, AmazonEC2ContainerRegistryReadOnly and AmazonEKS_CNI_Policy, or recreate the node group with an existing role.`;
    case "Ec2LaunchTemplateNotFound":
    case "Ec2LaunchTemplateVersionMismatch":
      return "The launch template (version) the node group was created with was deleted or changed outside EKS: restore it or update the node group to an existing version with `aws eks update-nodegroup-version --launch-template`.";
    case "Ec2SubnetNotFound":
    case "Ec2SubnetInvalidConfiguration":
      return "A node group subnet is gone or invalid (public subnets need MapPublicIpOnLaunch for nodes): fix the subnet or recreate the node group with valid subnets.";
    case "AutoScalingGroupNotFound":
      return "The node group's Auto Scaling group was deleted outside EKS: delete and recreate the node group.";
    case "InstanceLimitExceeded":
      return "The account hit its EC2 instance (vCPU) quota: request an increase with `aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-1216C47A --desired-value NEW_VCPU_LIMIT`.";
    case "AccessDenied":
      return "EKS or the node role lacks permissions: check that the AWSServiceRoleForAmazonEKSNodegroup role exists and that no SCP denies EC2/Auto Scaling actions.";
    default:
      return `Fix the cause named by ${code}.`;
  }
}
