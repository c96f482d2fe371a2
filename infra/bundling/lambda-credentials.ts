/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (esbuild `alias`, options.ts).
 *
 * Every SDK client's runtime config imports that package's `defaultProvider`, the full chain (env, SSO,
 * INI files, web identity, process, container and instance metadata) with the nested STS/SSO/sign-in
 * clients it needs: about 90 KB of the bundle. In Lambda only the first link ever answers: the runtime puts
 * the execution role's credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
 * (Lambda developer guide, "Defined runtime environment variables"), and the chain tries the environment
 * first (credential-provider-node, defaultProvider.js, `remoteProvider` after `fromEnv`). So the bundle
 * keeps that link and nothing else. The CLI is not bundled through this alias: it keeps the whole chain.
 */
import { fromEnv } from "@aws-sdk/credential-providers";

export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);

type Expiring = { expiration?: Date } | undefined;

/** The chain's refresh hints, as the SDK defines them (defaultProvider.js). */
export const credentialsWillNeedRefresh = (credentials: Expiring) => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials: Expiring) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
