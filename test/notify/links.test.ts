import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { computeIpCost } from "#shared/cli/actions/ip-cost.ts";
import { registerIpCostCommand } from "#shared/cli/commands/ip-cost.ts";
import { registerLbSubnetsCommand } from "#shared/cli/commands/lb-subnets.ts";
import type { CliIo } from "#shared/cli/common/io.ts";
import type { Finding } from "#shared/findings/index.ts";
import { consoleBase, explainCommands, findingLinks } from "#shared/notify/index.ts";
import { finding } from "#test/store/fixtures.ts";

/** The long option names a registered eks-audit command accepts. */
function flagsOf(register: typeof registerLbSubnetsCommand, name: string): string[] {
  const program = new Command();
  register(program, { io: {} as CliIo, setExit: () => undefined, context: {} });
  const command = program.commands.find((c) => c.name() === name);
  // Both spellings of a flag (`--account, --accounts`: commander keeps the first as `short`).
  return command?.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)) ?? [];
}

/** `eks-audit <command> --a x --b y` → command and [flag, value] pairs (the generated commands need no quoting). */
function parsed(command: string): { name: string; pairs: [string, string][] } {
  const [binary, name, ...rest] = command.split(" ");
  expect(binary).toBe("eks-audit");
  const pairs: [string, string][] = [];
  for (let i = 0; i < rest.length; i += 2) pairs.push([rest[i] ?? "", rest[i + 1] ?? ""]);
  return { name: name ?? "", pairs };
}

describe("Function: findingLinks", () => {
  it.each([
    [
      "a subnet",
      { ruleId: "ip.subnet-exhausted", resourceId: "subnet-0a1b2c3d" },
      "subnet",
      "https://eu-west-1.console.aws.amazon.com/vpcconsole/home?region=eu-west-1#SubnetDetails:subnetId=subnet-0a1b2c3d",
    ],
    [
      "a security group",
      { ruleId: "sg.datastore-reachable-by-all-pods", resourceId: "sg-0123abcd" },
      "security-group",
      "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#SecurityGroup:groupId=sg-0123abcd",
    ],
    [
      "a node group",
      { ruleId: "sg.ssh-open-to-world", resourceId: "ng-web" },
      "nodegroup",
      "https://eu-west-1.console.aws.amazon.com/eks/home?region=eu-west-1#/clusters/prod/nodegroups/ng-web",
    ],
    [
      "a VPC",
      { ruleId: "elb.no-eligible-subnet", resourceId: "vpc-0abc" },
      "vpc",
      "https://eu-west-1.console.aws.amazon.com/vpcconsole/home?region=eu-west-1#VpcDetails:VpcId=vpc-0abc",
    ],
  ] as const)("links the cluster and %s", (_what, overrides, kind, url) => {
    // Act
    const links = findingLinks(finding(overrides));

    // Assess
    expect(links).toEqual([
      {
        kind: "cluster",
        id: "prod",
        url: "https://eu-west-1.console.aws.amazon.com/eks/home?region=eu-west-1#/clusters/prod",
      },
      { kind, id: overrides.resourceId, url },
    ]);
  });

  it("links a cluster-level finding once, to the cluster", () => {
    const links = findingLinks(finding({ ruleId: "ip.minimum-without-warm-target", resourceId: "prod" }));
    expect(links.map((l) => l.kind)).toEqual(["cluster"]);
  });

  it("links the node group a coverage finding could not describe, and nothing for an account-level one", () => {
    const nodegroup = findingLinks(
      finding({ ruleId: "scan.error", resourceId: "ng-gone", variant: "DescribeNodegroup" }),
    );
    const account = findingLinks(
      finding({ ruleId: "scan.access-denied", cluster: "-", resourceId: "arn:aws:iam::1:role/x" }),
    );
    expect(nodegroup.map((l) => l.url)).toContain(
      "https://eu-west-1.console.aws.amazon.com/eks/home?region=eu-west-1#/clusters/prod/nodegroups/ng-gone",
    );
    expect(account).toEqual([]);
  });

  it.each([
    ["cn-north-1", "https://cn-north-1.console.amazonaws.cn"],
    ["cn-northwest-1", "https://cn-northwest-1.console.amazonaws.cn"],
    ["us-gov-west-1", "https://us-gov-west-1.console.amazonaws-us-gov.com"],
    ["us-gov-east-1", "https://us-gov-east-1.console.amazonaws-us-gov.com"],
    ["ap-southeast-4", "https://ap-southeast-4.console.aws.amazon.com"],
  ])("uses the console domain of the partition of %s", (region, base) => {
    // Act
    const links = findingLinks(finding({ region, ruleId: "ip.subnet-nearly-full", resourceId: "subnet-1" }));

    // Assess
    expect(links.map((l) => l.url)).toEqual([
      `${base}/eks/home?region=${region}#/clusters/prod`,
      `${base}/vpcconsole/home?region=${region}#SubnetDetails:subnetId=subnet-1`,
    ]);
  });

  it("gives no link where the console domain is not public (ISO partitions)", () => {
    expect(consoleBase("us-iso-east-1")).toBeUndefined();
    expect(findingLinks(finding({ region: "us-isob-east-1" }))).toEqual([]);
  });
});

