import {
  DescribeAddon$,
  type DescribeAddonRequest,
  DescribeCluster$,
  type DescribeClusterRequest,
  DescribeFargateProfile$,
  type DescribeFargateProfileRequest,
  DescribeNodegroup$,
  type DescribeNodegroupRequest,
  ListAddons$,
  type ListAddonsRequest,
  ListClusters$,
  type ListClustersRequest,
  ListFargateProfiles$,
  type ListFargateProfilesRequest,
  ListNodegroups$,
  type ListNodegroupsRequest,
} from "@aws-sdk/client-eks";
import type { EstateCluster } from "#shared/estate/index.ts";
import { paginate } from "#sim/pagination.ts";
import { AwsError } from "#sim/protocol/errors.ts";
import type { OperationSchema } from "#sim/protocol/schema.ts";
import {
  type CallContext,
  listingFingerprint,
  type OperationHandler,
  operation,
  operationTable,
  regionOf,
} from "./context.ts";

function invalidParameter(message: string): AwsError {
  return new AwsError("InvalidParameterException", message);
}

function clusterNotFound(name: string): AwsError {
  return new AwsError("ResourceNotFoundException", `No cluster found for name: ${name}.`, 404, {
    clusterName: name,
  });
}

function findCluster(ctx: CallContext, name: string | undefined): EstateCluster {
  const found = (regionOf(ctx)?.eks?.clusters ?? []).find((c) => c.cluster.name === name);
  if (found === undefined) throw clusterNotFound(name ?? "");
  return found;
}

interface ListInput {
  maxResults?: number | undefined;
  nextToken?: string | undefined;
}

/** EKS list pages: maxResults 1..100, 100 when absent. */
function page(ctx: CallContext, names: string[], input: ListInput): { items: string[]; nextToken?: string } {
  const result = paginate(
    names,
    { maxResults: input.maxResults, nextToken: input.nextToken },
    {
      bounds: { min: 1, max: 100 },
      defaultSize: 100,
      cap: ctx.faults.maxPageSize,
      fingerprint: listingFingerprint(ctx, input, "maxResults", "nextToken"),
      invalidMaxResults: invalidParameter,
      invalidToken: () => invalidParameter("The specified nextToken is invalid."),
    },
  );
  return result.nextToken === undefined ? { items: result.items } : result;
}

const listClusters = operation<ListClustersRequest>(ListClusters$, (ctx, input) => {
  const names = (regionOf(ctx)?.eks?.clusters ?? []).map((c) => c.cluster.name ?? "");
  const { items, nextToken } = page(ctx, names, input);
  return { clusters: items, nextToken };
});

const describeCluster = operation<DescribeClusterRequest>(DescribeCluster$, (ctx, input) => ({
  cluster: findCluster(ctx, input.name).cluster,
}));

const listNodegroups = operation<ListNodegroupsRequest>(ListNodegroups$, (ctx, input) => {
  const names = (findCluster(ctx, input.clusterName).nodegroups ?? []).map((ng) => ng.nodegroupName ?? "");
  const { items, nextToken } = page(ctx, names, input);
  return { nodegroups: items, nextToken };
});

const describeNodegroup = operation<DescribeNodegroupRequest>(DescribeNodegroup$, (ctx, input) => {
  const found = findCluster(ctx, input.clusterName).nodegroups?.find(
    (ng) => ng.nodegroupName === input.nodegroupName,
  );
  if (found === undefined) {
    throw new AwsError(
      "ResourceNotFoundException",
      `No node group found for name: ${input.nodegroupName}.`,
      404,
      {
        clusterName: input.clusterName,
        nodegroupName: input.nodegroupName,
      },
    );
  }
  return { nodegroup: found };
});

const listAddons = operation<ListAddonsRequest>(ListAddons$, (ctx, input) => {
  const names = (findCluster(ctx, input.clusterName).addons ?? []).map((a) => a.addonName ?? "");
  const { items, nextToken } = page(ctx, names, input);
  return { addons: items, nextToken };
});

const describeAddon = operation<DescribeAddonRequest>(DescribeAddon$, (ctx, input) => {
  const found = findCluster(ctx, input.clusterName).addons?.find((a) => a.addonName === input.addonName);
  if (found === undefined) {
    throw new AwsError(
      "ResourceNotFoundException",
      `No addon: ${input.addonName} found in cluster: ${input.clusterName}`,
      404,
      { clusterName: input.clusterName, addonName: input.addonName },
    );
  }
  return { addon: found };
});

const listFargateProfiles = operation<ListFargateProfilesRequest>(ListFargateProfiles$, (ctx, input) => {
  const names = (findCluster(ctx, input.clusterName).fargateProfiles ?? []).map(
    (p) => p.fargateProfileName ?? "",
  );
  const { items, nextToken } = page(ctx, names, input);
  return { fargateProfileNames: items, nextToken };
});

const describeFargateProfile = operation<DescribeFargateProfileRequest>(
  DescribeFargateProfile$,
  (ctx, input) => {
    const found = findCluster(ctx, input.clusterName).fargateProfiles?.find(
      (p) => p.fargateProfileName === input.fargateProfileName,
    );
    if (found === undefined) {
      throw new AwsError(
        "ResourceNotFoundException",
        `No Fargate Profile found with name: ${input.fargateProfileName}.`,
        404,
        { clusterName: input.clusterName, fargateProfileName: input.fargateProfileName },
      );
    }
    return { fargateProfile: found };
  },
);

export const eksOperations: Map<string, OperationHandler> = operationTable([
  listClusters,
  describeCluster,
  listNodegroups,
  describeNodegroup,
  listAddons,
  describeAddon,
  listFargateProfiles,
  describeFargateProfile,
]);

export const eksOperationSchemas: OperationSchema[] = [...eksOperations.values()].map((h) => h.schema);
