/** The auditor's AWS defaults, apart from the clients so that settings code loads no SDK. */
export const DEFAULT_ROLE_NAME = "EksAuditorReadRole";
export const DEFAULT_MAX_ATTEMPTS = 5;
/** Regions where the caller's own STS and Organizations calls go when nothing else is configured. */
export const DEFAULT_HOME_REGION = "us-east-1";
