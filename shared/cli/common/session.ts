import { join } from "node:path";
import { STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { getHomeDir, loadSharedConfigFiles } from "@smithy/core/config";
import { CallRecorder } from "#shared/aws/call-recorder.ts";
import { AwsClientFactory } from "#shared/aws/clients.ts";
import { DEFAULT_HOME_REGION } from "#shared/aws/defaults.ts";
import { type Estate, loadEstateFile } from "#shared/estate/index.ts";
import { type AccountSelection, type RegionSelection, resolveNamedAccounts } from "#shared/scan/plan.ts";
import { runIdOf } from "#shared/scan/run-id.ts";

export interface SessionFlags {
  profile?: string;
  roleName?: string;
  endpointUrl?: string;
  estate?: string;
}

export interface Session {
  factory: AwsClientFactory;
  recorder: CallRecorder;
  runId: string;
  /** The region to scan when none is given. */
  defaultRegion(): Promise<string>;
  /** Stops the in-process simulator (when `--estate`) and closes sockets. */
  close(): Promise<void>;
  estate?: Estate;
}

const TRY_WITHOUT_ACCOUNT = "To try eks-auditor without an account: npm run demo";

/** Raised when the caller has no usable credentials: the CLI prints one helpful line. */
export class NoCredentialsError extends Error {
  override readonly name = "NoCredentialsError";

  /** `profile`: the profile that was asked for (it exists, but gave no credentials). */
  constructor(readonly profile?: string) {
    super(
      profile === undefined
        ? "no AWS credentials found: set AWS_PROFILE or pass --profile (run `aws sso login` first for SSO), " +
            `or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. ${TRY_WITHOUT_ACCOUNT}`
        : `no AWS credentials from profile "${profile}": for SSO run \`aws sso login --profile ${profile}\` first, ` +
            `otherwise check its keys, role_arn or credential_process. ${TRY_WITHOUT_ACCOUNT}`,
    );
  }
}

/** The profile asked for (`--profile` or AWS_PROFILE) is in neither shared file. */
export class ProfileNotFoundError extends Error {
  override readonly name = "ProfileNotFoundError";
}

/** True for the SDK's "no credentials" error (classified by name, as the SDK's own errors are) and ours. */
export function isNoCredentials(err: unknown): boolean {
  return (
    err instanceof NoCredentialsError || (err as { name?: unknown })?.name === "CredentialsProviderError"
  );
}

/**
 * Why the caller has no credentials: a profile that does not exist is named, with the profiles there are
 * (read by the SDK's own INI loader from the files the SDK reads: AWS_CONFIG_FILE and
 * AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials).
 */
export async function explainNoCredentials(
  flags: { profile?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Error> {
  const profile = flags.profile ?? env.AWS_PROFILE;
  if (profile === undefined || profile === "") return new NoCredentialsError();
  const home = getHomeDir();
  const configFilepath = env.AWS_CONFIG_FILE || join(home, ".aws", "config");
  const filepath = env.AWS_SHARED_CREDENTIALS_FILE || join(home, ".aws", "credentials");
  const { configFile, credentialsFile } = await loadSharedConfigFiles({
    configFilepath,
    filepath,
    ignoreCache: true,
  });
  // The config file's keys also hold `sso-session.NAME` and `services.NAME` sections, which are not profiles.
  const profiles = [
    ...new Set([
      ...Object.keys(configFile).filter((k) => !/^(sso-session|services)\./.test(k)),
      ...Object.keys(credentialsFile),
    ]),
  ].sort();
  if (profiles.includes(profile)) return new NoCredentialsError(profile);
  const shown = (path: string) => (path.startsWith(`${home}/`) ? `~/${path.slice(home.length + 1)}` : path);
  const from = flags.profile === undefined ? " (from AWS_PROFILE)" : "";
  return new ProfileNotFoundError(
    `profile "${profile}"${from} not found in ${shown(configFilepath)} or ${shown(filepath)} ` +
      `(${profiles.length > 0 ? `profiles there: ${profiles.join(", ")}` : "no profiles there"})`,
  );
}

/**
 * The accounts and regions a command covers: `--org`, `--accounts` or the caller's own account; `--regions`
 * or the current region.
 */
export async function resolveCliScope(
  session: Session,
  flags: { org?: boolean; accounts?: string[]; regions?: RegionSelection },
): Promise<{ accountIds: string[]; regions: RegionSelection; accountNames: Map<string, string> }> {
  const selection: AccountSelection = flags.org
    ? { kind: "org" }
    : flags.accounts
      ? { kind: "list", accountIds: flags.accounts }
      : { kind: "caller" };
  // With --org, the account names Organizations gives go into the alerts.
  const { accountIds, accountNames } = await resolveNamedAccounts(session.factory, selection);
  const regions = flags.regions ?? { kind: "list", regions: [await session.defaultRegion()] };
  return { accountIds, regions, accountNames };
}

/**
 * A session on a simulator that is already running (the demo changes its estate between scans):
 * the caller is the estate's management account; `close()` leaves the simulator running.
 */
export function simulatorSession(
  url: string,
  estate: Estate,
  flags: Pick<SessionFlags, "roleName"> = {},
  env: NodeJS.ProcessEnv = process.env,
): Session {
  const runId = runIdOf(new Date());
  const recorder = new CallRecorder();
  const envRegion = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const caller =
    estate.organization.managementAccountId ??
    estate.organization.accounts[0]?.Id ??
    Object.keys(estate.accounts)[0] ??
    "000000000000";
  const callerRegions = Object.keys(estate.accounts[caller]?.regions ?? {});
  const homeRegion =
    envRegion && callerRegions.includes(envRegion) ? envRegion : (callerRegions[0] ?? DEFAULT_HOME_REGION);
  const factory = new AwsClientFactory({
    runId,
    endpoint: url,
    homeRegion,
    credentials: async () => ({ accessKeyId: `AKIA${caller}DEMO`, secretAccessKey: "simulator" }),
    recorder,
    ...(flags.roleName ? { roleName: flags.roleName } : {}),
  });
  return {
    factory,
    recorder,
    runId,
    estate,
    defaultRegion: async () => homeRegion,
    close: async () => factory.destroy(),
  };
}

/**
 * Opens the AWS side of a CLI run: real AWS through the default credential chain, an endpoint override,
 * or (`--estate`) the loopback simulator started in-process on an estate file.
 */
export async function openSession(
  flags: SessionFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Session> {
  const envRegion = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (flags.estate) {
    const estate = await loadEstateFile(flags.estate);
    const { startSimulator } = await import("#sim/index.ts");
    const sim = await startSimulator({ estate });
    const session = simulatorSession(sim.url, estate, flags, env);
    return {
      ...session,
      close: async () => {
        await session.close();
        await sim.close();
      },
    };
  }
  const runId = runIdOf(new Date());
  const recorder = new CallRecorder();
  const resolveRegion = async (): Promise<string> => {
    if (envRegion) return envRegion;
    const probe = new STSClient(flags.profile ? { profile: flags.profile } : {});
    try {
      return await probe.config.region();
    } catch {
      throw new Error(
        "no AWS region configured: pass --regions, set AWS_REGION, or set a region in your profile",
      );
    } finally {
      probe.destroy();
    }
  };
  const region = await resolveRegion().catch(() => undefined);
  const factory = new AwsClientFactory({
    runId,
    recorder,
    homeRegion: region ?? DEFAULT_HOME_REGION,
    credentials: fromNodeProviderChain(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.roleName ? { roleName: flags.roleName } : {}),
    ...(flags.endpointUrl ? { endpoint: flags.endpointUrl } : {}),
  });
  // Fail early when there are no credentials at all: the CLI explains it (`explainNoCredentials`) in one line.
  await factory.callerIdentity().catch((err: unknown) => {
    factory.destroy();
    throw err;
  });
  return {
    factory,
    recorder,
    runId,
    defaultRegion: resolveRegion,
    close: async () => factory.destroy(),
  };
}
