import { AssumeRole$, type AssumeRoleRequest, GetCallerIdentity$ } from "@aws-sdk/client-sts";
import { isKnownAccount } from "#sim/identity.ts";
import { AwsError } from "#sim/protocol/errors.ts";
import { type OperationHandler, operation, operationTable } from "./context.ts";

export const STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

function validation(message: string): AwsError {
  return new AwsError("ValidationError", message);
}

const assumeRole = operation<AssumeRoleRequest>(AssumeRole$, (ctx, input) => {
  if (input.RoleArn === undefined) {
    throw validation(
      "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    );
  }
  if (input.RoleSessionName === undefined || !SESSION_NAME.test(input.RoleSessionName)) {
    throw validation(
      `1 validation error detected: Value '${input.RoleSessionName ?? "null"}' at 'roleSessionName' failed to satisfy constraint: ` +
        "Member must have length between 2 and 64 and satisfy regular expression pattern: [\\w+=,.@-]*",
    );
  }
  const duration = input.DurationSeconds ?? 3600;
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
    throw validation(
      `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: ` +
        "Member must have value between 900 and 43200",
    );
  }
  const m = ROLE_ARN.exec(input.RoleArn);
  if (m === null || !m[1] || !m[2]) throw validation(`${input.RoleArn} is invalid`);
  const [, accountId, roleName] = m;
  if (ctx.faults.isAssumeRoleDenied(accountId) || !isKnownAccount(ctx.estate, accountId)) {
    throw new AwsError(
      "AccessDenied",
      `User: ${ctx.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
      403,
    );
  }
  const issued = ctx.sessions.issue(accountId, roleName, input.RoleSessionName, duration);
  return {
    Credentials: {
      AccessKeyId: issued.session.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.sessionToken,
      Expiration: issued.expiration,
    },
    AssumedRoleUser: {
      AssumedRoleId: `${issued.session.roleId}:${input.RoleSessionName}`,
      Arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${input.RoleSessionName}`,
    },
  };
});

const getCallerIdentity = operation<Record<string, never>>(GetCallerIdentity$, (ctx) => ({
  UserId: ctx.caller.userId,
  Account: ctx.caller.accountId,
  Arn: ctx.caller.arn,
}));

export const stsOperations: Map<string, OperationHandler> = operationTable([assumeRole, getCallerIdentity]);
