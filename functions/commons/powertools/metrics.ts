import { Metrics } from "@aws-lambda-powertools/metrics";
import { METRICS_NAMESPACE, SCANNER_SERVICE } from "./names.ts";

/** The scanner's EMF metrics; `service` is their one default dimension, which the alarms name. */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SCANNER_SERVICE });
