import type { OutboxStore } from '../../../lambdas/shared/orders/outbox-store';
import type { OutboxEntry } from '../../../lambdas/shared/orders/outbox';
import type { Fault } from './faults';

/**
 * The outbox table with the semantics of its adapter: the mark removes an entry from the sparse
 * index and never recreates a deleted one; the index lists unmarked entries oldest first.
 * test/adapters/dynamodb-outbox-store.test.ts runs the same cases against this double and the adapter.
 */
export class InMemoryOutboxStore implements OutboxStore {
  readonly entries = new Map<string, Record<string, unknown>>();
  marks = 0;
  fault: Fault<'markPublished' | 'unpublished'> = () => undefined;

  add(...entries: OutboxEntry[]): this {
    for (const entry of entries) this.entries.set(entry.event_id, { ...entry });
    return this;
  }

  async markPublished(eventIds: readonly string[], at: Date): Promise<void> {
    for (const eventId of eventIds) {
      const error = this.fault('markPublished', eventId);
      if (error) throw error;
    }
    for (const eventId of eventIds) {
      this.marks += 1;
      const entry = this.entries.get(eventId);
      if (!entry) continue;
      delete entry.unpublished;
      entry.published_at ??= at.toISOString();
    }
  }

  async unpublished(createdBefore: Date, limit: number): Promise<readonly Readonly<Record<string, unknown>>[]> {
    const error = this.fault('unpublished', '');
    if (error) throw error;
    return [...this.entries.values()]
      .filter((e) => e.unpublished !== undefined && String(e.created_at) < createdBefore.toISOString())
      .sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)))
      .slice(0, limit)
      .map((e) => ({ ...e }));
  }
}
