import { AUTOSCALING_XMLNS, autoscalingOperations } from "#sim/services/autoscaling.ts";
import type { OperationHandler } from "#sim/services/context.ts";
import { EC2_XMLNS, ec2Operations } from "#sim/services/ec2.ts";
import { eksOperationSchemas, eksOperations } from "#sim/services/eks.ts";
import { ORGANIZATIONS_TARGET_PREFIX, organizationsOperations } from "#sim/services/organizations.ts";
import { securityHubOperationSchemas, securityHubOperations } from "#sim/services/securityhub.ts";
import { SNS_XMLNS, snsOperations } from "#sim/services/sns.ts";
import { STS_XMLNS, stsOperations } from "#sim/services/sts.ts";
import { AwsError } from "./errors.ts";
import { compileRoutes, type RestRoute } from "./rest.ts";

export type Protocol = "ec2" | "query" | "json" | "rest-json";

/** How one AWS service speaks: its wire protocol and the error codes it answers faults with. */
export interface ServiceDefinition {
  name: string;
  protocol: Protocol;
  xmlns: string;
  operations: Map<string, OperationHandler>;
  routes: RestRoute[];
  targetPrefix?: string;
  /** Code for a parameter the decoder could not read (wrong type, bad number). */
  invalidParameterCode: string;
  regionNotEnabled(accountId: string): AwsError;
  throttled(): AwsError;
  serverError(unavailable: boolean): AwsError;
  /** `failingCalls` entries without an errorCode answer this. */
  defaultFailureCode: string;
  unknownOperation(name: string): AwsError;
}

const INTERNAL_FAILURE =
  "The request processing has failed because of an unknown error, exception or failure.";

function xmlUnknownAction(name: string): AwsError {
  return new AwsError("InvalidAction", `The action ${name || "(none)"} is not valid for this web service.`);
}

const ec2: ServiceDefinition = {
  name: "ec2",
  protocol: "ec2",
  xmlns: EC2_XMLNS,
  operations: ec2Operations,
  routes: [],
  invalidParameterCode: "InvalidParameterValue",
  regionNotEnabled: () =>
    new AwsError("AuthFailure", "AWS was not able to validate the provided access credentials", 401),
  throttled: () => new AwsError("RequestLimitExceeded", "Request limit exceeded.", 503),
  serverError: (unavailable) =>
    unavailable
      ? new AwsError("Unavailable", "The server is overloaded and can't handle the request.", 503)
      : new AwsError("InternalError", "An internal error has occurred", 500),
  defaultFailureCode: "UnauthorizedOperation",
  unknownOperation: xmlUnknownAction,
};

const eks: ServiceDefinition = {
  name: "eks",
  protocol: "rest-json",
  xmlns: "",
  operations: eksOperations,
  routes: compileRoutes(eksOperationSchemas),
  invalidParameterCode: "InvalidParameterException",
  regionNotEnabled: () =>
    new AwsError("UnrecognizedClientException", "The security token included in the request is invalid", 403),
  throttled: () => new AwsError("ThrottlingException", "Rate exceeded", 400),
  serverError: (unavailable) =>
    unavailable
      ? new AwsError("ServiceUnavailableException", "Service is unavailable, please retry later.", 503)
      : new AwsError("InternalFailure", INTERNAL_FAILURE, 500),
  defaultFailureCode: "AccessDeniedException",
  unknownOperation: () => new AwsError("UnknownOperationException", "Unknown operation", 404),
};

const organizations: ServiceDefinition = {
  name: "organizations",
  protocol: "json",
  xmlns: "",
  operations: organizationsOperations,
  routes: [],
  targetPrefix: ORGANIZATIONS_TARGET_PREFIX,
  invalidParameterCode: "SerializationException",
  regionNotEnabled: () =>
    new AwsError("UnrecognizedClientException", "The security token included in the request is invalid", 403),
  // Organizations throttles with its own modelled code, which the SDK's retry strategy knows.
  throttled: () =>
    new AwsError(
      "TooManyRequestsException",
      "You have sent too many requests in too short a period of time. Try again later.",
      400,
    ),
  serverError: (unavailable) =>
    unavailable
      ? new AwsError("ServiceUnavailableException", "Service is unavailable, please retry later.", 503)
      : new AwsError("InternalFailure", INTERNAL_FAILURE, 500),
  defaultFailureCode: "AccessDeniedException",
  unknownOperation: () => new AwsError("UnknownOperationException", "", 400),
};

