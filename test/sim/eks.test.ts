import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  type EKSClient,
  ListAddonsCommand,
  ListClustersCommand,
  ListNodegroupsCommand,
  paginateListClusters,
} from "@aws-sdk/client-eks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EstateCluster, parseEstate } from "#shared/estate/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { eksClient, MANAGEMENT, MEMBER, REGION, sampleEstate, wire } from "./fixtures.ts";

let sim: Simulator;
let eks: EKSClient;
let prod: EstateCluster;

async function errorOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    return err as Error & { $metadata?: { httpStatusCode?: number }; clusterName?: string };
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  const estate = parseEstate(sampleEstate());
  const cluster = estate.accounts[MANAGEMENT]?.regions[REGION]?.eks.clusters[0];
  if (cluster === undefined) throw new Error("fixture lacks the prod cluster");
  prod = cluster;
  sim = await startSimulator({ estate });
  eks = eksClient(sim.url);
});

afterAll(async () => {
  eks.destroy();
  await sim.close();
});

describe("Class: Simulator (EKS REST-JSON)", () => {
  it("describes a cluster as the estate holds it, createdAt as a Date", async () => {
    // Act
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: "prod" }));

    // Assess
    expect(cluster?.createdAt).toEqual(new Date("2024-06-01T12:00:00.000Z"));
    expect(wire(cluster)).toEqual(prod.cluster);
    expect(cluster?.resourcesVpcConfig?.subnetIds).toEqual([
      "subnet-0a0000",
      "subnet-0a0001",
      "subnet-0a0002",
    ]);
  });

  it("lists and describes node groups with health issues, scaling, remote access and resources", async () => {
    // Act
    const list = await eks.send(new ListNodegroupsCommand({ clusterName: "prod" }));
    const general = await eks.send(
      new DescribeNodegroupCommand({ clusterName: "prod", nodegroupName: "general" }),
    );
    const batch = await eks.send(
      new DescribeNodegroupCommand({ clusterName: "prod", nodegroupName: "batch" }),
    );

    // Assess
    expect(list.nodegroups).toEqual(["general", "batch"]);
    expect(wire(general.nodegroup)).toEqual(prod.nodegroups[0]);
    expect(general.nodegroup?.health?.issues?.[0]?.code).toBe("Ec2SubnetInvalidConfiguration");
    expect(general.nodegroup?.remoteAccess).toEqual({ ec2SshKey: "ops", sourceSecurityGroups: [] });
    expect(general.nodegroup?.modifiedAt).toBeInstanceOf(Date);
    expect(wire(batch.nodegroup)).toEqual(prod.nodegroups[1]);
  });

  it("lists and describes add-ons with their configuration values", async () => {
    // Act
    const list = await eks.send(new ListAddonsCommand({ clusterName: "prod" }));
    const cni = await eks.send(new DescribeAddonCommand({ clusterName: "prod", addonName: "vpc-cni" }));

    // Assess
    expect(list.addons).toEqual(["vpc-cni", "coredns"]);
    expect(wire(cni.addon)).toEqual(prod.addons[0]);
    expect(JSON.parse(cni.addon?.configurationValues ?? "{}")).toEqual({
      env: { WARM_IP_TARGET: "5", ENABLE_PREFIX_DELEGATION: "true" },
    });
  });

  it("pages cluster names with the SDK paginator", async () => {
    // Prepare
    const member = eksClient(sim.url, { accessKeyId: `AKIA${MEMBER}TEST` });

    // Act
    const pages: string[][] = [];
    for await (const page of paginateListClusters({ client: member, pageSize: 3 }, {}))
      pages.push(page.clusters ?? []);
    member.destroy();

    // Assess
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(Array.from({ length: 7 }, (_, i) => `member-${i}`));
  });

  it("answers ResourceNotFoundException (404) for unknown clusters, node groups and add-ons", async () => {
    // Act
    const cluster = await errorOf(eks.send(new DescribeClusterCommand({ name: "nope" })));
    const nodegroups = await errorOf(eks.send(new ListNodegroupsCommand({ clusterName: "nope" })));
    const nodegroup = await errorOf(
      eks.send(new DescribeNodegroupCommand({ clusterName: "prod", nodegroupName: "x" })),
    );
    const addon = await errorOf(eks.send(new DescribeAddonCommand({ clusterName: "prod", addonName: "x" })));

    // Assess
    for (const err of [cluster, nodegroups, nodegroup, addon]) {
      expect(err.name).toBe("ResourceNotFoundException");
      expect(err.$metadata?.httpStatusCode).toBe(404);
    }
    expect(cluster.message).toBe("No cluster found for name: nope.");
    expect(cluster.clusterName).toBe("nope");
    expect(nodegroup.message).toBe("No node group found for name: x.");
  });

  it("enforces maxResults 1..100 and rejects bad tokens", async () => {
    // Act
    const tooMany = await errorOf(eks.send(new ListClustersCommand({ maxResults: 101 })));
    const badToken = await errorOf(eks.send(new ListClustersCommand({ nextToken: "garbage" })));

    // Assess
    expect(tooMany.name).toBe("InvalidParameterException");
    expect(badToken.name).toBe("InvalidParameterException");
  });
});
