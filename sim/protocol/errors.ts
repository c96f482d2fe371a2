/** An error the simulator answers the way the AWS service would: code, HTTP status, message. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Extra members of a modelled error (EKS ResourceNotFoundException: clusterName, ...). */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }

  /** Sender (4xx) or Receiver (5xx) in awsQuery error documents. */
  get sender(): boolean {
    return this.status < 500;
  }
}

/** Raised by the request decoders; each protocol turns it into its own validation error code. */
export class DecodeError extends Error {
  constructor(
    readonly parameter: string,
    readonly value: string,
  ) {
    super(`Invalid value '${value}' for ${parameter}`);
    this.name = "DecodeError";
  }
}
