import { partitionOfArn, partitionOfRegion } from "#shared/aws/partition.ts";
import { type Finding, findingKey } from "#shared/findings/index.ts";

/** A finding's identity across the organisation: `<account>/<region>#<cluster>#<rule>#<resource>[#<variant>]`. */
export function findingUid(f: Finding): string {
  return `${f.accountId}/${findingKey(f)}`;
}

/** EC2 ids by prefix: their ARN is `arn:<partition>:ec2:<region>:<account>:<type>/<id>`. */
const EC2_TYPES: readonly [prefix: string, arnType: string, type: string][] = [
  ["subnet-", "subnet", "AwsEc2Subnet"],
  ["sg-", "security-group", "AwsEc2SecurityGroup"],
  ["vpc-", "vpc", "AwsEc2Vpc"],
];

/**
 * The resource a finding is about, as OCSF `resource_details`: its ARN where the id says what it is (a
 * subnet, security group, VPC, the cluster, an IAM role ARN), else a uid made of account, region, cluster
 * and name (node groups and node pools: their ARN holds an id the finding does not carry). Types use the
 * ASFF names Prowler's checks declare (`AwsEc2Subnet`, `AwsEksCluster`…), `Other` for the rest. `group` is
 * the AWS service that owns the resource, as Prowler fills it with the check's service
 * (prowler/lib/outputs/ocsf/ocsf.py `OCSF.transform`: `group=Group(name=finding.metadata.ServiceName)`).
 */
export function resourceOf(f: Finding) {
  const partition = partitionOfArn(f.resourceId) ?? partitionOfRegion(f.region);
  const base = {
    name: f.resourceId,
    region: f.region,
    cloud_partition: partition,
    labels: [
      ...(f.cluster === "-" ? [] : [`cluster:${f.cluster}`]),
      ...(f.variant ? [`variant:${f.variant}`] : []),
    ],
  };
  const ec2 = EC2_TYPES.find(([prefix]) => f.resourceId.startsWith(prefix));
  if (ec2) {
    const [, arnType, type] = ec2;
    return {
      ...base,
      group: { name: "ec2" },
      type,
      uid: `arn:${partition}:ec2:${f.region}:${f.accountId}:${arnType}/${f.resourceId}`,
    };
  }
  if (f.resourceId.startsWith("arn:") && f.resourceId.includes(":iam::") && f.resourceId.includes(":role/")) {
    return { ...base, group: { name: "iam" }, type: "AwsIamRole", uid: f.resourceId };
  }
  if (f.cluster !== "-" && f.resourceId === f.cluster) {
    return {
      ...base,
      group: { name: "eks" },
      type: "AwsEksCluster",
      uid: `arn:${partition}:eks:${f.region}:${f.accountId}:cluster/${f.cluster}`,
    };
  }
  return {
    ...base,
    group: { name: "eks" },
    type: "Other",
    uid: `${f.accountId}/${f.region}/${f.cluster}/${f.resourceId}`,
  };
}
