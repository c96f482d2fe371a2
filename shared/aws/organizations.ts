import { OrganizationsClient } from "@aws-sdk/client-organizations";
import type { AwsClientFactory } from "./clients.ts";

/**
 * Organizations with the caller's own credentials (management or delegated-admin account). Kept out of
 * clients.ts so that the scanner's bundle, which never lists accounts, does not carry the client.
 */
export function organizationsClient(factory: AwsClientFactory): OrganizationsClient {
  return factory.callerClient("organizations", (config) => new OrganizationsClient(config));
}
