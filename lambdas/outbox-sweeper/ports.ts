/** What the outbox sweeper talks to: the outbox table (through its sparse index) and the event publisher. */
export type { EventPublisher } from '../shared/kafka/publisher';
export type { OutboxStore } from '../shared/orders/outbox-store';
