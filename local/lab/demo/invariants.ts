import { archivedRecords, recordId, type ArchiveLine } from '../../../lambdas/archive/archive-format';
import { restockMarkerKey } from '../../../lambdas/restock/adapters/dynamodb-stock-levels';
import {
  factAttribute,
  ORDER_FACTS,
  statusOfStoredOrder,
  TERMINAL_STATUSES,
  type OrderFact,
  type OrderStatus,
} from '../../../lambdas/shared/orders/order-status';
import { DeadLetterSchema } from '../../../lambdas/shared/contracts/events';
import { SUBSCRIPTIONS } from '../../../lambdas/shared/contracts/subscriptions';
import { ARCHIVED_TOPICS, TOPICS, type TopicName } from '../../../lambdas/shared/contracts/topics';
import { readDeadLetter } from '../console/dead-letters';
import type { TopicRecord } from './kafka-inspect';
import type { PipelineSnapshot } from './snapshot';

/**
 * The invariants of docs/design.md ("Invariants"), checked on a snapshot of the real components after a run.
 * Each check reads the state the services own (tables), the facts they published (topics) and the
 * archive, and lists what violates it; an empty list means the invariant holds.
 */
export type InvariantId = 'I1' | 'I2' | 'I3' | 'I4' | 'I5' | 'I6';

export interface InvariantResult {
  readonly id: InvariantId;
  readonly title: string;
  readonly holds: boolean;
  /** How many things the check looked at (orders, payments, records, ...). */
  readonly checked: number;
  /** The first violations found, in words. */
  readonly violations: readonly string[];
  readonly violationCount: number;
}

export interface InvariantOptions {
  /** Order ids the API accepted (202) during the run: each must exist and be terminal (I4). */
  readonly acceptedOrderIds?: readonly string[];
  /** Orders the reconciler left to an operator (a claim older than the provider's key): not terminal, by design. */
  readonly operatorCases?: readonly string[];
}

const MAX_LISTED = 20;

export function checkInvariants(snapshot: PipelineSnapshot, options: InvariantOptions = {}): InvariantResult[] {
  const view = new SnapshotView(snapshot);
  return [
    result('I1', 'no order charged twice; refunds at most once and only for charged orders', ...i1(view)),
    result('I2', 'stock never negative; reserved units match the live reserved orders', ...i2(view)),
    result('I3', 'no order ships without payment and reserved stock', ...i3(view)),
    result(
      'I4',
      'every accepted order reaches exactly one terminal state (or waits for an operator: refund refused, claim too old)',
      ...i4(view, options.acceptedOrderIds, new Set(options.operatorCases)),
    ),
    result(
      'I5',
      'every record of every business topic is in the archive, once by topic, partition and offset',
      ...i5(view),
    ),
    result('I6', 'dead letters carry a reason; no partition is stuck behind a record', ...i6(view)),
  ];
}

function result(id: InvariantId, title: string, checked: number, violations: string[]): InvariantResult {
  return {
    id,
    title,
    holds: violations.length === 0,
    checked,
    violations: violations.slice(0, MAX_LISTED),
    violationCount: violations.length,
  };
}

type Item = Record<string, unknown>;
type Event = Record<string, unknown> & { event_type?: string; event_id?: string; order_id?: string };

/** Indexes over a snapshot that several checks share. */
export class SnapshotView {
  readonly orders: Map<string, Item>;
  readonly payments: Map<string, Item>;
  readonly reservations: Map<string, Item>;

  constructor(readonly snapshot: PipelineSnapshot) {
    this.orders = byKey(snapshot.tables.orders, 'order_id');
    this.payments = byKey(snapshot.tables.payments, 'order_id');
    this.reservations = byKey(snapshot.tables.reservations, 'order_id');
  }

  /** The facts recorded on an order item (`<fact>_at` attributes). */
  facts(order: Item): OrderFact[] {
    return ORDER_FACTS.filter((fact) => typeof order[factAttribute(fact)] === 'string');
  }

  status(order: Item): OrderStatus {
    return statusOfStoredOrder(order);
  }

  /** The provider refused this order's refund for good: billing recorded it as failed for an operator. */
  refundRefused(orderId: string): boolean {
    return this.payments.get(orderId)?.refund_status === 'refund_failed';
  }

  /**
   * Sends that went out and got no answer, per notification id (`unanswered_sends` on its record):
   * SES may have accepted each, so each accounts for one email more than the change calls for.
   */
  unansweredSends(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const record of this.snapshot.tables.notifications) {
      const unanswered = Number(record.unanswered_sends ?? 0);
      if (unanswered > 0) counts.set(String(record.notification_id), unanswered);
    }
    return counts;
  }

  /** The parsed JSON values of a topic's records (records that are not JSON objects are left out). */
  events(topic: TopicName): Event[] {
    return (this.snapshot.records.get(topic) ?? []).flatMap((record) => {
      const event = parseJson(record);
      return event ? [event] : [];
    });
  }

  /** Distinct events (by event_id): redelivery may publish one event more than once, with one id. */
  distinctEvents(topic: TopicName): Event[] {
    const seen = new Map<string, Event>();
    for (const event of this.events(topic)) if (event.event_id) seen.set(event.event_id, event);
    return [...seen.values()];
  }
}

