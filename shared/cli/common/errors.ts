/**
 * How a failed run is told: one line by default; with `--debug`, the whole error (name, message, stack, the
 * AWS request id and HTTP status from the SDK's `$metadata`, its causes), with credentials redacted.
 */

/** One line: `Name: message` (a plain Error's name is left out). */
export function errorLine(err: unknown): string {
  if (err instanceof Error) return `${err.name === "Error" ? "" : `${err.name}: `}${err.message}`;
  return String(err);
}

/** The SDK's response metadata on a modeled AWS error (`ServiceException.$metadata`). */
interface AwsErrorFields {
  $metadata?: {
    httpStatusCode?: number;
    requestId?: string;
    extendedRequestId?: string;
    cfId?: string;
    attempts?: number;
    totalRetryDelay?: number;
  };
  $fault?: string;
  Code?: string;
  code?: string;
}

const MAX_CAUSES = 5;

/** The `--debug` report of an error, redacted with `redactSecrets`. */
export function debugReport(err: unknown, env: NodeJS.ProcessEnv): string {
  const lines: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && depth <= MAX_CAUSES; depth += 1) {
    const indent = depth === 0 ? "" : "  ".repeat(depth);
    if (depth > 0) lines.push(`${indent}caused by:`);
    if (!(current instanceof Error)) {
      lines.push(`${indent}${String(current)}`);
      break;
    }
    lines.push(...(current.stack ?? errorLine(current)).split("\n").map((l) => `${indent}${l}`));
    if (current.stack !== undefined && !current.stack.includes(current.message)) {
      lines.push(`${indent}message: ${current.message}`);
    }
    const aws = current as Error & AwsErrorFields;
    const meta = aws.$metadata;
    if (meta !== undefined) {
      const fields = [
        ["requestId", meta.requestId],
        ["httpStatusCode", meta.httpStatusCode],
        ["extendedRequestId", meta.extendedRequestId],
        ["cfId", meta.cfId],
        ["attempts", meta.attempts],
        ["totalRetryDelay", meta.totalRetryDelay],
      ].filter(([, v]) => v !== undefined);
      lines.push(`${indent}$metadata: ${fields.map(([k, v]) => `${k}=${v}`).join(" ")}`);
    }
    const extra = [
      ["$fault", aws.$fault],
      ["Code", aws.Code],
      ["code", aws.code],
    ].filter(([, v]) => typeof v === "string");
    if (extra.length > 0) lines.push(`${indent}${extra.map(([k, v]) => `${k}=${v}`).join(" ")}`);
    current = current.cause;
  }
  return redactSecrets(lines.join("\n"), env);
}

/** AWS_* variables that hold a secret (the secret key, session and container tokens), not a file's path. */
const SECRET_ENV_NAME = /^AWS_(?!\w*_FILE$)\w*(SECRET|TOKEN|PASSWORD)\w*$/;
/** A secret written out as a key/value pair (shared credentials file, JSON, query string). */
const SECRET_PAIR =
  /((?:aws_secret_access_key|aws_session_token|aws_security_token|secretaccesskey|sessiontoken|x-amz-security-token|x-amz-signature|signature)["']?\s*[=:]\s*["']?)[^"'\s,&;}]+/gi;

/** Never prints a credential: the values of the secret AWS_* variables and any secret key/value pair. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv): string {
  let out = text;
  for (const [name, value] of Object.entries(env)) {
    // Short values (`true`, `1`) are flags, not secrets, and would redact ordinary words.
    if (SECRET_ENV_NAME.test(name) && value !== undefined && value.length >= 8) {
      out = out.split(value).join(`[${name} redacted]`);
    }
  }
  return out.replace(SECRET_PAIR, "$1[redacted]");
}
