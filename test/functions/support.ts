import type { Context, SQSEvent, SQSRecord } from "aws-lambda";

export const SAMPLE_ESTATE = new URL("../../sim/estates/sample-org.json", import.meta.url).pathname;
/** The simulator maps `AKIA<account>…` keys to that account: here the management account. */
export const MANAGEMENT_ACCESS_KEY = "AKIA111122223333TEST";
export const TOPIC_ARN = "arn:aws:sns:eu-west-1:111122223333:eks-auditor-alerts";
export const QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/111122223333/eks-auditor-scan-tasks";
/** ACTIVE accounts of sim/estates/sample-org.json (666677778888 is SUSPENDED). */
export const ACTIVE_ACCOUNTS = [
  "111122223333",
  "222233334444",
  "333344445555",
  "444455556666",
  "555566667777",
];

/** Sets environment variables for the duration of a test file; returns the restore function. */
/**
 * The environment the handlers read to reach the simulator and dynalite: the caller's static keys, no
 * profile or session token from the developer's shell, and the endpoint overrides.
 */
export function simulatorEnv(
  endpoints: { simulator: string; dynamodb: string },
  options: { accessKeyId?: string; logLevel?: string } = {},
): Record<string, string | undefined> {
  return {
    AWS_ACCESS_KEY_ID: options.accessKeyId ?? MANAGEMENT_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: "simulator",
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_REGION: "eu-west-1",
    EKS_AUDITOR_ENDPOINT_URL: endpoints.simulator,
    EKS_AUDITOR_DYNAMODB_ENDPOINT_URL: endpoints.dynamodb,
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? "INFO",
  };
}

export function setEnv(vars: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  return () => apply(saved);
}

export function lambdaContext(
  functionName: string,
  awsRequestId = "7f3c1d2e-0000-4000-8000-000000000001",
): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:111122223333:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId,
    logGroupName: `/eks-auditor/${functionName}`,
    logStreamName: "2026/11/25/[$LATEST]0123456789abcdef",
    getRemainingTimeInMillis: () => 300_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

let messageCounter = 0;

export function sqsRecord(body: string): SQSRecord {
  messageCounter += 1;
  const messageId = `00000000-0000-4000-8000-${String(messageCounter).padStart(12, "0")}`;
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1795587300000",
      SenderId: "AROAPLANNER:eks-auditor-planner",
      ApproximateFirstReceiveTimestamp: "1795587300100",
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:eu-west-1:111122223333:eks-auditor-scan-tasks",
    awsRegion: "eu-west-1",
  };
}

export function sqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/**
 * Captures what is written to stdout and stderr (Powertools logs warnings and errors on stderr, the rest
 * and the EMF metrics on stdout) while `fn` runs; returns the raw text and its JSON lines.
 */
export async function captureOutput<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; output: string; lines: Record<string, unknown>[] }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((s) => s.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    }) as typeof stream.write;
  }
  try {
    const result = await fn();
    const output = chunks.join("");
    return { result, output, lines: jsonLines(output) };
  } finally {
    streams.forEach((stream, i) => {
      const original = originals[i];
      if (original) stream.write = original;
    });
  }
}

function jsonLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a JSON line
    }
  }
  return out;
}

/** The sum of an EMF metric over the captured lines (Powertools writes repeated values as an array). */
export function emfSum(
  lines: readonly Record<string, unknown>[],
  metric: string,
  dimensions: Record<string, string> = {},
): number {
  let sum = 0;
  for (const line of lines) {
    if (!("_aws" in line) || !(metric in line)) continue;
    if (Object.entries(dimensions).some(([k, v]) => line[k] !== v)) continue;
    const value = line[metric];
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) if (typeof v === "number") sum += v;
  }
  return sum;
}