describe("Function: explainCommands", () => {
  it("explains a Fargate finding with ip-cost --fargate and an Auto Mode one with --auto-mode, never a fake type", () => {
    // Prepare: the evidence of ip.* findings about Fargate pods and an Auto Mode node pool
    const fargate = finding({
      ruleId: "ip.subnet-exhausted",
      resourceId: "subnet-1",
      evidence: {
        nodegroups: [{ capacityKind: "fargate", capacityGroup: "ci-jobs", instanceType: "fargate" }],
      },
    });
    const autoMode = finding({
      ruleId: "ip.subnet-nearly-full",
      resourceId: "subnet-2",
      evidence: {
        nodegroups: [
          { capacityKind: "auto-mode", capacityGroup: "general-purpose", instanceType: "m5.large" },
        ],
        cni: { env: { ENABLE_PREFIX_DELEGATION: "true" } },
      },
    });

    // Act
    const commands = [...explainCommands(fargate), ...explainCommands(autoMode)];

    // Assess
    expect(commands).toContain("eks-audit ip-cost --fargate");
    expect(commands).toContain("eks-audit ip-cost --instance-type m5.large --auto-mode");
    expect(commands.join("\n")).not.toMatch(/--instance-type fargate|--auto-mode --cni/);
  });
  it("explains an elb finding with lb-subnets for its cluster, account, region and scheme", () => {
    // Prepare
    const f = finding({ ruleId: "elb.no-eligible-subnet", variant: "internet-facing" });

    // Act
    const commands = explainCommands(f);

    // Assess: every flag is one lb-subnets accepts
    expect(commands).toEqual([
      "eks-audit lb-subnets --cluster prod --account 111122223333 --region eu-west-1 --scheme internet-facing",
    ]);
    const { name, pairs } = parsed(commands[0] ?? "");
    expect(name).toBe("lb-subnets");
    const accepted = flagsOf(registerLbSubnetsCommand, "lb-subnets");
    for (const [flag] of pairs) expect(accepted).toContain(flag);
  });

  it("leaves the scheme to the controller's default when the finding has none, and explains no subnet of no cluster", () => {
    expect(
      explainCommands(
        finding({ ruleId: "elb.invalid-role-tag-value", resourceId: "subnet-1", evidence: {} }),
      ),
    ).toEqual(["eks-audit lb-subnets --cluster prod --account 111122223333 --region eu-west-1"]);
    expect(explainCommands(finding({ ruleId: "elb.stale-cluster-tag", cluster: "-" }))).toEqual([]);
  });

  it("explains an ip finding with ip-cost per instance type, tightest first, with the CNI settings it used", () => {
    // Prepare: the evidence shape of ip.subnet-exhausted (pairEvidence, contextEvidence)
    const f: Finding = finding({
      ruleId: "ip.subnet-exhausted",
      resourceId: "subnet-1",
      evidence: {
        subnetId: "subnet-1",
        nodegroups: [
          { nodegroup: "general", instanceType: "m5.large", nodesThatFitAtLaunch: 3 },
          { nodegroup: "big", instanceType: "m5.4xlarge", nodesThatFitAtLaunch: 0 },
          { nodegroup: "general-b", instanceType: "m5.large", nodesThatFitAtLaunch: 5 },
        ],
        cni: {
          source: "addon",
          env: {
            WARM_ENI_TARGET: "1",
            ENABLE_PREFIX_DELEGATION: "true",
            WARM_PREFIX_TARGET: "1",
            ENABLE_POD_ENI: "false",
            AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: "false",
            WARM_IP_TARGET: "5",
          },
        },
      },
    });

    // Act
    const commands = explainCommands(f);

    // Assess: the defaults are left out; ip-cost itself accepts every command
    expect(commands).toEqual([
      "eks-audit ip-cost --instance-type m5.4xlarge --cni ENABLE_PREFIX_DELEGATION=true --cni WARM_IP_TARGET=5",
      "eks-audit ip-cost --instance-type m5.large --cni ENABLE_PREFIX_DELEGATION=true --cni WARM_IP_TARGET=5",
    ]);
    const accepted = flagsOf(registerIpCostCommand, "ip-cost");
    for (const command of commands) {
      const { name, pairs } = parsed(command);
      expect(name).toBe("ip-cost");
      for (const [flag] of pairs) expect(accepted).toContain(flag);
      const instanceType = pairs.find(([flag]) => flag === "--instance-type")?.[1] ?? "";
      const cni = pairs.filter(([flag]) => flag === "--cni").map(([, value]) => value);
      const { cost } = computeIpCost({ instanceType, cni, format: "table" });
      expect(cost.instanceType).toBe(instanceType);
      expect(cost.prefixes).toBeGreaterThan(0); // prefix delegation reached the model
    }
  });

  it("uses the warm-pool finding's own instance type, and gives no command for evidence it cannot trust", () => {
    const warm = finding({
      ruleId: "ip.warm-pool-oversized",
      resourceId: "ng-a",
      evidence: { instanceType: "c5.xlarge", cni: { env: { WARM_ENI_TARGET: "1" } } },
    });
    const truncated = finding({
      ruleId: "ip.subnet-nearly-full",
      resourceId: "subnet-1",
      evidence: { nodegroups: "[truncated: 40000 bytes]", cni: { env: { WARM_IP_TARGET: "$(rm -rf /)" } } },
    });
    const quoted = finding({
      ruleId: "ip.subnet-nearly-full",
      resourceId: "subnet-1",
      evidence: {
        nodegroups: [{ instanceType: "m5.large" }],
        cni: { env: { WARM_IP_TARGET: "1; rm -rf /" } },
      },
    });
    expect(explainCommands(warm)).toEqual(["eks-audit ip-cost --instance-type c5.xlarge"]);
    expect(explainCommands(truncated)).toEqual([]);
    expect(explainCommands(quoted)).toEqual([]);
    expect(
      explainCommands(finding({ ruleId: "ip.cluster-subnet-low", evidence: { subnetId: "subnet-1" } })),
    ).toEqual([]);
  });

  it("explains nothing for the other families", () => {
    expect(explainCommands(finding({ ruleId: "sg.ssh-open-to-world", resourceId: "ng-a" }))).toEqual([]);
    expect(explainCommands(finding({ ruleId: "node.health-issues", resourceId: "ng-a" }))).toEqual([]);
  });
});
