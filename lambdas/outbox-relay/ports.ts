/** What the outbox relay talks to: the event publisher (the stream arrives as the invocation event). */
export type { EventPublisher } from '../shared/kafka/publisher';
