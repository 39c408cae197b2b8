import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { MSKEvent } from 'aws-lambda';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { S3ArchiveStore } from './adapters/s3-archive-store';
import { archiveBatch, type ArchiveStore } from './archive-batch';
import { loadArchiveConfig } from './config';

/**
 * The batch function, built from its store so that tests can pass another. It returns nothing: the
 * archive succeeds or fails as a whole batch and never reports partial failures (see archiveBatch).
 */
export function archiveBatchHandler(store: ArchiveStore): (event: MSKEvent) => Promise<void> {
  return async (event) => {
    const objects = await archiveBatch(event, store);
    for (const object of objects) {
      logger.info('Archived records', {
        key: object.key,
        first_offset: object.firstOffset,
        last_offset: object.lastOffset,
        records: object.recordCount,
      });
      metrics.addMetric('RecordsArchived', MetricUnit.Count, object.recordCount);
    }
    metrics.addMetric('ArchiveObjectsWritten', MetricUnit.Count, objects.length);
  };
}

const config = loadArchiveConfig();
// One client per execution environment. The local runtime points it at an S3 stand-in through the
// SDK's AWS_ENDPOINT_URL_S3 variable; bodies are Buffers of known length, so the SDK's default
// request checksums work there as well as in S3.
const s3 = new S3Client({});

export const lambdaHandler = archiveBatchHandler(new S3ArchiveStore(s3, config.bucket));

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
