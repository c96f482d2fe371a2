import type { IpPermission, NetworkInterface, SecurityGroup } from "@aws-sdk/client-ec2";
import type { Finding } from "#shared/findings/index.ts";
import { groupsReferencing } from "#shared/inventory/indexes.ts";
import type { ClusterInventory, Inventory } from "#shared/inventory/types.ts";
import type { CniConfig } from "#shared/models/cni/config.ts";
import { controlPlaneGroupIds } from "#shared/models/security-groups/node-security-groups.ts";
import {
  describePorts,
  groupIdsOf,
  portRangeFor,
  protocolOf,
  revocablePermission,
  revokeIngressCommand,
  shellJson,
} from "#shared/models/security-groups/permissions.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  type AuditedNodegroup,
  auditedNodegroups,
  branchEnisOf,
  groupEvidence,
  groupLabel,
  inlineLabel,
  listText,
  partitionOf,
  roleNameOf,
  securityGroupIndex,
} from "./audit.ts";

/** Ports of managed data stores; a node SG as their source lets every pod of the node group in. */
export const DATA_STORE_PORTS: readonly { port: number; service: string }[] = [
  { port: 3306, service: "RDS MySQL/MariaDB/Aurora MySQL" },
  { port: 5432, service: "RDS PostgreSQL/Aurora PostgreSQL" },
  { port: 1433, service: "RDS SQL Server" },
  { port: 1521, service: "RDS Oracle" },
  { port: 5439, service: "Redshift" },
  { port: 6379, service: "ElastiCache Redis/Valkey" },
  { port: 11211, service: "ElastiCache Memcached" },
  { port: 27017, service: "DocumentDB/MongoDB" },
  { port: 8182, service: "Neptune" },
  { port: 443, service: "OpenSearch" },
  { port: 9200, service: "OpenSearch/Elasticsearch" },
  { port: 9042, service: "Cassandra/Keyspaces" },
  { port: 9092, service: "Kafka/MSK (plaintext)" },
  { port: 9094, service: "Kafka/MSK (TLS)" },
  { port: 9096, service: "Kafka/MSK (SASL/SCRAM)" },
];

const HTTPS = 443;
/** 443 is also every interface VPC endpoint's port: an SG that calls itself an endpoint's is not a data store. */
const ENDPOINT_HINT = /\bvpc[-_ ]?endpoints?\b|\bvpce\b|\bendpoints?\b/i;
/** Tags of SGs that belong to the cluster's own machinery (EKS-, Karpenter- or node-SG conventions). */
const INFRASTRUCTURE_TAG = /^(aws:eks:cluster-name|karpenter\.sh\/discovery|kubernetes\.io\/cluster\/.+)$/;

interface DataStoreRule {
  protocol: string;
  ports: string;
  dataStorePorts: number[];
  nodeSecurityGroupIds: string[];
  permission: IpPermission;
}

interface ReachingNodegroup {
  ng: AuditedNodegroup;
  rules: DataStoreRule[];
}

export const datastoreReachableByAllPods: RuleDefinition = {
  id: "sg.datastore-reachable-by-all-pods",
  family: "sg",
  severity: "MEDIUM",
  title: "Data store reachable from every pod of a node group",
  why: "Pods share their node's security groups, so a rule that admits the node SG admits every pod on those nodes.",
  firesWhen:
    "a node SG is the source of an ingress rule on a data-store port in another SG; every pod on the node group can reach it. Evidence: the data-store SG, port, and whether SGP branch ENIs exist. LOW when pods use SGP in strict mode.",
  link: "https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html",
  evaluate: (inventory) => {
    const index = securityGroupIndex(inventory);
    const nodegroups = auditedNodegroups(inventory).filter(
      (ng) => !ng.nodeSecurityGroups.unresolvedLaunchTemplate,
    );
    const infrastructure = infrastructureGroupIds(inventory, nodegroups);
    // Only groups that name a node SG as a source can be reached through it: the referencing index, not
    // every group of the region for every cluster (in the index's order, so findings keep their order).
    const referencing = groupsReferencing(index);
    const position = new Map([...index.keys()].map((id, i) => [id, i]));
    const findings: Finding[] = [];
    for (const c of inventory.clusters) {
      const ofCluster = nodegroups.filter((ng) => ng.clusterInventory === c);
      const reachable = new Set(
        ofCluster.flatMap((ng) => ng.nodeSecurityGroups.groupIds.flatMap((id) => referencing.get(id) ?? [])),
      );
      const candidates = [...reachable]
        .filter((g) => g.GroupId !== undefined && !isInfrastructure(g, infrastructure))
        .sort((a, b) => (position.get(a.GroupId ?? "") ?? 0) - (position.get(b.GroupId ?? "") ?? 0));
      for (const dataStore of candidates) {
        const reaching = ofCluster.flatMap((ng) => {
          const rules = dataStoreRules(dataStore, ng);
          return rules.length === 0 ? [] : [{ ng, rules }];
        });
        if (reaching.length > 0) findings.push(dataStoreFinding(inventory, c, dataStore, reaching));
      }
    }
    return findings;
  },
};