/** How the awsQuery services (STS, SNS, Auto Scaling) throttle and fail: the same codes for all three. */
const QUERY_SERVICE_ERRORS = {
  throttled: () => new AwsError("Throttling", "Rate exceeded", 400),
  serverError: (unavailable: boolean) =>
    unavailable
      ? new AwsError("ServiceUnavailable", "Service is unavailable, please retry later.", 503)
      : new AwsError("InternalFailure", INTERNAL_FAILURE, 500),
} satisfies Pick<ServiceDefinition, "throttled" | "serverError">;

/** SNS and Auto Scaling in a region the account has not enabled: the token is not valid there. */
const invalidClientToken = () =>
  new AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403);

const sts: ServiceDefinition = {
  name: "sts",
  protocol: "query",
  xmlns: STS_XMLNS,
  operations: stsOperations,
  routes: [],
  invalidParameterCode: "ValidationError",
  regionNotEnabled: (accountId) =>
    new AwsError(
      "RegionDisabledException",
      `STS is not activated in this region for account:${accountId}. Your account administrator can activate STS in this region using the IAM Console.`,
      403,
    ),
  ...QUERY_SERVICE_ERRORS,
  defaultFailureCode: "AccessDenied",
  unknownOperation: xmlUnknownAction,
};

const sns: ServiceDefinition = {
  name: "sns",
  protocol: "query",
  xmlns: SNS_XMLNS,
  operations: snsOperations,
  routes: [],
  invalidParameterCode: "InvalidParameter",
  regionNotEnabled: invalidClientToken,
  ...QUERY_SERVICE_ERRORS,
  defaultFailureCode: "AuthorizationError",
  unknownOperation: xmlUnknownAction,
};

const securityhub: ServiceDefinition = {
  name: "securityhub",
  protocol: "rest-json",
  xmlns: "",
  operations: securityHubOperations,
  routes: compileRoutes(securityHubOperationSchemas),
  invalidParameterCode: "InvalidInputException",
  regionNotEnabled: () =>
    new AwsError("UnrecognizedClientException", "The security token included in the request is invalid", 403),
  throttled: () => new AwsError("TooManyRequestsException", "Rate exceeded", 429),
  serverError: (unavailable) =>
    unavailable
      ? new AwsError("ServiceUnavailableException", "Service is unavailable, please retry later.", 503)
      : new AwsError("InternalException", "Internal service failure.", 500),
  defaultFailureCode: "AccessDeniedException",
  unknownOperation: () => new AwsError("UnknownOperationException", "Unknown operation", 404),
};

/** Amazon EC2 Auto Scaling: awsQuery, API version 2011-01-01, SigV4 service name `autoscaling`. */
const autoscaling: ServiceDefinition = {
  name: "autoscaling",
  protocol: "query",
  xmlns: AUTOSCALING_XMLNS,
  operations: autoscalingOperations,
  routes: [],
  invalidParameterCode: "ValidationError",
  regionNotEnabled: invalidClientToken,
  ...QUERY_SERVICE_ERRORS,
  defaultFailureCode: "AccessDenied",
  unknownOperation: xmlUnknownAction,
};

export const SERVICES: ReadonlyMap<string, ServiceDefinition> = new Map(
  [ec2, eks, organizations, sts, sns, securityhub, autoscaling].map((s) => [s.name, s]),
);

/** HTTP status AWS uses for an error code named in `faults.failingCalls`. */
export function statusOfErrorCode(code: string): number {
  if (/Unavailable/.test(code)) return 503;
  if (/^(Internal|ServerException|ServiceFailure)/.test(code)) return 500;
  if (code === "RequestLimitExceeded") return 503;
  if (code === "AuthFailure") return 401;
  if (
    /^(UnauthorizedOperation|AccessDenied|AuthorizationError|UnrecognizedClient|InvalidClientTokenId|OptInRequired)/.test(
      code,
    )
  ) {
    return 403;
  }
  if (code === "ResourceNotFoundException" || code === "NotFound" || code === "NotFoundException") return 404;
  return 400;
}
