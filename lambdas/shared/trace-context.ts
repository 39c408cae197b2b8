import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/#traceparent-header), carried by every
 * event in its Kafka headers: `00-<trace-id>-<parent-id>-<flags>`. The order API starts a trace per
 * order (or continues the caller's), the outbox keeps it with the event, and each consumer runs a
 * record's work as a child span of the record's context, so whatever it publishes carries the same
 * trace id. Lambda's MSK event source mapping does not link traces across topics (docs/design.md,
 * "Latency and tracing"): this header is what follows one order through every function.
 */
export const TRACEPARENT_HEADER = 'traceparent';

export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zero: the span that wrote what carries the context. */
  readonly spanId: string;
  readonly sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The context of a traceparent value, or undefined for anything the specification says to ignore. */
export function parseTraceparent(value: string | null | undefined): TraceContext | undefined {
  const match = TRACEPARENT.exec(value?.trim() ?? '');
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  // Version ff is invalid; version 00 has exactly four fields; later versions may add more.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.sampled ? '01' : '00'}`;
}

/** A new span of the parent's trace, or the root span of a new trace when there is no parent. */
export function childSpan(parent?: TraceContext): TraceContext {
  return {
    traceId: parent?.traceId ?? nonZeroHex(16),
    spanId: nonZeroHex(8),
    sampled: parent?.sampled ?? true,
  };
}

function nonZeroHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (!/^0+$/.test(hex)) return hex;
  }
}

/** The traceparent header of a Kafka record as Lambda delivers it (header values as byte arrays). */
export function traceparentOfHeaders(
  headers: readonly Record<string, readonly number[]>[] | undefined,
): string | undefined {
  for (const header of headers ?? []) {
    const bytes = header[TRACEPARENT_HEADER];
    if (bytes) return Buffer.from(bytes).toString('latin1');
  }
  return undefined;
}

const active = new AsyncLocalStorage<TraceContext>();

/** Runs `work` with `context` as the active span: what it logs and publishes carries it. */
export function inTrace<T>(context: TraceContext, work: () => T): T {
  return active.run(context, work);
}

/** The span of the record or request being worked on, if any. */
export function activeTrace(): TraceContext | undefined {
  return active.getStore();
}
