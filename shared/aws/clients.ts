import { EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { SNSClient } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain, fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  FinalizeRequestMiddleware,
  MetadataBearer,
  MiddlewareStack,
} from "@smithy/types";
import { type CallRecorder, scopeKey } from "./call-recorder.ts";

export const DEFAULT_ROLE_NAME = "EksAuditorReadRole";
export const DEFAULT_MAX_ATTEMPTS = 5;
/** Regions where the caller's own STS and Organizations calls go when nothing else is configured. */
export const DEFAULT_HOME_REGION = "us-east-1";

export interface AwsClientOptions {
  /** Names the assumed-role sessions: `eks-auditor-<runId>`. */
  runId: string;
  /** Shared config profile for the caller's own credentials (`--profile`). */
  profile?: string;
  /** Caller credentials; default: the SDK's default chain. */
  credentials?: AwsCredentialIdentityProvider;
  /** Member role assumed in every account other than the caller's. */
  roleName?: string;
  /** Endpoint override, e.g. the loopback simulator. */
  endpoint?: string;
  /** Region for STS / Organizations / DescribeRegions. */
  homeRegion?: string;
  /** Attempts per call under the SDK's standard retry strategy. */
  maxAttempts?: number;
  /** Per-request socket timeout. */
  requestTimeoutMs?: number;
  /** Counts every call per scope. */
  recorder?: CallRecorder;
}

type Service = "ec2" | "eks" | "sns" | "sts" | "organizations";
type ClientOf<S extends Service> = S extends "ec2"
  ? EC2Client
  : S extends "eks"
    ? EKSClient
    : S extends "sns"
      ? SNSClient
      : S extends "sts"
        ? STSClient
        : OrganizationsClient;

const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * One credential fetch shared by every client of an account: the SDK memoises per client, which would
 * otherwise assume the role once per regional client.
 */
export function sharedCredentials(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const fresh = (c: AwsCredentialIdentity) =>
    c.expiration === undefined || c.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS;
  return async () => {
    if (pending) {
      const current = await pending.catch(() => undefined);
      if (current && fresh(current)) return current;
    }
    pending = provider();
    return pending;
  };
}

/**
 * Builds AWS clients per account and region. The caller's own account uses the default credential
 * chain; every other account is reached by assuming `<roleName>`, with one credential provider per
 * account shared by that account's regional clients.
 */
export class AwsClientFactory {
  readonly roleName: string;
  private readonly base: AwsCredentialIdentityProvider;
  private readonly credentials = new Map<string, AwsCredentialIdentityProvider>();
  private readonly clients = new Map<string, unknown>();
  private readonly httpHandler: NodeHttpHandler;
  private caller: Promise<{ accountId: string; arn: string }> | undefined;

  constructor(private readonly options: AwsClientOptions) {
    this.roleName = options.roleName ?? DEFAULT_ROLE_NAME;
    this.base = sharedCredentials(
      options.credentials ?? fromNodeProviderChain(options.profile ? { profile: options.profile } : {}),
    );
    this.httpHandler = new NodeHttpHandler({
      connectionTimeout: 5_000,
      requestTimeout: options.requestTimeoutMs ?? 15_000,
      // Without it a timed-out call only logs a warning and keeps waiting, which would hold the whole batch.
      throwOnRequestTimeout: true,
    });
  }

  get homeRegion(): string {
    return this.options.homeRegion ?? DEFAULT_HOME_REGION;
  }

  /** The account and ARN of the caller's own credentials (STS GetCallerIdentity, once). */
  callerIdentity(): Promise<{ accountId: string; arn: string }> {
    this.caller ??= this.client("sts", "", this.homeRegion, this.base)
      .send(new GetCallerIdentityCommand({}))
      .then((r) => ({ accountId: r.Account ?? "", arn: r.Arn ?? "" }));
    return this.caller;
  }

  roleArn(accountId: string): string {
    return `arn:aws:iam::${accountId}:role/${this.roleName}`;
  }

