import fc from "fast-check";
import { parse, quote } from "shell-quote";
import { describe, expect, it } from "vitest";
import { fixBlocks, fixCommands, joinContinuations, layoutCommand } from "#shared/report/index.ts";

const keepVariables = (key: string) => `$${key}`;

describe("Function: fixCommands", () => {
  it.each([
    [
      "a sentence ends after the command",
      "aws ec2 delete-tags --resources subnet-1 --tags Key=kubernetes.io/cluster/old --region us-east-1. Terraform: add to the AWS provider block: ignore_tags { }",
      ["aws ec2 delete-tags --resources subnet-1 --tags Key=kubernetes.io/cluster/old --region us-east-1"],
    ],
    [
      "two commands joined by '; or'",
      "Remove the tag: aws ec2 delete-tags --resources subnet-1 --tags Key=a --region us-east-1; or share the subnet: aws ec2 create-tags --resources subnet-1 --tags Key=a,Value=shared --region us-east-1.",
      [
        "aws ec2 delete-tags --resources subnet-1 --tags Key=a --region us-east-1",
        "aws ec2 create-tags --resources subnet-1 --tags Key=a,Value=shared --region us-east-1",
      ],
    ],
    [
      "a command in parentheses",
      "Add a CIDR (aws ec2 associate-vpc-cidr-block --vpc-id vpc-1 --cidr-block 100.64.0.0/16 --region eu-west-1), create one subnet per AZ in it.",
      ["aws ec2 associate-vpc-cidr-block --vpc-id vpc-1 --cidr-block 100.64.0.0/16 --region eu-west-1"],
    ],
    [
      "a command in backticks",
      "check with `aws autoscaling describe-scaling-activities --auto-scaling-group-name eks-batch-1`, and add types. Inspect: aws eks describe-nodegroup --region eu-west-1 --cluster-name c --nodegroup-name batch --query nodegroup.health",
      [
        "aws autoscaling describe-scaling-activities --auto-scaling-group-name eks-batch-1",
        "aws eks describe-nodegroup --region eu-west-1 --cluster-name c --nodegroup-name batch --query nodegroup.health",
      ],
    ],
    [
      "an aside in parentheses after the command, a dash clause before the next",
      `aws eks update-addon --cluster-name c --addon-name vpc-cni --configuration-values '{"env":{"WARM_IP_TARGET":"2"}}' --region eu-west-1 (applies to every node group) — or: aws ec2 describe-subnets --region eu-west-1`,
      [
        `aws eks update-addon --cluster-name c --addon-name vpc-cni --configuration-values '{"env":{"WARM_IP_TARGET":"2"}}' --region eu-west-1`,
        "aws ec2 describe-subnets --region eu-west-1",
      ],
    ],
    [
      "prose words after a flag's value",
      "Re-run the scan; if it persists, run eks-audit scan --accounts 222233334444 --regions us-east-1 --store none locally and open an issue.",
      ["eks-audit scan --accounts 222233334444 --regions us-east-1 --store none"],
    ],
    [
      "a clause end inside quotes, a pipe and a command substitution",
      `Read the settings: NODE=$(kubectl get nodes -l a=b -o jsonpath='{.items[0].metadata.name}') && kubectl get --raw "/api/v1/nodes/$NODE/proxy/configz" | jq '.kubeletconfig | {evictionHard, kubeReserved}'`,
      [
        `NODE=$(kubectl get nodes -l a=b -o jsonpath='{.items[0].metadata.name}') && kubectl get --raw "/api/v1/nodes/$NODE/proxy/configz" | jq '.kubeletconfig | {evictionHard, kubeReserved}'`,
      ],
    ],
    [
      "a flag snippet line",
      "pass these kubelet flags to /etc/eks/bootstrap.sh:\n--kubelet-extra-args '--system-reserved=cpu=100m --eviction-hard=memory.available<200Mi'",
      ["--kubelet-extra-args '--system-reserved=cpu=100m --eviction-hard=memory.available<200Mi'"],
    ],
    [
      "commands chained with && stay one",
      "aws ec2 delete-tags --resources s --tags Key=a --region r && aws ec2 create-tags --resources s --tags Key=b,Value=1 --region r",
      [
        "aws ec2 delete-tags --resources s --tags Key=a --region r && aws ec2 create-tags --resources s --tags Key=b,Value=1 --region r",
      ],
    ],
    [
      "prose that names the AWS CLI or aws-auth",
      "Edit the aws-auth ConfigMap; see the AWS provider block.",
      [],
    ],
  ])("finds %s", (_case, remediation, commands) => {
    // Act
    const found = fixCommands(remediation);

    // Assess
    expect(found).toEqual(commands);
  });

  it("keeps every word of the remediation in its blocks", () => {
    // Prepare
    const remediation =
      '1. Revoke: aws ec2 revoke-security-group-ingress --group-id sg-1 --ip-permissions \'[{"IpProtocol":"tcp"}]\'\n2. Then apply:\napiVersion: v1\nkind: X\nspec:\n  a: 1';

    // Act
    const blocks = fixBlocks(remediation);

    // Assess
    expect(blocks.map((b) => b.kind)).toEqual(["prose", "command", "prose", "snippet"]);
    expect(blocks.at(-1)?.text).toBe("apiVersion: v1\nkind: X\nspec:\n  a: 1");
    const words = (s: string) => s.split(/\s+/).filter(Boolean);
    expect(words(blocks.map((b) => b.text).join(" "))).toEqual(words(remediation));
  });

  it("leaves out the punctuation a command leaves dangling once on its own lines", () => {
    // Act
    const blocks = fixBlocks(
      "Add a CIDR (aws ec2 associate-vpc-cidr-block --vpc-id vpc-1 --region r), create a subnet; check with `aws ec2 describe-subnets --region r`, then aws ssm start-session --target i-1.",
    );

    // Assess
    expect(blocks).toEqual([
      { kind: "prose", text: "Add a CIDR" },
      { kind: "command", text: "aws ec2 associate-vpc-cidr-block --vpc-id vpc-1 --region r" },
      { kind: "prose", text: "create a subnet; check with" },
      { kind: "command", text: "aws ec2 describe-subnets --region r" },
      { kind: "prose", text: "then" },
      { kind: "command", text: "aws ssm start-session --target i-1" },
    ]);
  });
});

