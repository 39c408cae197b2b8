/** What the outbox relay talks to: the event publisher and the outbox table it marks (the stream arrives as the invocation event). */
export type { EventPublisher } from '../shared/kafka/publisher';
export type { OutboxStore } from '../shared/orders/outbox-store';