  /** The credentials for an account: the caller's own, or the assumed member role. */
  async credentialsFor(accountId: string): Promise<AwsCredentialIdentityProvider> {
    const { accountId: callerAccount } = await this.callerIdentity();
    if (accountId === callerAccount) return this.base;
    let provider = this.credentials.get(accountId);
    if (!provider) {
      provider = sharedCredentials(
        fromTemporaryCredentials({
          masterCredentials: this.base,
          params: {
            RoleArn: this.roleArn(accountId),
            RoleSessionName: `eks-auditor-${this.options.runId}`.slice(0, 64),
            DurationSeconds: 3600,
          },
          clientConfig: this.config(this.homeRegion),
        }),
      );
      this.credentials.set(accountId, provider);
    }
    return provider;
  }

  async ec2(accountId: string, region: string): Promise<EC2Client> {
    return this.client("ec2", accountId, region, await this.credentialsFor(accountId));
  }

  async eks(accountId: string, region: string): Promise<EKSClient> {
    return this.client("eks", accountId, region, await this.credentialsFor(accountId));
  }

  async sns(accountId: string, region: string): Promise<SNSClient> {
    return this.client("sns", accountId, region, await this.credentialsFor(accountId));
  }

  /** Organizations with the caller's own credentials (management or delegated-admin account). */
  organizations(): OrganizationsClient {
    return this.client("organizations", "", this.homeRegion, this.base);
  }

  /**
   * Forgets one account-region's clients once its scan is done, so a long run holds no client per scope
   * it has finished. Not `destroy()`: the clients share one HTTP handler (and its pooled sockets).
   */
  releaseScope(accountId: string, region: string): void {
    for (const service of ["ec2", "eks", "sns"] as const)
      this.clients.delete(`${service}/${accountId}/${region}`);
  }

  /** Closes every client's sockets (the CLI exits promptly). */
  destroy(): void {
    for (const client of this.clients.values()) (client as { destroy(): void }).destroy();
    this.clients.clear();
    this.httpHandler.destroy();
  }

  private config(region: string) {
    return {
      region,
      maxAttempts: this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      retryMode: "standard",
      requestHandler: this.httpHandler,
      ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
    };
  }

  private client<S extends Service>(
    service: S,
    accountId: string,
    region: string,
    credentials: AwsCredentialIdentityProvider,
  ): ClientOf<S> {
    const key = `${service}/${accountId}/${region}`;
    const existing = this.clients.get(key);
    if (existing) return existing as ClientOf<S>;
    const config = { ...this.config(region), credentials };
    const client = (
      service === "ec2"
        ? new EC2Client(config)
        : service === "eks"
          ? new EKSClient(config)
          : service === "sns"
            ? new SNSClient(config)
            : service === "sts"
              ? new STSClient(config)
              : new OrganizationsClient(config)
    ) as ClientOf<S>;
    if (this.options.recorder) {
      recordCalls(client, this.options.recorder, scopeKey(accountId || "caller", region), service);
    }
    this.clients.set(key, client);
    return client;
  }
}

/**
 * Counts calls that were actually sent: the middleware sits after signing, so a call that never left
 * (no credentials, role not assumable) is not counted, and it runs once per attempt, so retries show.
 */
function recordCalls(client: object, recorder: CallRecorder, scope: string, service: string): void {
  const stack = (client as { middlewareStack: MiddlewareStack<object, MetadataBearer> }).middlewareStack;
  const sent = new WeakSet<object>();
  const middleware: FinalizeRequestMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
    const operation = `${context.clientName?.replace(/Client$/, "") ?? service}.${context.commandName?.replace(/Command$/, "")}`;
    if (sent.has(context)) recorder.recordRetry(scope, operation);
    else {
      sent.add(context);
      recorder.record(scope, operation);
    }
    return next(args);
  };
  stack.addRelativeTo(middleware, {
    relation: "after",
    toMiddleware: "httpSigningMiddleware",
    name: "eksAuditorCallRecorder",
  });
}
