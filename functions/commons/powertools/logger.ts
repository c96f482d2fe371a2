import { Logger } from "@aws-lambda-powertools/logger";

/** One logger per function bundle; the service name comes from POWERTOOLS_SERVICE_NAME (set by the stack). */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "eks-auditor" });