/** Node SGs of every node group and control-plane SGs of every cluster: node↔node and node↔API rules are expected. */
function infrastructureGroupIds(inventory: Inventory, nodegroups: readonly AuditedNodegroup[]): Set<string> {
  return new Set([
    ...nodegroups.flatMap((ng) => ng.nodeSecurityGroups.groupIds),
    ...inventory.clusters.flatMap((c) => controlPlaneGroupIds(c.cluster)),
  ]);
}

function isInfrastructure(group: SecurityGroup, infrastructure: ReadonlySet<string>): boolean {
  if (group.GroupId !== undefined && infrastructure.has(group.GroupId)) return true;
  return (group.Tags ?? []).some((t) => INFRASTRUCTURE_TAG.test(t.Key ?? ""));
}

function looksLikeEndpointGroup(group: SecurityGroup): boolean {
  const name = (group.Tags ?? []).find((t) => t.Key === "Name")?.Value ?? "";
  return [group.GroupName ?? "", group.Description ?? "", name].some((text) => ENDPOINT_HINT.test(text));
}

/** Ingress rules of `dataStore` whose source is a node SG of `ng` and that open at least one data-store port. */
function dataStoreRules(dataStore: SecurityGroup, ng: AuditedNodegroup): DataStoreRule[] {
  const nodeIds = new Set(ng.nodeSecurityGroups.groupIds);
  if (dataStore.GroupId !== undefined && nodeIds.has(dataStore.GroupId)) return [];
  const endpoint = looksLikeEndpointGroup(dataStore);
  return (dataStore.IpPermissions ?? []).flatMap((perm) => {
    const sources = groupIdsOf(perm).filter((id) => nodeIds.has(id));
    const range = portRangeFor(perm, "tcp");
    if (sources.length === 0 || range === undefined) return [];
    const ports = DATA_STORE_PORTS.map((d) => d.port).filter(
      (port) => range.from <= port && port <= range.to && !(endpoint && port === HTTPS),
    );
    if (ports.length === 0) return [];
    return [
      {
        protocol: protocolOf(perm),
        ports: describePorts(perm),
        dataStorePorts: ports,
        nodeSecurityGroupIds: [...new Set(sources)],
        permission: perm,
      },
    ];
  });
}

interface SgpState {
  cni: CniConfig;
  branchEnis: NetworkInterface[];
  /** SGs the data store admits that are not node SGs: the pod SGs a SecurityGroupPolicy would hand out. */
  allowedOtherGroupIds: string[];
  branchEnisWithAllowedGroup: NetworkInterface[];
  strict: boolean;
}

function sgpState(
  inventory: Inventory,
  c: ClusterInventory,
  dataStore: SecurityGroup,
  nodeIds: ReadonlySet<string>,
): SgpState {
  const cni = c.cni;
  const branchEnis = branchEnisOf(inventory, c);
  const allowedOtherGroupIds = [
    ...new Set(
      (dataStore.IpPermissions ?? [])
        .filter((perm) => {
          const range = portRangeFor(perm, "tcp");
          return (
            range !== undefined && DATA_STORE_PORTS.some((d) => range.from <= d.port && d.port <= range.to)
          );
        })
        .flatMap(groupIdsOf)
        .filter((id) => !nodeIds.has(id) && id !== dataStore.GroupId),
    ),
  ];
  const branchEnisWithAllowedGroup = branchEnis.filter((eni) =>
    (eni.Groups ?? []).some((g) => g.GroupId !== undefined && allowedOtherGroupIds.includes(g.GroupId)),
  );
  const strict =
    cni.settings.enablePodEni &&
    cni.settings.podSecurityGroupEnforcingMode === "strict" &&
    branchEnis.length > 0;
  return { cni, branchEnis, allowedOtherGroupIds, branchEnisWithAllowedGroup, strict };
}

