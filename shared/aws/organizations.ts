import { OrganizationsClient } from "@aws-sdk/client-organizations";
import type { AccountClientFactory } from "./account-clients.ts";

/**
 * Organizations with the caller's own credentials (management or delegated-admin account). Kept out of
 * clients.ts so that the scanner's bundle, which never lists accounts, does not carry the client.
 */
export function organizationsClient(factory: AccountClientFactory): OrganizationsClient {
  return factory.callerClient("organizations", (config) => new OrganizationsClient(config));
}
