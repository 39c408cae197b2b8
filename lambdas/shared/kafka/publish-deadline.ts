import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The bound on every publish made while a record is processed: the batch loop sets it once per
 * invocation and the publisher reads it, so the use cases between them (charge, reserve, relay)
 * pass nothing along. Code run outside the batch loop (the APIs, scripts) has none: its publishes
 * are bounded by the producer's own timeout and retries only.
 */
/** How long a publish may still take. */
export interface PublishBound {
  remainingMs(): number;
}

const bounds = new AsyncLocalStorage<PublishBound>();

export function withPublishBound<T>(bound: PublishBound | undefined, work: () => Promise<T>): Promise<T> {
  return bound ? bounds.run(bound, work) : work();
}

/** The bound of the work in progress, read where the publish is called. */
export function currentPublishBound(): PublishBound | undefined {
  return bounds.getStore();
}