function i1(view: SnapshotView): [number, string[]] {
  const violations: string[] = [];
  for (const [orderId, payment] of view.payments) {
    if (payment.refunded_at !== undefined && payment.payment_status !== 'paid') {
      violations.push(`order ${orderId}: refunded, but its payment is ${String(payment.payment_status)}`);
    }
  }
  const outcomes = group(view.distinctEvents(TOPICS.billingOutcome.name), (e) => String(e.order_id));
  for (const [orderId, events] of outcomes) {
    const count = (status: string) => events.filter((e) => e.payment_status === status).length;
    const charges = new Set(events.filter((e) => e.payment_status === 'paid').map((e) => e.transaction_id));
    if (count('paid') > 1 || charges.size > 1) violations.push(`order ${orderId}: charged ${count('paid')} times`);
    if (count('paid') > 0 && count('declined') > 0) violations.push(`order ${orderId}: both paid and declined`);
    if (count('refunded') > 1) violations.push(`order ${orderId}: refunded ${count('refunded')} times`);
    if (count('refunded') > 0) {
      const payment = view.payments.get(orderId);
      if (count('paid') === 0 || payment?.payment_status !== 'paid' || payment.refunded_at === undefined) {
        violations.push(`order ${orderId}: refunded without a recorded charge`);
      }
    }
  }
  return [view.payments.size, violations];
}

function i2(view: SnapshotView): [number, string[]] {
  const violations: string[] = [];
  const restocked = new Map<string, number>();
  for (const event of view.distinctEvents(TOPICS.inventory.name)) {
    // Restocks carry no order_id; reservations' stock changes do, and are counted from the reservations table.
    if (event.event_type === 'StockChanged' && event.order_id === undefined) {
      const product = String(event.product_id);
      restocked.set(product, (restocked.get(product) ?? 0) + Number(event.quantity_change));
    }
  }
  const reserved = new Map<string, number>();
  for (const [orderId, reservation] of view.reservations) {
    if (reservation.status !== 'reserved') continue;
    for (const item of (reservation.items ?? []) as { product_id: string; quantity: number }[]) {
      reserved.set(item.product_id, (reserved.get(item.product_id) ?? 0) + item.quantity);
    }
    const order = view.orders.get(orderId);
    const status = order ? view.status(order) : undefined;
    if (!order) violations.push(`reservation of unknown order ${orderId}`);
    else if (status === 'CANCELLED' || status === 'REFUNDED' || status === 'PAYMENT_DECLINED') {
      violations.push(`order ${orderId} is ${status} but still holds reserved stock`);
    }
  }
  const markerPrefix = restockMarkerKey('');
  const products = view.snapshot.tables.stock.filter((item) => !String(item.product_id).startsWith(markerPrefix));
  for (const item of products) {
    const product = String(item.product_id);
    const available = Number(item.available);
    if (!Number.isInteger(available) || available < 0)
      violations.push(`product ${product}: ${available} units available`);
    const expected = (restocked.get(product) ?? 0) - (reserved.get(product) ?? 0);
    if (available !== expected) {
      violations.push(
        `product ${product}: ${available} units available, but restocks ${restocked.get(product) ?? 0} ` +
          `minus reserved ${reserved.get(product) ?? 0} make ${expected}`,
      );
    }
  }
  return [products.length, violations];
}

function i3(view: SnapshotView): [number, string[]] {
  const violations: string[] = [];
  const shippedOrders = new Set<string>();
  for (const [orderId, order] of view.orders) if (view.facts(order).includes('shipped')) shippedOrders.add(orderId);
  for (const event of view.distinctEvents(TOPICS.shipping.name)) {
    if (event.event_type === 'ShipmentDispatched') shippedOrders.add(String(event.order_id));
  }
  for (const orderId of shippedOrders) {
    const payment = view.payments.get(orderId);
    if (payment?.payment_status !== 'paid') violations.push(`order ${orderId} shipped without a payment`);
    else if (payment.refunded_at !== undefined) violations.push(`order ${orderId} shipped and refunded`);
    if (view.reservations.get(orderId)?.status !== 'reserved') {
      violations.push(`order ${orderId} shipped without reserved stock`);
    }
  }
  return [shippedOrders.size, violations];
}

