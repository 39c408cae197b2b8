import { compatibilityPartitioner, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { requireEnum, requireEnv } from '../config';
import { ENV } from '../contracts/environment';
import { CoalescingSender } from './coalescing-sender';
import { mskIamAuth } from './msk-iam';
import { withActiveTrace, type EventPublisher, type OutgoingEvent } from './publisher';
import { TRACEPARENT_HEADER } from '../trace-context';

export interface KafkaConnection {
  readonly bootstrapBrokers: readonly string[];
  /** `iam`: TLS and SASL/OAUTHBEARER signed with the function's role (MSK). `plaintext`: a local broker. */
  readonly auth: 'iam' | 'plaintext';
  readonly region?: string;
  readonly clientId: string;
}

export function kafkaConnectionFromEnv(clientId: string, env: NodeJS.ProcessEnv = process.env): KafkaConnection {
  const auth = requireEnum(ENV.kafkaAuth, ['iam', 'plaintext'] as const, env);
  return {
    bootstrapBrokers: requireEnv(ENV.kafkaBootstrapServers, env)
      .split(',')
      .map((s) => s.trim()),
    auth,
    region: auth === 'iam' ? requireEnv(ENV.region, env) : undefined,
    clientId,
  };
}

const PRODUCE_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 8_000;
const METADATA_MAX_AGE_MS = 300_000;

/**
 * Publishes events to Kafka with an idempotent producer (acks=all, so an acknowledged event is on
 * every in-sync replica; idempotence, so a producer retry never writes a duplicate). The producer
 * and its connections live as long as the Lambda execution environment and are reused across
 * invocations. Each event's partition is chosen here, and each partition has its own queue of
 * sends (CoalescingSender), bounded by the batch loop's deadline when there is one.
 *
 * What this relies on in @platformatic/kafka 2.12.1 (dist/clients/producer/producer.js,
 * clients/base/base.js, network/connection.js):
 * - One `send` groups its messages by partition leader and sends one Produce request per broker
 *   concurrently (#performSend), but calls back only when every broker has answered
 *   (runConcurrentCallbacks): one send spanning a hung leader waits for it. Hence one send per partition.
 * - `timeout` is the Produce request's timeout_ms, how long the broker waits for the in-sync replicas;
 *   the client's own wait for an answer is the connection's `requestTimeout` (30 s by default), after
 *   which the socket is destroyed and the request fails as retriable. Each attempt (and the metadata and
 *   InitProducerId requests, which go to the first bootstrap broker that connects) can wait that long.
 * - `retries` re-runs a failed request after `retryDelay` (1 s), refreshing metadata after a network
 *   error so that a retry can reach a new leader; but that refresh has no retries of its own and
 *   always asks the first bootstrap broker first (#performSingleDestinationSend passes `retries: 0`;
 *   kGetBootstrapConnection rotates brokers only with the attempt number). Hence refreshMetadata.
 * - Idempotent: `maxInflights` is forced to 1 (one request per broker connection at a time) and
 *   sequence numbers are kept per topic-partition and taken when a send starts (#performSend), so
 *   concurrent sends to different partitions do not disturb each other's sequences. A send that fails
 *   after its retries resets the producer id and every sequence; sends already in flight keep theirs,
 *   the next ones start from a new producer id (the broker accepts a new id from sequence 0).
 */
export class KafkaEventPublisher implements EventPublisher {
  private producer: Producer<string, string, string, string> | undefined;
  private readonly refreshing = new Set<string>();
  private readonly sender = new CoalescingSender(
    (events) => this.partitionsOf(events),
    (topic, partition, events) => this.send(topic, partition, events),
  );

  constructor(private readonly connection: KafkaConnection) {}

  publish(events: readonly OutgoingEvent[]): Promise<void> {
    // Traced now, in the caller's async context: the coalesced send runs outside it.
    return this.sender.publish(withActiveTrace(events));
  }

  async close(): Promise<void> {
    await this.producer?.close();
    this.producer = undefined;
  }

  private async send(topic: string, partition: number, events: readonly OutgoingEvent[]): Promise<void> {
    try {
      await this.getProducer().send({
        messages: events.map(({ key, event, traceparent }) => ({
          topic,
          partition,
          key: key ?? undefined,
          value: JSON.stringify(event),
          headers: {
            event_type: event.event_type,
            event_id: event.event_id,
            ...(traceparent ? { [TRACEPARENT_HEADER]: traceparent } : {}),
          },
        })),
      });
    } catch (error) {
      this.refreshMetadata(topic);
      throw error;
    }
  }

  /**
   * After a failed send, the topic's leaders are fetched again with the client's retries, each
   * retry asking the next broker. The refresh the producer forces inside a send has no retries and
   * always asks the first bootstrap broker: if that broker is the one that stopped answering, the
   * partitions it led would never learn their new leaders. Sends already queued then find them in the cache.
   */
  private refreshMetadata(topic: string): void {
    if (this.refreshing.has(topic)) return;
    this.refreshing.add(topic);
    this.getProducer()
      .metadata({ topics: [topic], forceUpdate: true })
      .catch(() => undefined)
      .finally(() => this.refreshing.delete(topic));
  }

  /**
   * The Java client's murmur2 partitioner (what the producer's `compatibilityPartitioner` does, a
   * null key on partition 0), modulo the topic's partitions in the producer's cached metadata: a key
   * lands on the same partition whichever client (Kafka Connect, a JVM service, this function)
   * writes it, so an order's events stay in order.
   */
  private async partitionsOf(events: readonly OutgoingEvent[]): Promise<number[]> {
    const { topics } = await this.getProducer().metadata({ topics: [...new Set(events.map((e) => e.topic))] });
    return events.map(({ topic, key }) => {
      const hash = compatibilityPartitioner(undefined as never, key === null ? undefined : Buffer.from(key));
      return hash % topics.get(topic)!.partitionsCount;
    });
  }

  private getProducer(): Producer<string, string, string, string> {
    this.producer ??= new Producer({
      clientId: this.connection.clientId,
      bootstrapBrokers: [...this.connection.bootstrapBrokers],
      serializers: stringSerializers,
      idempotent: true,
      acks: ProduceAcks.ALL,
      autocreateTopics: false,
      connectTimeout: 5_000,
      // How long the broker waits for the in-sync replicas, and, a little longer, how long this client
      // waits for any answer before it drops the connection and retries (30 s by default: longer
      // than the 20 s a 30 s function has to publish, and spent again on every metadata refresh
      // that meets a hung broker first).
      timeout: PRODUCE_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      // Metadata is refreshed when a send fails (refreshMetadata, and the producer's own on a stale
      // leader), not every 5 s (the default): the producer's refresh inside a send asks the first
      // bootstrap broker with no retries, so one that hangs held every partition's sends
      // (test/e2e/leader-hang.test.ts: healthy partitions' records handed back with the 5 s cache).
      metadataMaxAge: METADATA_MAX_AGE_MS,
      retries: 3,
      ...(this.connection.auth === 'iam' ? mskIamAuth(this.connection.region!) : {}),
    });
    return this.producer;
  }
}