describe("Function: layoutCommand", () => {
  const command = `aws eks update-addon --cluster-name payments-euw1 --addon-name vpc-cni --configuration-values '{"env":{"WARM_IP_TARGET":"2","MINIMUM_IP_TARGET":"9"}}' --region eu-west-1`;

  it.each([80, 100, 160])("fits %i columns and reads back as the same command", (width) => {
    // Act
    const lines = layoutCommand(command, width, 6);

    // Assess
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
    expect(joinContinuations(lines).replace(/\s+/g, " ").trim()).toBe(command);
  });

  it("prints a command that fits on one line unchanged", () => {
    expect(layoutCommand("aws ec2 describe-subnets --region eu-west-1", 80, 6)).toEqual([
      "      aws ec2 describe-subnets --region eu-west-1",
    ]);
  });

  it("cuts a single-quoted word longer than a line into adjacent quoted pieces", () => {
    // Prepare
    const json = `'[{"IpProtocol":"tcp","FromPort":5432,"ToPort":5432,"UserIdGroupPairs":[{"GroupId":"sg-00cb3c231d1ff12cc","UserId":"222233334444"}]}]'`;
    const long = `aws ec2 revoke-security-group-ingress --group-id sg-1 --ip-permissions ${json}`;

    // Act
    const lines = layoutCommand(long, 80, 6);

    // Assess
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.some((line) => line.startsWith("'"))).toBe(true);
    expect(parse(joinContinuations(lines))).toEqual(parse(long));
  });

  it("lays out any command so the shell reads the same words, within the width unless one word cannot be cut", () => {
    const word = fc.oneof(
      fc.stringMatching(/^[a-z0-9=,./:-]{1,30}$/),
      fc.string({ minLength: 1, maxLength: 120 }).filter((s) => !s.includes("'") && !/[\n\r\\]/.test(s)),
    );
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 40, max: 200 }),
        (args, width) => {
          // Prepare
          const text = `aws ${quote(args)}`;

          // Act
          const lines = layoutCommand(text, width, 6);

          // Assess
          expect(parse(joinContinuations(lines), keepVariables)).toEqual(parse(text, keepVariables));
          // A word the shell would read differently once cut (not a plain single-quoted string) may overflow.
          const uncuttable = args
            .map((a) => quote([a]))
            .some((w) => !/^'[^']*'$/.test(w) && w.length > width - 12);
          if (!uncuttable) for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
        },
      ),
      { numRuns: 300 },
    );
  });
});
