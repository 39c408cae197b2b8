import type { FunctionId } from './functions';

/**
 * The AWS service APIs a function's own code calls, named once: the CDK app gives each a route
 * from the functions' subnets (lib/network-stack.ts), the infra tests check that every one has a
 * route in the synthesized templates and that it matches the SDK clients each function's code
 * imports, and the local runtime can refuse a call that has no route in AWS.
 *
 * Not listed, because Lambda handles them outside the function's VPC: CloudWatch Logs (the
 * runtime ships stdout, and the metrics are EMF log lines), X-Ray (the runtime's daemon) and the
 * event source mappings' own reads. Kafka brokers are in the VPC and are not an AWS API.
 */
export const AWS_SERVICES = {
  dynamodb: {
    endpointService: 'dynamodb',
    endpoint: 'gateway',
    sdkPackages: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'],
  },
  s3: { endpointService: 's3', endpoint: 'gateway', sdkPackages: ['@aws-sdk/client-s3'] },
  /** The SES v2 HTTPS API, the one email transport (docs/deploy.md, "SES: the API endpoint"). */
  ses: { endpointService: 'email', endpoint: 'interface', sdkPackages: ['@aws-sdk/client-sesv2'] },
  sqs: { endpointService: 'sqs', endpoint: 'interface', sdkPackages: ['@aws-sdk/client-sqs'] },
} as const;

export type AwsServiceId = keyof typeof AWS_SERVICES;

export const AWS_SERVICE_IDS = Object.keys(AWS_SERVICES) as AwsServiceId[];

/**
 * AWS SDK packages a function bundle loads without calling their service, with the reason: the
 * route check accepts them in a bundle without a route.
 */
export const LOADED_NOT_CALLED: Readonly<Record<string, string>> = {
  '@aws-sdk/client-sts':
    'aws-msk-iam-sasl-signer-js requires it when loaded but calls STS (GetCallerIdentity) only with its awsDebugCreds option, which lambdas/shared/kafka/msk-iam.ts never passes: the token is signed with the credentials Lambda provides',
};

/** Per function: the services whose API its code calls. test/infra/routes.test.ts keeps it true. */
export const CALLED_SERVICES: Record<FunctionId, readonly AwsServiceId[]> = {
  orderApi: ['dynamodb'],
  outboxRelay: ['dynamodb'],
  outboxSweeper: ['dynamodb'],
  orderStatus: ['dynamodb'],
  billing: ['dynamodb'],
  inventory: ['dynamodb'],
  restock: ['dynamodb'],
  shipping: ['dynamodb'],
  archive: ['s3'],
  clickApi: [],
  analytics: ['dynamodb'],
  analyticsApi: ['dynamodb'],
  notifications: ['dynamodb', 'ses'],
};

/**
 * The VPC endpoint service name of a service in a region: `com.amazonaws.<region>.<name>`
 * (https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html).
 */
export function endpointServiceName(service: AwsServiceId, region: string): string {
  return `com.amazonaws.${region}.${AWS_SERVICES[service].endpointService}`;
}
