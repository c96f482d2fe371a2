import {
  DescribeAutoScalingGroups$,
  type DescribeAutoScalingGroupsCommandInput,
} from "@aws-sdk/client-auto-scaling";
import { paginate } from "#sim/pagination.ts";
import { AwsError } from "#sim/protocol/errors.ts";
import { listingFingerprint, type OperationHandler, operation, operationTable, regionOf } from "./context.ts";
import { applyFilters } from "./ec2-filters.ts";

/** The awsQuery namespace of Amazon EC2 Auto Scaling, API version 2011-01-01. */
export const AUTOSCALING_XMLNS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

function validation(message: string): AwsError {
  return new AwsError("ValidationError", message);
}

/** DescribeAutoScalingGroups takes these filter names only (API Reference, DescribeAutoScalingGroups, Filters). */
function checkFilterNames(filters: readonly { Name?: string | undefined }[] | undefined): void {
  for (const { Name } of filters ?? []) {
    const name = Name ?? "";
    if (name !== "tag-key" && name !== "tag-value" && !name.startsWith("tag:"))
      throw validation(
        `Filter type ${name} is not correct. Allowed Filter types are: tag-key tag-value tag:<key>`,
      );
  }
}

/**
 * DescribeAutoScalingGroups: by name (names that do not exist are left out, as AWS does), by tag filters
 * (values OR, filters AND), MaxRecords 1..100 (50 by default), IncludeInstances (true by default).
 */
const describeAutoScalingGroups = operation<DescribeAutoScalingGroupsCommandInput>(
  DescribeAutoScalingGroups$,
  (ctx, input) => {
    checkFilterNames(input.Filters);
    const all = regionOf(ctx)?.autoscaling?.AutoScalingGroups ?? [];
    const names = input.AutoScalingGroupNames ?? [];
    const named = names.length > 0 ? all.filter((g) => names.includes(g.AutoScalingGroupName ?? "")) : all;
    const filtered = applyFilters(named, input.Filters, {});
    const result = paginate(
      filtered,
      { maxResults: input.MaxRecords, nextToken: input.NextToken },
      {
        bounds: { min: 1, max: 100 },
        defaultSize: 50,
        cap: ctx.faults.maxPageSize,
        fingerprint: listingFingerprint(ctx, input, "MaxRecords", "NextToken"),
        invalidMaxResults: validation,
        invalidToken: () => new AwsError("InvalidNextToken", "The token provided is not valid."),
      },
    );
    const groups =
      input.IncludeInstances === false
        ? result.items.map(({ Instances: _instances, ...g }) => g)
        : result.items;
    return { AutoScalingGroups: groups, NextToken: result.nextToken };
  },
);

export const autoscalingOperations: Map<string, OperationHandler> = operationTable([
  describeAutoScalingGroups,
]);
