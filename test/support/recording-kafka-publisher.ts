import { RecordingPublisher } from './doubles/publisher';

/**
 * The Kafka publisher module with KafkaEventPublisher swapped for one recorder, for the smoke tests
 * of a deployed handler (wired from its environment at cold start):
 *   jest.mock('<path>/lambdas/shared/kafka/kafka-publisher', () =>
 *     jest.requireActual('<path>/test/support/recording-kafka-publisher').kafkaPublisherModule);
 */
export const recorder = new RecordingPublisher();

export const kafkaPublisherModule = {
  ...jest.requireActual<object>('../../lambdas/shared/kafka/kafka-publisher'),
  KafkaEventPublisher: jest.fn(() => recorder),
};
