/**
 * What each step of the flow asks of DynamoDB per record, on a first delivery without retries: the
 * requests it sends (round trips) and the items it writes or conditionally tries to write. One source
 * for the handlers' documentation, the README and the bench, whose local limit divides DynamoDB
 * Local's conditional-write rate by the item writes one order needs (`itemWritesPerOrder`).
 * Batched requests count per batch, so their per-record share is 1 / batch size.
 */
export interface StepCost {
  /** Round trips per record; a request shared by a batch counts as 1 / records in it. */
  readonly requests: number;
  /** Items written, or tried under a condition, per record. */
  readonly itemWrites: number;
}

/** Per record (or per request for the API); `lines` is the order's number of lines. */
export const DYNAMODB_COSTS = {
  /**
   * With an Idempotency-Key (as every client here sends): GetItem of the order it would replay, then
   * BatchGetItem of the catalog and one TransactWriteItems of the order, its outbox entry and the
   * PLACED counter.
   */
  orderApiPost: { requests: 3, itemWrites: 3 },
  /** The relay marks a batch of entries published in one TransactWriteItems (`batch` entries). */
  outboxRelay: (batch: number): StepCost => ({ requests: 1 / Math.max(1, batch), itemWrites: 1 }),
  /** Conditional Put of the claim before the provider is asked, conditional Update of the result. */
  billingCharge: { requests: 2, itemWrites: 2 },
  /** Conditional Updates: the refund's claim, then its result. */
  billingRefund: { requests: 2, itemWrites: 2 },
  /** One TransactWriteItems: the reservation and a conditional decrement per line. */
  inventoryReserve: (lines: number): StepCost => ({ requests: 1, itemWrites: 1 + lines }),
  /** The cancelled transaction (nothing written, every item tried), then the conditional Put of the rejection. */
  inventoryOutOfStock: (lines: number): StepCost => ({ requests: 2, itemWrites: 2 + lines }),
  /** One UpdateItem of the shipment per record. */
  shipping: { requests: 1, itemWrites: 1 },
  /** One conditional UpdateItem of the order's fact per record, duplicates included. */
  orderStatus: { requests: 1, itemWrites: 1 },
  /** After a fact that changed the status: one TransactWriteItems of the change's marker and the counters' shard. */
  orderStatusChange: { requests: 1, itemWrites: 2 },
  /** One TransactWriteItems: the marker, the minute and totals counters and one counter per line. */
  analyticsPaidOrder: (lines: number): StepCost => ({ requests: 1, itemWrites: 3 + lines }),
  /**
   * Claim, order read, completion (the sent record and the emails-sent counter, one transaction);
   * `earlier` claims of the order's earlier changes come first.
   */
  notificationEmail: (earlier: number): StepCost => ({ requests: 3 + earlier, itemWrites: 3 + earlier }),
} as const;

/** How an order ends, as far as DynamoDB is concerned. */
export type OrderPath = 'shipped' | 'declined' | 'refunded';

/**
 * The steps one order goes through on its path, with the records each sees: the API and the relay
 * once; billing charges; a paid order is reserved (or refused and refunded), shipped or cancelled;
 * the status projector records every outcome event (billing_outcome, inventory_outcome, shipping);
 * analytics counts the paid ones; notifications email each meaningful change.
 */
export function stepsOfOrder(path: OrderPath, lines: number, relayBatch: number): StepCost[] {
  const c = DYNAMODB_COSTS;
  const common = [c.orderApiPost, c.outboxRelay(relayBatch), c.billingCharge];
  if (path === 'declined') return [...common, c.orderStatus, c.orderStatusChange, c.notificationEmail(0)];
  const paid = [
    ...common,
    c.analyticsPaidOrder(lines),
    c.shipping,
    c.orderStatus,
    c.orderStatusChange,
    c.notificationEmail(0),
  ];
  if (path === 'shipped') {
    // StockReserved reaches shipping and the projector; ShipmentCreated and ShipmentDispatched the
    // projector. RESERVED and SHIPPED are changes of status; ShipmentCreated is none.
    return [
      ...paid,
      c.inventoryReserve(lines),
      c.shipping,
      ...times(3, c.orderStatus),
      ...times(2, c.orderStatusChange),
      c.notificationEmail(1),
    ];
  }
  // OrderCancelled reaches billing (refund), shipping and the projector, which also sees
  // ShipmentCreated, ShipmentCancelled and the refund; the customer hears of the cancellation and the refund.
  // CANCELLED and REFUNDED are changes of status; the shipment's facts are none.
  return [
    ...paid,
    c.inventoryOutOfStock(lines),
    c.billingRefund,
    c.shipping,
    ...times(4, c.orderStatus),
    ...times(2, c.orderStatusChange),
    c.notificationEmail(1),
    c.notificationEmail(2),
  ];
}

/** One step taken `n` times: records of one function for the same order. */
function times(n: number, step: StepCost): StepCost[] {
  return Array.from({ length: n }, () => step);
}

/** Item writes one order causes on its path. */
export function itemWritesPerOrder(path: OrderPath, lines: number, relayBatch: number): number {
  return stepsOfOrder(path, lines, relayBatch).reduce((sum, step) => sum + step.itemWrites, 0);
}
