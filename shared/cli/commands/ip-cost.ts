import { type Command, Option } from "commander";
import type { IpCostFlags } from "#shared/cli/actions/ip-cost.ts";
import { type CommandContext, commandHelp, EXIT } from "#shared/cli/common/command.ts";
import { collect, nonNegativeIntOption, positiveIntOption } from "#shared/cli/common/options.ts";
import { withOutputOptions } from "#shared/cli/common/output.ts";

export function registerIpCostCommand(program: Command, { io, setExit }: CommandContext): void {
  const command = program
    .command("ip-cost")
    .description(
      "what one node of an instance type takes from its subnet under the VPC CNI, with the formula (offline)",
    )
    .option("--instance-type <type>", "EC2 instance type, e.g. m5.large (required unless --fargate)")
    .option("--auto-mode", "EKS Auto Mode's model: /28 prefixes, one warm prefix; no vpc-cni setting applies")
    .option("--fargate", "Fargate pods: one ENI and one address per pod (--pods counts them)")
    .option("--pods <n>", "IP-consuming pods on the node (default 1: the launch cost)", nonNegativeIntOption)
    .option("--max-pods <n>", "kubelet maxPods (default: the eni-max-pods value)", positiveIntOption)
    .addOption(
      new Option(
        "--cni <KEY=VALUE>",
        "vpc-cni env setting, repeatable (WARM_IP_TARGET=2, ENABLE_PREFIX_DELEGATION=true, …)",
      )
        .argParser(collect)
        .default([]),
    );
  withOutputOptions(command, { description: "output format", choices: ["table", "json"] })
    .addHelpText(
      "after",
      commandHelp(
        [
          ["eks-audit ip-cost --instance-type m5.large --pods 10", "one m5.large node with 10 pods"],
          [
            [
              "eks-audit ip-cost --instance-type m5.large --cni WARM_IP_TARGET=2",
              "--cni MINIMUM_IP_TARGET=10",
            ],
            "the same node under a smaller warm pool",
          ],
          [
            [
              "eks-audit ip-cost --instance-type m6i.xlarge",
              "--cni ENABLE_PREFIX_DELEGATION=true --format json",
            ],
            "with prefix delegation, as JSON",
          ],
          [
            "eks-audit ip-cost --instance-type m5.large --auto-mode",
            "the same type in an EKS Auto Mode pool",
          ],
          ["eks-audit ip-cost --fargate --pods 20", "20 Fargate pods: one address each"],
        ],
        [EXIT.ok, EXIT.error],
        { [EXIT.ok]: "done", [EXIT.error]: "error: unknown instance type or bad --cni setting" },
      ),
    )
    .action(async (flags: IpCostFlags) => {
      const { ipCostCommand } = await import("#shared/cli/actions/ip-cost.ts");
      setExit(ipCostCommand(flags, io));
    });
}
