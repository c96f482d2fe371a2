import { ListAccounts$, type ListAccountsRequest } from "@aws-sdk/client-organizations";
import { defaultAccountId } from "#sim/identity.ts";
import { paginate } from "#sim/pagination.ts";
import { AwsError } from "#sim/protocol/errors.ts";
import { listingFingerprint, type OperationHandler, operation, operationTable } from "./context.ts";

export const ORGANIZATIONS_TARGET_PREFIX = "AWSOrganizationsV20161128";

function invalidInput(reason: string, message: string): AwsError {
  return new AwsError("InvalidInputException", message, 400, { Reason: reason });
}

const listAccounts = operation<ListAccountsRequest>(ListAccounts$, (ctx, input) => {
  if (ctx.accountId !== defaultAccountId(ctx.estate)) {
    throw new AwsError("AccessDeniedException", "You don't have permissions to access this resource.", 403);
  }
  const result = paginate(
    ctx.estate.organization.accounts,
    { maxResults: input.MaxResults, nextToken: input.NextToken },
    {
      bounds: { min: 1, max: 20 },
      defaultSize: 20,
      cap: ctx.faults.maxPageSize,
      fingerprint: listingFingerprint(ctx, input, "MaxResults", "NextToken"),
      invalidMaxResults: (message) =>
        invalidInput((input.MaxResults ?? 0) < 1 ? "MIN_VALUE_EXCEEDED" : "MAX_VALUE_EXCEEDED", message),
      invalidToken: () =>
        invalidInput("INVALID_PAGINATION_TOKEN", "The specified pagination token is invalid."),
    },
  );
  return { Accounts: result.items, NextToken: result.nextToken };
});

export const organizationsOperations: Map<string, OperationHandler> = operationTable([listAccounts]);
