import * as z from 'zod/mini';
import { ClickSchema, type Click } from '../shared/contracts/events';
import { TOPICS } from '../shared/contracts/topics';
import { deterministicId } from '../shared/ids';
import { toTopic } from '../shared/kafka/publisher';
import type { EventPublisher } from './ports';

/** Clicks per request: far under Kafka's 1 MB produce request, and a web shop flushes far fewer. */
export const MAX_CLICKS_PER_REQUEST = 500;
/** A click stamped further ahead than this is a client clock error, not a click from the future. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** One click as the web shop sends it; strict, so that a misspelt field is an error, not dropped. */
export const ClickRequestSchema = z.strictObject({
  click_id: ClickSchema.shape.click_id,
  user_id: ClickSchema.shape.user_id,
  product_id: ClickSchema.shape.product_id,
  timestamp: ClickSchema.shape.timestamp,
  session_id: ClickSchema.shape.session_id,
  page: ClickSchema.shape.page,
  referrer: ClickSchema.shape.referrer,
});
export type ClickRequest = z.infer<typeof ClickRequestSchema>;

/** A batch of 1 to MAX_CLICKS_PER_REQUEST clicks; a body that is not an array is one click. */
export const ClickBatchSchema = z.array(ClickRequestSchema).check(z.minLength(1), z.maxLength(MAX_CLICKS_PER_REQUEST));

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** The body can never be accepted as sent (422). */
export class ClicksRejectedError extends Error {
  constructor(readonly details: readonly FieldIssue[]) {
    super('the clicks do not match the request schema');
    this.name = 'ClicksRejectedError';
  }
}

/**
 * The click's event id: from the client's click_id when it sends one, else from the click's own
 * fields. Either way a click sent twice (a client retry, a producer retry) has one id, which the
 * analytics consumer counts once (I7).
 */
export function clickEventId(click: ClickRequest): string {
  return click.click_id === undefined
    ? deterministicId(TOPICS.clicks.name, click.user_id, click.product_id, click.timestamp, click.session_id ?? '')
    : deterministicId(TOPICS.clicks.name, click.user_id, click.click_id);
}

/** Validates a request body into Click events; ClicksRejectedError names every field at fault. */
export function parseClicks(body: unknown, now: Date): Click[] {
  // Chosen by shape rather than a union, so that the errors name the fields of the one schema meant.
  const batch = Array.isArray(body);
  const parsed = batch ? ClickBatchSchema.safeParse(body) : ClickRequestSchema.safeParse(body);
  if (!parsed.success) {
    throw new ClicksRejectedError(
      parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    );
  }
  const requests = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const tooLate = now.getTime() + MAX_CLOCK_SKEW_MS;
  const future = requests.flatMap((click, index) =>
    Date.parse(click.timestamp) > tooLate
      ? [{ path: batch ? `[${index}].timestamp` : 'timestamp', message: 'is in the future' }]
      : [],
  );
  if (future.length > 0) throw new ClicksRejectedError(future);
  return requests.map((click) => ({
    ...dropUndefined(click),
    event_type: 'Click',
    event_id: clickEventId(click),
  }));
}

/** The clicks the broker acknowledged, by event id, in the order they were sent. */
export type AcceptClicksResult = { readonly kind: 'accepted'; readonly eventIds: readonly string[] };

/**
 * Publishes the clicks keyed by user_id and resolves once the broker acknowledged every one
 * (acks=all): at least once, duplicates recognised downstream (docs/design.md, "Click analytics").
 */
export async function acceptClicks(publisher: EventPublisher, clicks: readonly Click[]): Promise<AcceptClicksResult> {
  await publisher.publish(clicks.map((click) => toTopic(TOPICS.clicks.name, click)));
  return { kind: 'accepted', eventIds: clicks.map((click) => click.event_id) };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'body';
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}