function i4(
  view: SnapshotView,
  accepted: readonly string[] | undefined,
  operatorCases: ReadonlySet<string>,
): [number, string[]] {
  const violations: string[] = [];
  for (const orderId of accepted ?? []) {
    if (!view.orders.has(orderId)) violations.push(`accepted order ${orderId} is not in the orders table`);
  }
  const terminalFacts: readonly OrderFact[] = ['shipped', 'payment_declined', 'refunded'];
  for (const [orderId, order] of view.orders) {
    const status = view.status(order);
    const terminal = view.facts(order).filter((f) => terminalFacts.includes(f));
    // A refund the provider refused for good is an operator's case (alarmed), never shown as refunded.
    if (status === 'CANCELLED' && view.refundRefused(orderId)) continue;
    if (operatorCases.has(orderId) && !TERMINAL_STATUSES.includes(status)) continue;
    if (!TERMINAL_STATUSES.includes(status)) violations.push(`order ${orderId} is ${status}, not terminal`);
    else if (terminal.length > 1) violations.push(`order ${orderId} has ${terminal.join(' and ')}`);
  }
  return [view.orders.size, violations];
}

function i5(view: SnapshotView): [number, string[]] {
  const violations: string[] = [];
  const readable: (readonly ArchiveLine[])[] = [];
  for (const object of view.snapshot.archive) {
    if (object.lines) readable.push(object.lines);
    else violations.push(`archive object ${object.key} cannot be read: ${object.error}`);
  }
  // Overlapping objects (a rebalance, a re-split batch) hold some records twice: count each once.
  const { records, conflicts } = archivedRecords(readable);
  const archived = new Map(records);
  for (const id of conflicts.slice(0, MAX_LISTED)) violations.push(`${id} is archived with different contents`);
  let expected = 0;
  const missing: string[] = [];
  for (const topic of ARCHIVED_TOPICS) {
    const starts = view.snapshot.startOffsets.get(topic) ?? [];
    (view.snapshot.endOffsets.get(topic) ?? []).forEach((end, partition) => {
      for (let offset = starts[partition] ?? 0; offset < end; offset++) {
        expected++;
        const id = recordId({ topic, partition, offset });
        if (!archived.delete(id)) missing.push(id);
      }
    });
  }
  if (missing.length) violations.push(`${missing.length} records not archived: ${missing.slice(0, 10).join(', ')}`);
  // What is left was archived outside this run's offsets: before them (an earlier run on the same
  // broker, which is fine), or past the end of its partition (made up).
  for (const line of archived.values()) {
    const end = view.snapshot.endOffsets.get(line.topic)?.[line.partition];
    if (end === undefined || line.offset >= end) violations.push(`${recordId(line)} is archived but not in the topic`);
  }
  return [expected, violations];
}

function i6(view: SnapshotView): [number, string[]] {
  const violations: string[] = [];
  for (const record of view.snapshot.records.get(TOPICS.deadLetter.name) ?? []) {
    const parsed = DeadLetterSchema.safeParse(parseJson(record));
    // The other legitimate shape: Lambda's on-failure record, whose condition is the reason.
    if (parsed.success || isOnFailureRecord(record)) continue;
    violations.push(`dead letter ${record.partition}@${record.offset} has no valid reason: ${parsed.error.message}`);
  }
  let partitions = 0;
  for (const subscription of SUBSCRIPTIONS) {
    const committed = view.snapshot.committed.get(subscription.consumerGroupId);
    (view.snapshot.endOffsets.get(subscription.topic) ?? []).forEach((end, partition) => {
      partitions++;
      const offset = committed?.get(`${subscription.topic}-${partition}`) ?? -1;
      if (end > 0 && offset !== end) {
        violations.push(
          `${subscription.id} (${subscription.consumerGroupId}) ${subscription.topic}-${partition}: ` +
            `committed ${offset < 0 ? 'nothing' : offset} of ${end}`,
        );
      }
    });
  }
  return [partitions, violations];
}

function isOnFailureRecord(record: TopicRecord): boolean {
  const entry = readDeadLetter(record.topic, {
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    value: record.value === null ? null : Buffer.from(record.value, 'utf8'),
  });
  return 'shape' in entry && entry.shape === 'lambda' && entry.reason !== '';
}

function parseJson(record: TopicRecord): Event | undefined {
  if (record.value === null) return undefined;
  try {
    const value: unknown = JSON.parse(record.value);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Event) : undefined;
  } catch {
    return undefined;
  }
}

function byKey(items: readonly Item[], key: string): Map<string, Item> {
  return new Map(items.map((item) => [String(item[key]), item]));
}

function group<T>(values: readonly T[], keyOf: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const key = keyOf(value);
    const members = groups.get(key);
    if (members) members.push(value);
    else groups.set(key, [value]);
  }
  return groups;
}
