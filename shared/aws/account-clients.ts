import { EC2Client } from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  FinalizeRequestMiddleware,
  HttpHandlerOptions,
  MetadataBearer,
  MiddlewareStack,
} from "@smithy/types";
import lruMapModule from "mnemonist/lru-map.js";
import { type CallRecorder, scopeKey } from "./call-recorder.ts";
import { DEFAULT_HOME_REGION, DEFAULT_MAX_ATTEMPTS, DEFAULT_ROLE_NAME } from "./defaults.ts";
import { partitionOfArn, partitionOfRegion } from "./partition.ts";

export interface AwsClientOptions {
  /** Names the assumed-role sessions: `eks-auditor-<runId>`. */
  runId: string;
  /** Shared config profile for the caller's own credentials (`--profile`). */
  profile?: string;
  /**
   * Caller credentials; default: each client's own default provider (the SDK's chain; in a Lambda bundle
   * the environment's execution-role credentials, see infra/bundling/options.ts).
   */
  credentials?: AwsCredentialIdentityProvider;
  /** The caller's credentials are this role, assumed with `credentials` (the planner's Organizations role). */
  callerRoleArn?: string;
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

/** What every client the factory makes is configured with; `callerClient` hands it to other services. */
export interface ClientConfig {
  region: string;
  maxAttempts: number;
  retryMode: string;
  /** The factory's shared handler; a scope's clients see it through the scope's abort signal. */
  requestHandler: NodeHttpHandler | AbortingHandler;
  endpoint?: string;
  credentials?: AwsCredentialIdentityProvider;
}

const REFRESH_MARGIN_MS = 5 * 60_000;

type HttpRequestHandler = NodeHttpHandler;

/**
 * The shared HTTP handler seen through an abort signal: every request it sends carries `signal()`, so
 * an abort destroys the request's socket (NodeHttpHandler.handle listens to `abortSignal`) instead of
 * letting the call run on after its scope was given up. Sockets stay pooled in the shared handler;
 * `destroy()` is the factory's, not the client's.
 */
class AbortingHandler {
  readonly metadata = { handlerProtocol: "http/1.1" };

  constructor(
    private readonly inner: HttpRequestHandler,
    private readonly signal: () => AbortSignal | undefined,
  ) {}

  handle(request: Parameters<HttpRequestHandler["handle"]>[0], options: HttpHandlerOptions = {}) {
    const bound = this.signal();
    const own = options.abortSignal as AbortSignal | undefined;
    const abortSignal = bound && own ? AbortSignal.any([bound, own]) : (bound ?? own);
    return this.inner.handle(request, { ...options, ...(abortSignal ? { abortSignal } : {}) });
  }

  updateHttpClientConfig(...args: Parameters<HttpRequestHandler["updateHttpClientConfig"]>): void {
    this.inner.updateHttpClientConfig(...args);
  }

  httpHandlerConfigs(): ReturnType<HttpRequestHandler["httpHandlerConfigs"]> {
    return this.inner.httpHandlerConfigs();
  }