function dataStoreFinding(
  inventory: Inventory,
  c: ClusterInventory,
  dataStore: SecurityGroup,
  reaching: ReachingNodegroup[],
): Finding {
  const clusterName = c.cluster.name ?? "";
  const dsId = dataStore.GroupId ?? "";
  const nodeIds = new Set(reaching.flatMap((r) => r.rules.flatMap((rule) => rule.nodeSecurityGroupIds)));
  const sgp = sgpState(inventory, c, dataStore, nodeIds);
  const ports = [...new Set(reaching.flatMap((r) => r.rules.flatMap((rule) => rule.dataStorePorts)))].sort(
    (a, b) => a - b,
  );
  const services = [
    ...new Set(ports.map((p) => DATA_STORE_PORTS.find((d) => d.port === p)?.service ?? String(p))),
  ];
  // Managed node groups keep their v1 wording; other kinds are named with their kind.
  const allManaged = reaching.every((r) => r.ng.kind === "managed-nodegroup");
  const names = reaching.map((r) => (allManaged ? r.ng.name : inlineLabel(r.ng)));
  const groupsText = (max?: number) => `${allManaged ? "node group " : ""}${listText(names, max)}`;
  const otherVpc = dataStore.VpcId !== undefined && dataStore.VpcId !== c.vpcId;
  const where = `${groupLabel(dataStore, dsId)}${dataStore.VpcId ? ` in ${dataStore.VpcId}${otherVpc ? " (another VPC)" : ""}` : ""}`;
  const portText =
    ports.length > 3
      ? `${ports.length} data-store ports (${listText(ports.map(String), 3)})`
      : `port ${listText(ports.map(String))}`;
  return newFinding(inventory, {
    cluster: clusterName,
    ruleId: "sg.datastore-reachable-by-all-pods",
    resourceId: dsId,
    severity: sgp.strict ? "LOW" : "MEDIUM",
    title: `Every pod of ${groupsText(2)} can reach ${dsId} on ${portText}`,
    detail: `${where} admits node SG ${listText([...nodeIds])} on ${portText} (${listText(services, 3)}); every pod of ${groupsText()} in cluster ${clusterName} shares that SG, so any compromised pod reaches the data store. ${sgpText(sgp)}`,
    remediation: remediation(inventory, c, dataStore, reaching, sgp),
    evidence: {
      dataStoreSecurityGroup: {
        id: dsId,
        name: dataStore.GroupName,
        vpcId: dataStore.VpcId,
        otherVpc,
        ownerId: dataStore.OwnerId,
      },
      ports,
      services,
      nodegroups: reaching.map((r) => ({
        ...groupEvidence(r.ng),
        nodeSecurityGroups: r.ng.nodeSecurityGroups.groupIds,
        securityGroupSource: r.ng.nodeSecurityGroups.source,
        rules: r.rules.map(({ permission: _p, ...rule }) => rule),
      })),
      securityGroupsForPods: {
        ENABLE_POD_ENI: sgp.cni.settings.enablePodEni,
        POD_SECURITY_GROUP_ENFORCING_MODE: sgp.cni.settings.podSecurityGroupEnforcingMode,
        cniSettingsSource: sgp.cni.source,
        cniSettingsAssumed: sgp.cni.assumed,
        ...(sgp.cni.error ? { cniError: sgp.cni.error } : {}),
        ...(sgp.cni.note ? { cniNote: sgp.cni.note } : {}),
        branchEnis: sgp.branchEnis.length,
        allowedPodSecurityGroups: sgp.allowedOtherGroupIds,
        branchEnisWithAllowedGroup: sgp.branchEnisWithAllowedGroup.map((e) => e.NetworkInterfaceId ?? ""),
        strict: sgp.strict,
      },
    },
  });
}

