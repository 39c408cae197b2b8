import {
  clickEventId,
  ClicksRejectedError,
  MAX_CLICKS_PER_REQUEST,
  parseClicks,
} from '../../../lambdas/click-api/accept-clicks';
import { ClickSchema } from '../../../lambdas/shared/contracts/events';
import { thrownBy } from '../../support/thrown';

const NOW = new Date('2026-11-28T12:00:00Z');
const click = { user_id: 'u-1', product_id: 'p-1', timestamp: '2026-11-28T11:59:58Z' };

const rejection = (body: unknown) => thrownBy(ClicksRejectedError, () => parseClicks(body, NOW));

describe('parseClicks', () => {
  it('GIVEN one click WHEN parsed THEN it becomes one valid Click event with an id from its fields', () => {
    const [event, ...rest] = parseClicks({ ...click, session_id: 's-1', page: '/p/p-1' }, NOW);
    expect(rest).toEqual([]);
    expect(ClickSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({ event_type: 'Click', user_id: 'u-1', product_id: 'p-1', session_id: 's-1' });
    expect(event!.event_id).toBe(clickEventId({ ...click, session_id: 's-1' }));
  });

  it('GIVEN the same click sent twice WHEN parsed THEN both carry the same event id, so analytics counts it once', () => {
    expect(parseClicks(click, NOW)[0]!.event_id).toBe(parseClicks([click], NOW)[0]!.event_id);
    const withId = { ...click, click_id: 'c-9' };
    expect(parseClicks(withId, NOW)[0]!.event_id).toBe(parseClicks({ ...withId, page: '/other' }, NOW)[0]!.event_id);
    expect(parseClicks({ ...click, product_id: 'p-2' }, NOW)[0]!.event_id).not.toBe(
      parseClicks(click, NOW)[0]!.event_id,
    );
  });

  it('GIVEN a batch at the limit WHEN parsed THEN every click is accepted; one more is refused', () => {
    const batch = Array.from({ length: MAX_CLICKS_PER_REQUEST }, (_, i) => ({ ...click, click_id: `c-${i}` }));
    expect(parseClicks(batch, NOW)).toHaveLength(MAX_CLICKS_PER_REQUEST);
    expect(rejection([...batch, click]).details[0]!.message).toMatch(/500/);
  });

  it.each([
    ['a missing user_id', { product_id: 'p-1', timestamp: click.timestamp }, 'user_id'],
    ['a misspelt field', { ...click, prodcut_id: 'x' }, 'body'],
    ['a timestamp that is not ISO-8601', { ...click, timestamp: 'yesterday' }, 'timestamp'],
    ['a click from the future', { ...click, timestamp: '2026-11-28T12:10:00Z' }, 'timestamp'],
    ['an empty batch', [], 'body'],
    ['a bad click inside a batch', [click, { ...click, user_id: '' }], '[1].user_id'],
  ])('GIVEN %s WHEN parsed THEN it is refused naming the field', (_case, body, path) => {
    expect(rejection(body).details.map((d) => d.path)).toContain(path);
  });
});
