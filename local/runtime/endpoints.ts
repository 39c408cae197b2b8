/** Where the functions and tools reach the local stand-ins of Kafka, DynamoDB, S3 and email. */
export interface LocalEndpoints {
  readonly kafkaBootstrap: string;
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  /** `http://127.0.0.1:<port>` of the SES v2 API stand-in, when one runs. */
  readonly sesEndpoint?: string;
  readonly region: string;
}

/** The region every local client and function uses. */
export const LOCAL_REGION = 'eu-west-1';

/**
 * Credentials every local client and function signs with. s3rver (the S3 stand-in) accepts only
 * this fixed key pair; DynamoDB Local accepts any. Fixed values also keep a local run from ever
 * picking up a developer's real AWS credentials.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
