import { MalformedOutboxEntryError, outboxEntryFor, outgoingEventOf } from '../../../lambdas/shared/orders/outbox';
import { prepareAtSentPrices } from '../../support/doubles/orders';
import { ITEMS } from '../../support/events';

const { event, outbox } = prepareAtSentPrices({
  body: { user_id: '123', items: ITEMS, currency: 'USD', payment_method: 'credit_card' },
  idempotencyKey: 'outbox-test',
  now: new Date('2025-04-07T12:34:56Z'),
  newId: () => 'unused',
});

describe('outbox entries', () => {
  it('GIVEN an outbox entry WHEN turned into a Kafka record THEN it is the committed event on its topic under its key', () => {
    expect(outgoingEventOf({ ...outbox })).toEqual({ topic: 'orders', key: event.order_id, event });
  });

  it('GIVEN an event WHEN put in the outbox THEN it expires a week later (TTL in epoch seconds)', () => {
    const entry = outboxEntryFor('orders', event, new Date('2025-04-07T00:00:00Z'));
    expect(entry.expires_at - Date.parse('2025-04-07T00:00:00Z') / 1000).toBe(7 * 24 * 3600);
  });

  it.each([
    ['an unknown topic', { topic: 'nope' }, /unknown topic "nope"/],
    ['no key', { key: '' }, /missing key/],
    ['no payload', { payload: undefined }, /missing payload/],
    ['a payload that is not JSON', { payload: '{oops' }, /payload is not JSON/],
    ['a payload of another event', { event_id: 'other' }, /does not match item event_id "other"/],
  ])(
    'GIVEN an item with %s WHEN turned into a Kafka record THEN it is refused with the reason',
    (_case, change, reason) => {
      const attempt = () => outgoingEventOf({ ...outbox, ...change });
      expect(attempt).toThrow(MalformedOutboxEntryError);
      expect(attempt).toThrow(reason);
    },
  );
});
