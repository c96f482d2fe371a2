import { randomUUID } from "node:crypto";
import { type MessageAttributeValue, Publish$, type PublishInput } from "@aws-sdk/client-sns";
import { AwsError } from "#sim/protocol/errors.ts";
import { type OperationHandler, operation, operationTable, type PublishedMessage } from "./context.ts";

export const SNS_XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/";

/** SNS's limit on message plus attributes. */
const MAX_MESSAGE_BYTES = 262_144;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(\.fifo)?$/;

function invalid(message: string): AwsError {
  return new AwsError("InvalidParameter", `Invalid parameter: ${message}`);
}

function invalidValue(message: string): AwsError {
  return new AwsError("ParameterValueInvalid", message);
}

function checkAttributes(
  attributes: Record<string, MessageAttributeValue>,
): PublishedMessage["messageAttributes"] {
  const out: [string, PublishedMessage["messageAttributes"][string]][] = [];
  for (const [name, value] of Object.entries(attributes)) {
    const type = value.DataType;
    if (type === undefined || type === "") {
      throw invalidValue(`The message attribute '${name}' must contain non-empty message attribute type.`);
    }
    const base = type.split(".")[0];
    if (base !== "String" && base !== "Number" && base !== "Binary") {
      throw invalidValue(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    if (base === "Binary") {
      if (value.BinaryValue === undefined || value.BinaryValue.length === 0) {
        throw invalidValue(
          `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`,
        );
      }
      out.push([name, { DataType: type, BinaryValue: value.BinaryValue }]);
    } else {
      if (value.StringValue === undefined || value.StringValue === "") {
        throw invalidValue(
          `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`,
        );
      }
      if (base === "Number" && !Number.isFinite(Number(value.StringValue))) {
        throw invalidValue(`Could not cast message attribute '${name}' value to number.`);
      }
      out.push([name, { DataType: type, StringValue: value.StringValue }]);
    }
  }
  return Object.fromEntries(out);
}

function attributesSize(attributes: PublishedMessage["messageAttributes"]): number {
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    size +=
      value.StringValue !== undefined
        ? Buffer.byteLength(value.StringValue)
        : (value.BinaryValue?.length ?? 0);
  }
  return size;
}

const publish = operation<PublishInput>(Publish$, (ctx, input) => {
  const topicArn = input.TopicArn ?? input.TargetArn;
  if (topicArn === undefined) throw invalid("TopicArn or TargetArn Reason: no value for required parameter");
  if (!TOPIC_ARN.test(topicArn)) throw invalid("TopicArn");
  const message = input.Message;
  if (message === undefined || message === "") throw invalid("Empty message");
  if (input.Subject !== undefined) {
    // Subjects must be ASCII, start with a letter, number or punctuation, and hold no line breaks or control characters.
    if (input.Subject.length === 0 || input.Subject.length > 100 || !/^[!-~][ -~]*$/.test(input.Subject)) {
      throw invalid("Subject");
    }
  }
  if (input.MessageStructure !== undefined) {
    if (input.MessageStructure !== "json") throw invalid("MessageStructure");
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      throw invalid("Message Structure - JSON message body failed to parse");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw invalid("Message Structure - JSON message body failed to parse");
    }
    const body = parsed as Record<string, unknown>;
    if (typeof body.default !== "string")
      throw invalid("Message Structure - No default entry in JSON message body");
  }
  const messageAttributes = checkAttributes(input.MessageAttributes ?? {});
  if (Buffer.byteLength(message) + attributesSize(messageAttributes) > MAX_MESSAGE_BYTES) {
    throw invalid("Message too long");
  }
  const messageId = randomUUID();
  const published: PublishedMessage = {
    messageId,
    accountId: ctx.accountId,
    region: ctx.region,
    topicArn,
    message,
    messageAttributes,
  };
  if (input.Subject !== undefined) published.subject = input.Subject;
  if (input.MessageStructure !== undefined) published.messageStructure = input.MessageStructure;
  ctx.published.push(published);
  return { MessageId: messageId };
});

export const snsOperations: Map<string, OperationHandler> = operationTable([publish]);
