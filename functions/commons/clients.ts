import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { AwsAccessConfig } from "./config.ts";

/** Created once per container (module scope of the handlers), reused by every invocation. */
export function sqsClient(config: AwsAccessConfig): SQSClient {
  return new SQSClient({ region: config.homeRegion });
}

export function dynamoClient(config: AwsAccessConfig & { dynamodbEndpointUrl?: string }): DynamoDBClient {
  return new DynamoDBClient({
    region: config.homeRegion,
    ...(config.dynamodbEndpointUrl ? { endpoint: config.dynamodbEndpointUrl } : {}),
  });
}

/** The topic's own region (its ARN's fourth field), the home region otherwise. */
export function snsClient(config: AwsAccessConfig & { topicArn: string }): SNSClient {
  const region = config.topicArn.split(":")[3] || config.homeRegion;
  return new SNSClient({ region, ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}) });
}
