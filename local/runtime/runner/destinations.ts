import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ProduceAcks, Producer } from '@platformatic/kafka';
import type { DynamoDBRecord, MSKRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { LOCAL_CREDENTIALS } from '../endpoints';
import type { KafkaMappingSpec, OnFailureDestination, StreamMappingSpec } from './assembly';
import type { EventSource } from './kafka-event';
import {
  failureObjectKey,
  kafkaBatchFailureRecord,
  kafkaFailureMessages,
  kafkaShardOf,
  streamBatchFailureRecord,
} from './on-failure';
import type { DiscardInfo } from './retry-policy';

/**
 * The local stand-ins for on-failure destinations: a Kafka topic on the local broker, a local S3
 * bucket when the bindings name one for the destination, and for SQS and SNS (not emulated locally) a
 * log line carrying the invocation record the queue or topic would have received.
 */
export interface Destinations {
  forKafka(
    mapping: KafkaMappingSpec,
    functionArn: string,
    source: EventSource,
  ): (records: readonly MSKRecord[], info: DiscardInfo, batch: readonly MSKRecord[]) => Promise<void>;
  forStream(
    mapping: StreamMappingSpec,
    functionArn: string,
  ): (
    records: readonly DynamoDBRecord[],
    info: DiscardInfo,
    source: { readonly streamArn: string; readonly shardId: string },
  ) => Promise<void>;
  close(): Promise<void>;
}

export interface DestinationEndpoints {
  readonly kafkaBootstrap: string;
  readonly s3Endpoint: string;
  readonly region: string;
}

/** Why a destination cannot be reached locally, or undefined when it can. */
export function unsupportedDestination(mapping: KafkaMappingSpec | StreamMappingSpec): string | undefined {
  const destination = mapping.onFailure;
  if (!destination) return undefined;
  if (destination.type === 'kafka' && mapping.kind !== 'kafka') return 'a Kafka destination on a stream mapping';
  if (destination.type === 'kafka' && mapping.kind === 'kafka' && destination.topic === mapping.topic) {
    return `the mapping's own topic ${destination.topic} (Lambda rejects this: it would loop)`;
  }
  if (destination.type === 's3' && !destination.localBucket) {
    return `S3 bucket ${destination.bucketLogicalId}, which has no local stand-in (RunnerBindings.buckets)`;
  }
  return undefined;
}

export function destinations(endpoints: DestinationEndpoints, log: (line: string) => void): Destinations {
  let producer: Producer<Buffer, Buffer, Buffer, Buffer> | undefined;
  let s3: S3Client | undefined;
  const kafka = () =>
    (producer ??= new Producer({
      clientId: 'lambda-esm-on-failure',
      bootstrapBrokers: endpoints.kafkaBootstrap.split(','),
      idempotent: true,
      acks: ProduceAcks.ALL,
      autocreateTopics: false,
    }));
  const bucketClient = () =>
    (s3 ??= new S3Client({
      endpoint: endpoints.s3Endpoint,
      region: endpoints.region,
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
    }));

  async function putRecord(bucket: string, key: string, document: object): Promise<void> {
    await bucketClient().send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(document),
        ContentType: 'application/json',
      }),
    );
  }

  function notEmulated(mappingId: string, destination: OnFailureDestination, document: object): void {
    log(
      `[${mappingId}] on-failure destination ${destination.type.toUpperCase()} is not emulated locally; ` +
        `the invocation record it would receive: ${JSON.stringify(document)}`,
    );
  }

  return {
    forKafka(mapping, functionArn, source) {
      const destination = mapping.onFailure;
      return async (records, info, batch) => {
        const context = { functionArn, now: new Date(), source };
        const summary = `${records.length} record(s) of ${mapping.topic} (${info.condition}: ${info.reason})`;
        if (!destination) {
          log(`[${mapping.id}] ${summary} discarded: the mapping has no on-failure destination`);
        } else if (destination.type === 'kafka') {
          // One send per message: several large ones to one partition would form a record batch over the broker's limit.
          for (const m of kafkaFailureMessages(records, info, { ...context, batch })) {
            await kafka().send({ messages: [{ topic: destination.topic, key: m.key, value: Buffer.from(m.value) }] });
          }
          log(`[${mapping.id}] ${summary} sent to kafka://${destination.topic}`);
        } else if (destination.type === 's3' && destination.localBucket) {
          const key = failureObjectKey(mapping.id, kafkaShardOf(records), context.now, randomUUID());
          await putRecord(destination.localBucket, key, kafkaBatchFailureRecord(records, info, context, true));
          log(`[${mapping.id}] ${summary} written to s3://${destination.localBucket}/${key}`);
        } else {
          notEmulated(mapping.id, destination, kafkaBatchFailureRecord(records, info, context, false));
        }
      };
    },
    forStream(mapping, functionArn) {
      const destination = mapping.onFailure;
      return async (records, info, source) => {
        const context = { functionArn, now: new Date(), ...source };
        const summary = `${records.length} stream record(s) (${info.condition}: ${info.reason})`;
        if (!destination) {
          log(`[${mapping.id}] ${summary} discarded: the mapping has no on-failure destination`);
        } else if (destination.type === 's3' && destination.localBucket) {
          const key = failureObjectKey(mapping.id, source.shardId, context.now, randomUUID());
          await putRecord(destination.localBucket, key, streamBatchFailureRecord(records, info, context, true));
          log(`[${mapping.id}] ${summary} written to s3://${destination.localBucket}/${key}`);
        } else {
          notEmulated(mapping.id, destination, streamBatchFailureRecord(records, info, context, false));
        }
      };
    },
    async close() {
      await producer?.close().catch(() => undefined);
      s3?.destroy();
    },
  };
}
