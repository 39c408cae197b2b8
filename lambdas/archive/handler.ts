import { S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig } from '../shared/aws-client-config';
import { S3ArchiveStore } from './adapters/s3-archive-store';
import { archiveConsumer } from './archive-consumer';
import { archiveConfigFromEnv } from './config';
import { withObservability } from '../shared/lambda-handler';

/** Archive: MSK event source mappings on every business topic and the dead letters; S3, no DynamoDB. */
const config = archiveConfigFromEnv();
// The local runtime points the client at an S3 stand-in through the SDK's AWS_ENDPOINT_URL_S3.
const s3 = new S3Client(awsClientConfig());

export const lambdaHandler = archiveConsumer(new S3ArchiveStore(s3, config.bucket));

export const handler = withObservability(lambdaHandler);