  destroy(): void {
    // The shared handler outlives each client: AwsClientFactory.destroy() closes it.
  }
}

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
 * STS AssumeRole as a credential provider: the role's temporary credentials, refreshed by
 * `sharedCredentials`. It is what `fromTemporaryCredentials` does, on the STS client the factory already
 * holds, so a Lambda bundle carries no second (nested) STS client. An STS error (AccessDenied…) is thrown
 * as STS returned it, so the scan classifies it.
 */
export function assumeRoleCredentials(
  sts: () => STSClient,
  params: { RoleArn: string; RoleSessionName: string; DurationSeconds?: number },
  signal: () => AbortSignal | undefined = () => undefined,
): AwsCredentialIdentityProvider {
  return async () => {
    const abortSignal = signal();
    const { Credentials: c } = await sts().send(
      new AssumeRoleCommand(params),
      abortSignal ? { abortSignal: abortSignal as HttpHandlerOptions["abortSignal"] } : {},
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw Object.assign(new Error(`AssumeRole ${params.RoleArn} returned no credentials`), {
        name: "InvalidIdentityToken",
      });
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
  };
}

// mnemonist is CommonJS (`module.exports = LRUMap`): Node's default import is the class; its typings say `default`.
const LRUMap = lruMapModule as unknown as typeof lruMapModule.default;

/** Accounts whose assumed-role credentials a factory keeps (about 1 KB each). */
export const CREDENTIALS_KEPT = 256;

/**
 * Builds AWS clients per account and region. The caller's own account uses the default credential
 * chain; every other account is reached by assuming `<roleName>`, with one credential provider per
 * account shared by that account's regional clients.
 */
export class AccountClientFactory {
  readonly roleName: string;
  /** The caller's credentials; undefined: each client's default provider. */
  private readonly base: AwsCredentialIdentityProvider | undefined;
  /**
   * One member-role provider per account, the most recently used `CREDENTIALS_KEPT` of them: a container that
   * scans thousands of accounts in one run holds a bounded number. A provider that falls out is still held by
   * the clients made with it; a later scope of its account assumes the role again.
   */
  private readonly credentials = new LRUMap<string, AwsCredentialIdentityProvider>(CREDENTIALS_KEPT);
  private readonly clients = new Map<string, unknown>();
  private readonly httpHandler: NodeHttpHandler;
  private caller: Promise<{ accountId: string; arn: string }> | undefined;
  /** The partition of the caller's identity, once GetCallerIdentity answered. */
  private callerPartition: string | undefined;
  /** Abort signals bound to an account-region (`abortScopeOn`), the latest one per account, and overall. */
  private readonly scopeSignals = new Map<string, AbortSignal>();
  private readonly accountSignals = new Map<string, AbortSignal>();
  private latestSignal: AbortSignal | undefined;
  /** The services of the scope clients made so far (`releaseScope` forgets them). */
  private readonly scopeServices = new Set<string>();

  constructor(private readonly options: AwsClientOptions) {
    this.roleName = options.roleName ?? DEFAULT_ROLE_NAME;
    this.httpHandler = new NodeHttpHandler({
      connectionTimeout: 5_000,
      requestTimeout: options.requestTimeoutMs ?? 15_000,
      // Without it a timed-out call only logs a warning and keeps waiting, which would hold the whole batch.
      throwOnRequestTimeout: true,
    });
    const own = options.credentials && sharedCredentials(options.credentials);
    this.base = options.callerRoleArn
      ? sharedCredentials(
          assumeRoleCredentials(() => this.stsWith("sts-caller-role", own), {
            RoleArn: options.callerRoleArn,
            RoleSessionName: `eks-auditor-${options.runId}`.slice(0, 64),
          }),
        )
      : own;
  }

  get homeRegion(): string {
    return this.options.homeRegion ?? DEFAULT_HOME_REGION;
  }

  /** The account and ARN of the caller's own credentials (STS GetCallerIdentity, once). */
  callerIdentity(): Promise<{ accountId: string; arn: string }> {
    this.caller ??= this.callerSts()
      .send(new GetCallerIdentityCommand({}))
      .then(
        (r) => {
          const arn = r.Arn ?? "";
          this.callerPartition = partitionOfArn(arn);
          return { accountId: r.Account ?? "", arn };
        },
        (err: unknown) => {
          // Not cached: the next scope asks again instead of inheriting one failed call.
          this.caller = undefined;
          throw err;
        },
      );
    return this.caller;
  }

  /**
   * The partition of every ARN the factory builds: the caller identity's (aws, aws-cn, aws-us-gov…). Before
   * GetCallerIdentity answered (or when it failed), the home region's partition.
   */
  get partition(): string {
    return this.callerPartition ?? partitionOfRegion(this.homeRegion);
  }

  /** The member role of an account, in the caller's partition. */
  roleArn(accountId: string): string {
    return `arn:${this.partition}:iam::${accountId}:role/${this.roleName}`;
  }

  /**
   * Ties an account-region's calls to `signal` (the scanner's per-record deadline): when it aborts, the
   * scope's in-flight EC2/EKS requests and its account's AssumeRole are cancelled and their sockets
   * closed, and later attempts fail at once. So is a GetCallerIdentity the scope is waiting for (a failed
   * one is asked again by the next scope). Bind before the scope's first client is created; it lasts until
   * `releaseScope`.
   */
  abortScopeOn(accountId: string, region: string, signal: AbortSignal): void {
    this.scopeSignals.set(scopeKey(accountId, region), signal);
    this.accountSignals.set(accountId, signal);
    this.latestSignal = signal;
  }

  /** The credentials for an account: the caller's own, or the assumed member role. */
  async credentialsFor(accountId: string): Promise<AwsCredentialIdentityProvider | undefined> {
    const { accountId: callerAccount } = await this.callerIdentity();
    if (accountId === callerAccount) return this.base;
    let provider = this.credentials.get(accountId);
    if (!provider) {
      provider = sharedCredentials(
        assumeRoleCredentials(
          () => this.stsWith("sts-assume", this.base),
          {
            RoleArn: this.roleArn(accountId),
            RoleSessionName: `eks-auditor-${this.options.runId}`.slice(0, 64),
            DurationSeconds: 3600,
          },
          // The credentials outlive one scope: an AssumeRole follows whichever scope of the account runs now.
          () => this.accountSignals.get(accountId),
        ),
      );
      this.credentials.set(accountId, provider);
    }
    return provider;
  }

  /** EC2 of an account-region: the planner's DescribeRegions, the collector's Describe* calls. */
  ec2(accountId: string, region: string): Promise<EC2Client> {
    return this.scopeClient("ec2", accountId, region, (config) => new EC2Client(config));
  }

  /**
   * A client of `service` for one account-region, with that account's credentials, made once and forgotten by
   * `releaseScope`. The service's constructor comes from the caller, so a bundle carries only the clients its
   * function makes (the planner's carries no EKS or Auto Scaling client; `AwsClientFactory` in clients.ts adds them).
   */
  protected async scopeClient<C extends object>(
    service: string,
    accountId: string,
    region: string,
    make: (config: ClientConfig) => C,
  ): Promise<C> {
    return this.client(service, accountId, region, await this.credentialsFor(accountId), make);
  }

  /**
   * A client of another service with the caller's own credentials, in the home region or `region`, made
   * once per key and region. Organizations (`#shared/aws/organizations.ts`) and the CLI's Security Hub use
   * it, so the scanner's bundle carries neither client.
   */
  callerClient<C extends object>(
    service: string,
    make: (config: ClientConfig) => C,
    region: string = this.homeRegion,
  ): C {
    const key = `caller/${service}/${region}`;
    const existing = this.clients.get(key);
    if (existing) return existing as C;
    const client = make({
      ...this.config(region),
      ...(this.base ? { credentials: this.base } : {}),
    });
    if (this.options.recorder)
      recordCalls(client, this.options.recorder, scopeKey("caller", region), service);
    this.clients.set(key, client);
    return client;
  }

  /**
   * Forgets one account-region's clients once its scan is done, so a long run holds no client per scope
   * it has finished. Not `destroy()`: the clients share one HTTP handler (and its pooled sockets).
   */
  releaseScope(accountId: string, region: string): void {
    for (const service of this.scopeServices) this.clients.delete(`${service}/${accountId}/${region}`);
    const key = scopeKey(accountId, region);
    const signal = this.scopeSignals.get(key);
    this.scopeSignals.delete(key);
    if (signal !== undefined && this.accountSignals.get(accountId) === signal)
      this.accountSignals.delete(accountId);
  }

  /** Closes every client's sockets (the CLI exits promptly). */
  destroy(): void {
    for (const client of this.clients.values()) (client as { destroy(): void }).destroy();
    this.clients.clear();
    this.httpHandler.destroy();
  }

  /** The caller's own STS client: shared by every scope, so it follows whichever scope asks now. */
  private callerSts(): STSClient {
    const key = `sts-caller/${this.homeRegion}`;
    let sts = this.clients.get(key) as STSClient | undefined;
    if (!sts) {
      sts = new STSClient({
        ...this.config(this.homeRegion),
        ...(this.base ? { credentials: this.base } : {}),
        requestHandler: new AbortingHandler(this.httpHandler, () => this.latestSignal),
      });
      if (this.options.recorder)
        recordCalls(sts, this.options.recorder, scopeKey("caller", this.homeRegion), "sts");
      this.clients.set(key, sts);
    }
    return sts;
  }

  /** An unrecorded STS client for AssumeRole (as before, role assumption is not a scope's call). */
  private stsWith(key: string, credentials: AwsCredentialIdentityProvider | undefined): STSClient {
    let sts = this.clients.get(key) as STSClient | undefined;
    if (!sts) {
      sts = new STSClient({ ...this.config(this.homeRegion), ...(credentials ? { credentials } : {}) });
      this.clients.set(key, sts);
    }
    return sts;
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

  private client<C extends object>(
    service: string,
    accountId: string,
    region: string,
    credentials: AwsCredentialIdentityProvider | undefined,
    make: (config: ClientConfig) => C,
  ): C {
    const key = `${service}/${accountId}/${region}`;
    const existing = this.clients.get(key);
    if (existing) return existing as C;
    // A scope's clients keep the signal bound when they were made, so a retry after the scope was released
    // still sees its abort.
    const signal = accountId === "" ? undefined : this.scopeSignals.get(scopeKey(accountId, region));
    const config: ClientConfig = {
      ...this.config(region),
      ...(credentials ? { credentials } : {}),
      ...(signal ? { requestHandler: new AbortingHandler(this.httpHandler, () => signal) } : {}),
    };
    const client = make(config);
    if (this.options.recorder) {
      recordCalls(client, this.options.recorder, scopeKey(accountId || "caller", region), service);
    }
    this.scopeServices.add(service);
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
