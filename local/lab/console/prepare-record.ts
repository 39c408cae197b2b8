import type * as z from 'zod/mini';
import { recordKey, TOPIC_SCHEMAS, type AnyEvent } from '../../../lambdas/shared/contracts/events';
import type { TopicName } from '../../../lambdas/shared/contracts/topics';
import { deterministicId } from '../../../lambdas/shared/ids';
import { RecordError, type SourceRecord } from './source-records';

/** A record ready for the producer. */
export interface OutgoingRecord {
  readonly key?: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

export interface PrepareOptions {
  readonly topic: string;
  /** Complete the envelope and check the topic's schema, for topics of the contracts. */
  readonly validate: boolean;
  readonly keyField?: string;
}

/**
 * Turns an input record into what is sent: for a topic of the contracts (and unless told not to
 * validate) the missing envelope fields are completed and the value must pass the topic's schema,
 * as the services' own producers guarantee. The key is the input's explicit key, else the
 * --key-field, else the topic's key from the contracts.
 */
export function prepareRecord(record: SourceRecord, options: PrepareOptions): OutgoingRecord {
  const schema = options.validate ? topicSchema(options.topic) : undefined;
  let value = record.value;
  if (schema) {
    value = withEnvelope(options.topic, schema, value);
    const result = schema.safeParse(value);
    if (!result.success) {
      const issues = result.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ');
      throw new RecordError(`line ${record.line}: not a valid ${options.topic} event: ${issues}`);
    }
  }
  const key = record.key ?? keyFromField(record, value, options.keyField) ?? contractKey(options.topic, schema, value);
  const headers: Record<string, string> = {};
  // The same headers as the services' producer, so that consumers and the archive see no difference.
  if (isObject(value)) {
    if (typeof value.event_type === 'string') headers.event_type = value.event_type;
    if (typeof value.event_id === 'string') headers.event_id = value.event_id;
  }
  return { key, value: JSON.stringify(value), headers };
}

type TopicSchema = (typeof TOPIC_SCHEMAS)[TopicName];

function topicSchema(topic: string): TopicSchema | undefined {
  return Object.hasOwn(TOPIC_SCHEMAS, topic) ? TOPIC_SCHEMAS[topic as TopicName] : undefined;
}

/**
 * Fills `event_type` when the topic carries one type only, and `event_id` from the topic and the
 * value, so that streaming the same file twice produces the same ids and consumers drop the repeat.
 */
function withEnvelope(topic: string, schema: TopicSchema, value: unknown): unknown {
  if (!isObject(value)) return value;
  const types = (schema._zod.def.options as readonly z.ZodMiniObject[]).flatMap((option) => [
    ...(option.shape.event_type as z.ZodMiniLiteral<string>)._zod.def.values,
  ]);
  const eventType = value.event_type ?? (types.length === 1 ? types[0] : undefined);
  // The envelope first, as the services write their events; the value's own fields keep their order.
  const typed = eventType === undefined ? value : { event_type: eventType, ...value };
  const eventId = typed.event_id ?? deterministicId('console', topic, JSON.stringify(typed));
  return { ...(eventType === undefined ? {} : { event_type: eventType }), event_id: eventId, ...typed };
}

function keyFromField(record: SourceRecord, value: unknown, field: string | undefined): string | undefined {
  if (field === undefined) return undefined;
  const key = isObject(value) ? value[field] : undefined;
  if (key === undefined || key === null || typeof key === 'object') {
    throw new RecordError(`line ${record.line}: no ${field} for the key (--key-field ${field})`);
  }
  return String(key);
}

function contractKey(topic: string, schema: TopicSchema | undefined, value: unknown): string | undefined {
  return schema ? (recordKey(topic as TopicName, value as AnyEvent) ?? undefined) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
