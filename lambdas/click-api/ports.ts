/** What the click API talks to: the clicks topic, through the shared event publisher. */
export type { EventPublisher } from '../shared/kafka/publisher';
