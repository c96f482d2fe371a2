import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import type { EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import { SNSClient } from "@aws-sdk/client-sns";
import { AccountClientFactory } from "./account-clients.ts";

export {
  AccountClientFactory,
  type AwsClientOptions,
  assumeRoleCredentials,
  type ClientConfig,
  sharedCredentials,
} from "./account-clients.ts";

/**
 * The account-region clients of a scan: EC2, EKS and Auto Scaling for the collector, SNS for the CLI's alerts.
 * The planner uses `AccountClientFactory` alone, so its bundle carries none of the scan's clients.
 */
export class AwsClientFactory extends AccountClientFactory {
  eks(accountId: string, region: string): Promise<EKSClient> {
    return this.scopeClient("eks", accountId, region, (config) => new EKSClient(config));
  }

  /** Amazon EC2 Auto Scaling: the self-managed node groups. */
  autoscaling(accountId: string, region: string): Promise<AutoScalingClient> {
    return this.scopeClient("autoscaling", accountId, region, (config) => new AutoScalingClient(config));
  }

  /** The clients the collector reads one account-region with (`collectInventory`'s `ScopeClients`). */
  async scopeClients(
    accountId: string,
    region: string,
  ): Promise<{
    accountId: string;
    region: string;
    ec2: EC2Client;
    eks: EKSClient;
    autoscaling: AutoScalingClient;
  }> {
    const [ec2, eks, autoscaling] = await Promise.all([
      this.ec2(accountId, region),
      this.eks(accountId, region),
      this.autoscaling(accountId, region),
    ]);
    return { accountId, region, ec2, eks, autoscaling };
  }

  sns(accountId: string, region: string): Promise<SNSClient> {
    return this.scopeClient("sns", accountId, region, (config) => new SNSClient(config));
  }
}
