import { type Command, Option } from "commander";
import type { LbSubnetsFlags } from "#shared/cli/actions/lb-subnets.ts";
import {
  type AwsFlags,
  accountsFlag,
  type CommandContext,
  commandHelp,
  EXIT,
  regionsFlag,
  withAwsOptions,
} from "#shared/cli/common/command.ts";
import { withOutputOptions } from "#shared/cli/common/output.ts";

export function registerLbSubnetsCommand(program: Command, { io, setExit }: CommandContext): void {
  const command = withAwsOptions(
    program
      .command("lb-subnets")
      .description("why can't my Service get a load balancer? Replays the controller's subnet discovery"),
  )
    .requiredOption("--cluster <name>", "EKS cluster name")
    .addOption(accountsFlag("account of the cluster, one (default: the caller's)"))
    .addOption(regionsFlag("region of the cluster, one (default: the current region)"))
    .addOption(
      new Option("--scheme <scheme>", "load balancer scheme (default: the controller's own default)").choices(
        ["internal", "internet-facing"],
      ),
    )
    .addOption(new Option("--type <type>", "load balancer type").choices(["alb", "nlb"]))
    .addOption(
      new Option("--controller <controller>", "lbc: AWS Load Balancer Controller; legacy: cloud-provider-aws")
        .choices(["lbc", "legacy"])
        .default("lbc"),
    );
  withOutputOptions(command, { description: "output format", choices: ["table", "json"] })
    .addHelpText(
      "after",
      commandHelp(
        [
          [
            "eks-audit lb-subnets --cluster web --scheme internet-facing --type alb",
            "why does this Ingress get no ALB? (the caller's account, the current region)",
          ],
          [
            "eks-audit lb-subnets --cluster web --controller legacy --format json",
            "the same for a Service of type LoadBalancer (legacy controller), as JSON",
          ],
          [
            [
              "eks-audit lb-subnets --estate sim/estates/sample-org.json --region us-east-1",
              "--cluster edge-use1",
            ],
            "try it on the sample organisation (exits 3: internal ALBs get no subnet)",
          ],
        ],
        [EXIT.ok, EXIT.error, EXIT.controllerWouldFail],
        {
          [EXIT.ok]: "the controller would find subnets: a load balancer can be created",
          [EXIT.error]: "error: bad flag or input, no such cluster, or AWS could not be read",
        },
      ),
    )
    .action(async (flags: LbSubnetsFlags & AwsFlags) => {
      const { lbSubnetsCommand } = await import("#shared/cli/actions/lb-subnets.ts");
      setExit(await lbSubnetsCommand(flags, io));
    });
}
