/** `arn:aws-cn:sts::…` → `aws-cn`: the partition every ARN the auditor builds is written in. */
export function partitionOfArn(arn: string): string | undefined {
  const partition = arn.split(":")[1];
  return partition !== undefined && /^aws[a-z-]*$/.test(partition) ? partition : undefined;
}

/**
 * The partition a region belongs to, for the one case where the caller's identity could not be read (its
 * GetCallerIdentity failed). The region patterns are the SDK's own partition table (@aws-sdk/core,
 * submodules/client/util-endpoints/lib/aws/partitions.js, `regionRegex`); anything else is `aws`.
 */
const REGION_PARTITIONS: readonly [RegExp, string][] = [
  [/^cn-\w+-\d+$/, "aws-cn"],
  [/^eusc-(de)-\w+-\d+$/, "aws-eusc"],
  [/^us-iso-\w+-\d+$/, "aws-iso"],
  [/^us-isob-\w+-\d+$/, "aws-iso-b"],
  [/^eu-isoe-\w+-\d+$/, "aws-iso-e"],
  [/^us-isof-\w+-\d+$/, "aws-iso-f"],
  [/^us-gov-\w+-\d+$/, "aws-us-gov"],
];

export function partitionOfRegion(region: string): string {
  return REGION_PARTITIONS.find(([pattern]) => pattern.test(region))?.[1] ?? "aws";
}
