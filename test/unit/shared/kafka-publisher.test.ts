import type { OutgoingEvent } from '../../../lambdas/shared/kafka/publisher';

const producer = {
  metadata: jest.fn(),
  send: jest.fn(),
  close: jest.fn(),
};
jest.mock('@platformatic/kafka', () => ({
  ...jest.requireActual('@platformatic/kafka'),
  Producer: jest.fn(() => producer),
}));

import { KafkaEventPublisher } from '../../../lambdas/shared/kafka/kafka-publisher';

const event = (key: string) =>
  ({ topic: 'orders', key, event: { event_id: key, event_type: 'X' } }) as unknown as OutgoingEvent;
const metadataOf = (partitionsCount: number) => ({ topics: new Map([['orders', { partitionsCount }]]) });

describe('KafkaEventPublisher', () => {
  beforeEach(() => jest.clearAllMocks());

  it('GIVEN events of several keys WHEN published THEN each partition is sent on its own, with the partition set explicitly', async () => {
    producer.metadata.mockResolvedValue(metadataOf(6));
    producer.send.mockResolvedValue({});
    const publisher = new KafkaEventPublisher({ bootstrapBrokers: ['b1'], auth: 'plaintext', clientId: 't' });

    const keys = Array.from({ length: 12 }, (_, i) => `order-${i}`);
    await publisher.publish(keys.map(event));

    const sends = producer.send.mock.calls.map(([options]) => options.messages as { partition: number }[]);
    for (const messages of sends) expect(new Set(messages.map((m) => m.partition)).size).toBe(1);
    expect(sends.flat()).toHaveLength(12);
    expect(sends.length).toBeGreaterThan(1);
  });

  it('GIVEN a send that fails WHEN published THEN the topic metadata is refreshed with retries (forceUpdate, not the send-internal refresh)', async () => {
    producer.metadata.mockResolvedValue(metadataOf(6));
    producer.send.mockRejectedValue(Object.assign(new Error('Request timed out'), { code: 'PLT_KFK_NETWORK' }));
    const publisher = new KafkaEventPublisher({ bootstrapBrokers: ['b1'], auth: 'plaintext', clientId: 't' });

    await expect(publisher.publish([event('order-1')])).rejects.toThrow('Request timed out');

    expect(producer.metadata).toHaveBeenCalledWith({ topics: ['orders'], forceUpdate: true });
    expect(producer.metadata.mock.calls.every(([options]) => options.retries === undefined)).toBe(true);
  });
});