function sgpText(sgp: SgpState): string {
  const carrying =
    sgp.branchEnisWithAllowedGroup.length > 0
      ? `; ${sgp.branchEnisWithAllowedGroup.length === 1 ? "one of them carries" : `${sgp.branchEnisWithAllowedGroup.length} of them carry`} ${listText(sgp.allowedOtherGroupIds)}, which the data store also admits`
      : "";
  if (sgp.strict) {
    return `Security groups for pods is on in strict mode with ${sgp.branchEnis.length} branch ENI(s)${carrying}: pods with a SecurityGroupPolicy no longer use the node SG, but every other pod still does, so the node-SG rule is likely a leftover.`;
  }
  if (sgp.branchEnis.length === 0) {
    return `No ${"aws-k8s-branch-eni"} ENI exists in the cluster VPC: security groups for pods is not in use${sgp.cni.settings.enablePodEni ? " although ENABLE_POD_ENI is true" : ""}.`;
  }
  const why = !sgp.cni.settings.enablePodEni
    ? "ENABLE_POD_ENI is not true in the vpc-cni add-on settings"
    : "POD_SECURITY_GROUP_ENFORCING_MODE is standard, where node SGs still apply to pod traffic";
  return `${sgp.branchEnis.length} branch ENI(s) exist${carrying}, but ${why}.`;
}

function remediation(
  inventory: Inventory,
  c: ClusterInventory,
  dataStore: SecurityGroup,
  reaching: ReachingNodegroup[],
  sgp: SgpState,
): string {
  const region = inventory.region;
  const clusterName = c.cluster.name ?? "";
  const dsId = dataStore.GroupId ?? "";
  const podSg =
    sgp.branchEnisWithAllowedGroup.length > 0 ? (sgp.allowedOtherGroupIds[0] ?? "POD_SG_ID") : "POD_SG_ID";
  const steps: string[] = [];
  if (!sgp.strict) {
    // Existing branch ENIs prove the resource controller already has its policy.
    if (sgp.branchEnis.length === 0) {
      const role = roleNameOf(c.cluster.roleArn) ?? "CLUSTER_ROLE_NAME";
      steps.push(
        `Let the cluster role manage branch ENIs: aws iam attach-role-policy --role-name ${role} --policy-arn arn:${partitionOf(c.cluster.arn)}:iam::aws:policy/AmazonEKSVPCResourceController`,
      );
    }
    const what = sgp.cni.settings.enablePodEni
      ? "Switch security groups for pods to strict mode, then recreate the pods that use it"
      : "Turn on security groups for pods in strict mode";
    steps.push(
      `${what} (update-addon replaces configurationValues as a whole, so the command repeats the current settings): aws eks update-addon --region ${region} --cluster-name ${clusterName} --addon-name vpc-cni --configuration-values ${shellJson(podEniConfiguration(sgp.cni))}`,
    );
  }
  steps.push(
    [
      `Give only the pods that need the data store a pod SG (${podSg}; it must also allow DNS to CoreDNS, and its pods must run on trunking-capable Nitro instances):`,
      "apiVersion: vpcresources.k8s.aws/v1beta1",
      "kind: SecurityGroupPolicy",
      "metadata:",
      "  name: datastore-clients",
      "  namespace: <namespace>",
      "spec:",
      "  podSelector:",
      "    matchLabels:",
      "      app: <app>",
      "  securityGroups:",
      "    groupIds:",
      `      - ${podSg}`,
    ].join("\n"),
  );
  const rules = reaching.flatMap((r) => r.rules);
  const ports = [...new Set(rules.flatMap((r) => r.dataStorePorts))].sort((a, b) => a - b);
  const revoke = revokeIngressCommand(
    dsId,
    dedupe(rules.map((r) => revocablePermission(r.permission, { groupIds: r.nodeSecurityGroupIds }))),
    region,
  );
  if (sgp.allowedOtherGroupIds.includes(podSg)) {
    steps.push(`${dsId} already admits ${podSg}: remove the node SG source: ${revoke}`);
  } else {
    const authorize = ports
      .map(
        (port) =>
          `aws ec2 authorize-security-group-ingress --region ${region} --group-id ${dsId} --protocol tcp --port ${port} --source-group ${podSg}`,
      )
      .join(" && ");
    steps.push(`Replace the node SG source on the data store with the pod SG: ${authorize} && ${revoke}`);
  }
  return steps.map((s, i) => `${i + 1}. ${s}`).join("\n");
}

/** The add-on's current configurationValues with security groups for pods switched on in strict mode. */
function podEniConfiguration(cni: CniConfig): Record<string, unknown> {
  const document = cni.document ?? {};
  const env = document.env;
  const currentEnv = typeof env === "object" && env !== null && !Array.isArray(env) ? env : {};
  return {
    ...document,
    env: { ...currentEnv, ENABLE_POD_ENI: "true", POD_SECURITY_GROUP_ENFORCING_MODE: "strict" },
  };
}

function dedupe<T>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = JSON.stringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
