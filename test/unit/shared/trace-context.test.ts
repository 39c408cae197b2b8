import { kafkaBatchHandler } from '../../../lambdas/shared/kafka/batch';
import { withActiveTrace, type OutgoingEvent } from '../../../lambdas/shared/kafka/publisher';
import { outgoingEventOf } from '../../../lambdas/shared/orders/outbox';
import {
  activeTrace,
  childSpan,
  formatTraceparent,
  inTrace,
  parseTraceparent,
  type TraceContext,
} from '../../../lambdas/shared/trace-context';
import { TraceContextLogFormatter } from '../../../lambdas/shared/observability';
import { mskEvent, paidOutcome } from '../../support/msk';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe('W3C trace context', () => {
  it('GIVEN traceparent values WHEN parsed THEN valid ones give their ids and flags, invalid ones nothing', () => {
    expect(parseTraceparent(PARENT)).toEqual({ traceId: TRACE_ID, spanId: '00f067aa0ba902b7', sampled: true });
    expect(formatTraceparent(parseTraceparent(PARENT)!)).toBe(PARENT);
    for (const invalid of [
      undefined,
      '',
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
      `ff-${TRACE_ID}-00f067aa0ba902b7-01`,
      `00-${TRACE_ID}-00f067aa0ba902b7-01-extra`,
      `00-${TRACE_ID.toUpperCase()}-00f067aa0ba902b7-01`,
    ]) {
      expect(parseTraceparent(invalid)).toBeUndefined();
    }
  });

  it('GIVEN a parent WHEN a child span starts THEN it keeps the trace id under a new span id; without one a new trace starts', () => {
    const child = childSpan(parseTraceparent(PARENT));
    expect(child.traceId).toBe(TRACE_ID);
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.spanId).not.toBe('00f067aa0ba902b7');
    expect(childSpan().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(childSpan().traceId).not.toBe(childSpan().traceId);
  });

  it('GIVEN records with and without a traceparent header WHEN the batch loop runs them THEN each runs in a child span of its own record, so what it publishes carries its trace', async () => {
    const seen = new Map<string, TraceContext | undefined>();
    const published: OutgoingEvent[] = [];
    const handler = kafkaBatchHandler({
      consumer: 'test-consumer',
      eventTypes: ['BillingOutcome'],
      partialBatchResponse: true,
      deadLetters: { publish: async () => undefined },
      handle: async (event) => {
        const orderId = (event as { order_id: string }).order_id;
        // Yield, so that records processed concurrently interleave.
        await new Promise((resolve) => setImmediate(resolve));
        seen.set(orderId, activeTrace());
        published.push(...withActiveTrace([{ topic: 'shipping', key: orderId, event }]));
      },
    });

    await handler(
      mskEvent([
        { topic: 'billing_outcome', key: 'a', value: paidOutcome('a'), headers: { traceparent: PARENT } },
        { topic: 'billing_outcome', key: 'b', value: paidOutcome('b') },
      ]),
    );

    expect(seen.get('a')?.traceId).toBe(TRACE_ID);
    expect(seen.get('a')?.spanId).not.toBe('00f067aa0ba902b7');
    expect(seen.get('b')?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.get('b')?.traceId).not.toBe(TRACE_ID);
    const carried = Object.fromEntries(published.map((e) => [e.key, parseTraceparent(e.traceparent)]));
    expect(carried.a).toEqual(seen.get('a'));
    expect(carried.b).toEqual(seen.get('b'));
    expect(activeTrace()).toBeUndefined();
  });

  it('GIVEN an event that already carries a traceparent WHEN published in another span THEN it keeps its own', () => {
    const own = { topic: 'orders', key: 'k', event: {} as never, traceparent: PARENT } as OutgoingEvent;
    const [kept] = inTrace(childSpan(), () => withActiveTrace([own]));
    expect(kept!.traceparent).toBe(PARENT);
  });

  it('GIVEN an outbox item with a traceparent WHEN relayed THEN the outgoing event carries it; a malformed one is dropped', () => {
    const item = {
      event_id: 'e1',
      topic: 'orders',
      key: 'o1',
      payload: JSON.stringify({ event_id: 'e1', event_type: 'OrderCreated' }),
    };
    expect(outgoingEventOf({ ...item, traceparent: PARENT }).traceparent).toBe(PARENT);
    expect(outgoingEventOf({ ...item, traceparent: 'garbage' }).traceparent).toBeUndefined();
    expect(outgoingEventOf(item).traceparent).toBeUndefined();
  });

  it('GIVEN a log line written in a span WHEN formatted THEN it carries the trace id; outside any span it has none', () => {
    const formatter = new TraceContextLogFormatter();
    const attributes = {
      logLevel: 'INFO',
      message: 'Payment charged',
      timestamp: new Date('2025-04-07T12:34:56Z'),
      serviceName: 'billing',
    } as Parameters<TraceContextLogFormatter['formatAttributes']>[0];
    const inSpan = inTrace(childSpan(parseTraceparent(PARENT)), () =>
      formatter.formatAttributes(attributes, { order_id: 'o1' }).getAttributes(),
    );
    expect(inSpan).toMatchObject({ message: 'Payment charged', trace_id: TRACE_ID, order_id: 'o1' });
    expect(formatter.formatAttributes(attributes, {}).getAttributes()).not.toHaveProperty('trace_id');
  });
});
