import { outgoingEventOf } from '../shared/orders/outbox';
import type { EventPublisher, OutboxStore } from './ports';

export interface SweepDependencies {
  readonly outbox: OutboxStore;
  readonly publisher: EventPublisher;
  readonly now: () => Date;
}

export interface SweepSettings {
  /** Entries unmarked for longer than this are stranded. */
  readonly olderThanMs: number;
  /** At most this many per run; the next run takes the rest. */
  readonly limit: number;
}

export interface SweepReport {
  readonly found: number;
  readonly republished: readonly string[];
  readonly failed: readonly { readonly event_id: string; readonly reason: string }[];
}

/**
 * Publishes every outbox entry no relay marked published within the threshold, then marks it
 * (docs/design.md, "Outbox sweeper"). The relay may have published it before the mark failed:
 * then this is a second publish of the same event id, which consumers recognise. One entry that
 * fails does not hold back the others; it stays unmarked for the next run.
 */
export async function sweepOutbox(deps: SweepDependencies, settings: SweepSettings): Promise<SweepReport> {
  const cutoff = new Date(deps.now().getTime() - settings.olderThanMs);
  const entries = await deps.outbox.unpublished(cutoff, settings.limit);
  const republished: string[] = [];
  const failed: { event_id: string; reason: string }[] = [];
  for (const entry of entries) {
    const eventId = String(entry.event_id);
    try {
      await deps.publisher.publish([outgoingEventOf(entry)]);
      await deps.outbox.markPublished([eventId], deps.now());
      republished.push(eventId);
    } catch (error) {
      failed.push({ event_id: eventId, reason: (error as Error).message });
    }
  }
  return { found: entries.length, republished, failed };
}
