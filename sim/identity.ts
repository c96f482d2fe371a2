import { randomBytes } from "node:crypto";
import type { Estate } from "#shared/estate/index.ts";
import { shortHash } from "./faults.ts";

/** `AKIA`/`ASIA` + the 12-digit account id + 4 characters: the account is read from the key itself. */
const ACCOUNT_KEY = /^(AKIA|ASIA)(\d{12})[A-Za-z0-9]{4}$/;
const SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

export interface SigV4Scope {
  accessKeyId: string;
  region: string;
  service: string;
}

/** Reads the credential scope of a SigV4 `Authorization` header; the signature itself is not checked. */
export function parseAuthorization(header: string | undefined): SigV4Scope | undefined {
  if (header === undefined) return undefined;
  const m = SCOPE.exec(header);
  if (m === null || !m[1] || !m[3] || !m[4]) return undefined;
  return { accessKeyId: m[1], region: m[3], service: m[4] };
}

/** An access key id the simulator maps to `accountId`, e.g. for `AWS_ACCESS_KEY_ID`. */
export function simAccessKeyId(accountId: string, suffix = "SIMX"): string {
  return `AKIA${accountId}${suffix}`;
}

/** The account whose default credentials the caller holds: the management account, else the first known. */
export function defaultAccountId(estate: Estate): string {
  return (
    estate.organization.managementAccountId ??
    estate.organization.accounts[0]?.Id ??
    Object.keys(estate.accounts)[0] ??
    "000000000000"
  );
}

export function isKnownAccount(estate: Estate, accountId: string): boolean {
  return accountId in estate.accounts || estate.organization.accounts.some((a) => a.Id === accountId);
}

export interface Caller {
  accessKeyId: string;
  accountId: string;
  arn: string;
  userId: string;
}

export interface Session {
  accessKeyId: string;
  accountId: string;
  roleName: string;
  sessionName: string;
  roleId: string;
}

export interface IssuedCredentials {
  session: Session;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** Temporary credentials handed out by AssumeRole, remembered so GetCallerIdentity can answer for them. */
export class Sessions {
  private readonly byKey = new Map<string, Session>();
  private issued = 0;

  issue(
    accountId: string,
    roleName: string,
    sessionName: string,
    durationSeconds: number,
  ): IssuedCredentials {
    this.issued += 1;
    const suffix = (this.issued % 36 ** 4).toString(36).toUpperCase().padStart(4, "0");
    const session: Session = {
      accessKeyId: `ASIA${accountId}${suffix}`,
      accountId,
      roleName,
      sessionName,
      roleId: `AROA${shortHash(`${accountId}:${roleName}`)
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, "X")}`,
    };
    this.byKey.set(session.accessKeyId, session);
    return {
      session,
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: `IQoJsim${randomBytes(48).toString("base64")}`,
      expiration: new Date(Math.floor(Date.now() / 1000) * 1000 + durationSeconds * 1000),
    };
  }

  resolve(accessKeyId: string, estate: Estate): Caller {
    const session = this.byKey.get(accessKeyId);
    if (session) {
      return {
        accessKeyId,
        accountId: session.accountId,
        arn: `arn:aws:sts::${session.accountId}:assumed-role/${session.roleName}/${session.sessionName}`,
        userId: `${session.roleId}:${session.sessionName}`,
      };
    }
    const m = ACCOUNT_KEY.exec(accessKeyId);
    const accountId = m?.[2] ?? defaultAccountId(estate);
    if (m?.[1] === "ASIA") {
      return {
        accessKeyId,
        accountId,
        arn: `arn:aws:sts::${accountId}:assumed-role/eks-auditor-sim/${accessKeyId}`,
        userId: `AROASIMULATOR:${accessKeyId}`,
      };
    }
    return {
      accessKeyId,
      accountId,
      arn: `arn:aws:iam::${accountId}:user/eks-auditor-sim`,
      userId: `AIDA${shortHash(accountId)
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, "X")}`,
    };
  }
}
