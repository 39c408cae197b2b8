import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { OutgoingEvent } from '../../shared/kafka/publisher';
import { MalformedOutboxEntryError, outgoingEventOf } from '../../shared/orders/outbox';

/** The Kafka record carried by an outbox table stream record (its new image; the stream shows NEW_IMAGE). */
export function outgoingEventOfStreamRecord(record: DynamoDBRecord): OutgoingEvent {
  const image = record.dynamodb?.NewImage;
  if (!image) throw new MalformedOutboxEntryError('stream record has no NewImage (is the stream view NEW_IMAGE?)');
  // aws-lambda types the image with its own AttributeValue; the wire format is the SDK's.
  return outgoingEventOf(unmarshall(image as Record<string, AttributeValue>));
}
