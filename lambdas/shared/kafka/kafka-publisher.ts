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

/**
 * Publishes events to Kafka with an idempotent producer (acks=all, so an acknowledged event is on
 * every in-sync replica; idempotence, so a producer retry never writes a duplicate). The producer
 * and its connections live as long as the Lambda execution environment and are reused across
 * invocations. Concurrent publishes (the records of a batch) are coalesced into as few produce
 * requests as possible, sent one at a time so that the idempotent producer's sequence numbers stay in order.
 */
export class KafkaEventPublisher implements EventPublisher {
  private producer: Producer<string, string, string, string> | undefined;
  private readonly sender = new CoalescingSender((events) => this.send(events));

  constructor(private readonly connection: KafkaConnection) {}

  publish(events: readonly OutgoingEvent[]): Promise<void> {
    // Traced now, in the caller's async context: the coalesced send runs outside it.
    return this.sender.publish(withActiveTrace(events));
  }

  async close(): Promise<void> {
    await this.producer?.close();
    this.producer = undefined;
  }

  private async send(events: readonly OutgoingEvent[]): Promise<void> {
    await this.getProducer().send({
      messages: events.map(({ topic, key, event, traceparent }) => ({
        topic,
        key: key ?? undefined,
        value: JSON.stringify(event),
        headers: {
          event_type: event.event_type,
          event_id: event.event_id,
          ...(traceparent ? { [TRACEPARENT_HEADER]: traceparent } : {}),
        },
      })),
    });
  }

  private getProducer(): Producer<string, string, string, string> {
    this.producer ??= new Producer({
      clientId: this.connection.clientId,
      bootstrapBrokers: [...this.connection.bootstrapBrokers],
      serializers: stringSerializers,
      idempotent: true,
      acks: ProduceAcks.ALL,
      // The Java client's murmur2 partitioner: a key lands on the same partition whichever client
      // (Kafka Connect, a JVM service, this function) writes it, so an order's events stay in order.
      partitioner: compatibilityPartitioner,
      autocreateTopics: false,
      connectTimeout: 5_000,
      retries: 3,
      ...(this.connection.auth === 'iam' ? mskIamAuth(this.connection.region!) : {}),
    });
    return this.producer;
  }
}
