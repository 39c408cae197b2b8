import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { MAX_ORDER_LINES, OrderCreatedSchema, OrderLineSchema, type OrderCreated } from '../shared/contracts/events';
import { TOPICS } from '../shared/contracts/topics';
import { deterministicId } from '../shared/ids';
import type { Order } from '../shared/orders/order';
import { outboxEntryFor, type OutboxEntry } from '../shared/orders/outbox';
import { maxAmount, withinLimit, type CurrencyCode } from '../shared/contracts/currencies';
import { fitsMinorUnits, minorUnits, toMinorUnits } from './currency';
import type { CatalogProduct, OrderRepository } from './ports';

/**
 * The body of POST /orders, built from the event contract so that an accepted request always makes
 * a valid OrderCreated. Objects are strict: a misspelt field (`ammount`) is an error, not ignored.
 * Prices come from the catalog: `unit_price` and `amount` are optional, and when sent they are what
 * the client showed its customer, checked against the catalog (409 `price_changed` on a difference).
 */
export const PlaceOrderRequestSchema = z.strictObject({
  user_id: OrderCreatedSchema.shape.user_id,
  items: z
    .array(z.strictObject({ ...OrderLineSchema.shape, unit_price: z.optional(OrderLineSchema.shape.unit_price) }))
    .check(
      z.minLength(1),
      z.maxLength(MAX_ORDER_LINES),
      z.superRefine((items, ctx) => {
        // Inventory reserves every line in one DynamoDB transaction, which cannot touch one product
        // twice; two lines of one product are almost always a client mistake anyway.
        const seen = new Set<string>();
        items.forEach((item, index) => {
          if (seen.has(item.product_id)) {
            ctx.addIssue({
              code: 'custom',
              path: [index, 'product_id'],
              message: `duplicate product "${item.product_id}": merge the lines into one`,
            });
          }
          seen.add(item.product_id);
        });
      }),
    ),
  currency: OrderCreatedSchema.shape.currency,
  payment_method: OrderCreatedSchema.shape.payment_method,
  /** Optional: when sent, it must equal the catalog total. */
  amount: z.optional(OrderCreatedSchema.shape.amount),
});
export type PlaceOrderRequest = z.infer<typeof PlaceOrderRequestSchema>;

export interface FieldIssue {
  /** Where in the body, e.g. `items[0].quantity`; `body` for the body as a whole. */
  readonly path: string;
  readonly message: string;
}

export type RejectionCode = 'invalid_order' | 'unknown_product' | 'amount_over_limit';

/** The order can never be accepted as sent (422). */
export class OrderRejectedError extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
    readonly details: readonly FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'OrderRejectedError';
  }
}

/** A price the client sent is not the catalog's (409): show the customer the current prices, then resend. */
export class PriceChangedError extends Error {
  constructor(readonly details: readonly FieldIssue[]) {
    super('the prices sent are not the current catalog prices');
    this.name = 'PriceChangedError';
  }
}

/** The idempotency key was already used for a different request (409). */
export class IdempotencyConflictError extends Error {
  constructor(readonly orderId: string) {
    super(`the Idempotency-Key was already used for a different order (${orderId})`);
    this.name = 'IdempotencyConflictError';
  }
}

/**
 * Checks the request's shape and currency (an ISO 4217 code; prices sent with no more decimals than
 * its minor units). Pure: throws OrderRejectedError for a request that can never be accepted.
 */
export function parseOrderRequest(body: unknown): PlaceOrderRequest {
  const parsed = PlaceOrderRequestSchema.safeParse(body);
  if (!parsed.success) {
    throw new OrderRejectedError(
      'invalid_order',
      'the order does not match the request schema',
      parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    );
  }
  const currencyIssues = currencyIssuesOf(parsed.data);
  if (currencyIssues.length > 0) {
    throw new OrderRejectedError('invalid_order', 'the amounts do not fit the currency', currencyIssues);
  }
  return parsed.data;
}

export interface PrepareOrderInput {
  readonly request: PlaceOrderRequest;
  /** The catalog's products of the request's lines (ProductCatalog.find). */
  readonly catalog: ReadonlyMap<string, CatalogProduct>;
  /** The client's Idempotency-Key header, already checked for shape by the HTTP adapter. */
  readonly idempotencyKey?: string;
  /** requestFingerprint of the body as sent, stored on the order to recognise its replays. */
  readonly fingerprint: string;
  readonly now: Date;
  readonly newId: () => string;
  /** W3C trace context of the request, kept with the OrderCreated event for its Kafka header. */
  readonly traceparent?: string;
}

export interface PreparedOrder {
  readonly order: Order;
  readonly event: OrderCreated;
  readonly outbox: OutboxEntry;
}

/**
 * Prices a parsed request from the catalog and builds what must be committed together: the order
 * and its OrderCreated event in the outbox. Pure: throws OrderRejectedError (422) for a product the
 * catalog does not sell in this currency, PriceChangedError (409) when a price sent differs.
 */
export function prepareOrder(input: PrepareOrderInput): PreparedOrder {
  const { request } = input;
  const units = minorUnits(request.currency)!;
  const unsold: FieldIssue[] = [];
  const changed: FieldIssue[] = [];
  const items = request.items.map(({ product_id, quantity, unit_price: sent }, index) => {
    const product = input.catalog.get(product_id);
    const price = product?.prices[request.currency];
    if (!product || !product.active || price === undefined || !fitsMinorUnits(price, units)) {
      const why = !product ? 'unknown product' : !product.active ? 'no longer sold' : `no price in ${request.currency}`;
      unsold.push({ path: `items[${index}].product_id`, message: `${why}: "${product_id}"` });
    } else if (sent !== undefined && toMinorUnits(sent, units) !== toMinorUnits(price, units)) {
      changed.push({
        path: `items[${index}].unit_price`,
        message: `"${product_id}" is ${price} ${request.currency}, not ${sent}`,
      });
    }
    return { product_id, quantity, unit_price: price ?? 0 };
  });
  if (unsold.length > 0) {
    const ids = unsold.map((issue) => issue.message.slice(issue.message.indexOf('"'))).join(', ');
    throw new OrderRejectedError('unknown_product', `the catalog does not sell ${ids}`, unsold);
  }
  const minor = items.reduce((sum, item) => sum + item.quantity * toMinorUnits(item.unit_price, units), 0);
  const amount = minor / 10 ** units;
  if (request.amount !== undefined && toMinorUnits(request.amount, units) !== minor) {
    changed.push({ path: 'amount', message: `the total is ${amount} ${request.currency}, not ${request.amount}` });
  }
  if (changed.length > 0) throw new PriceChangedError(changed);
  // The limit is the currency's own, in its minor units (lambdas/shared/contracts/currencies.ts).
  const currency = request.currency as CurrencyCode;
  if (!withinLimit(amount, currency)) {
    throw new OrderRejectedError('amount_over_limit', 'the order total is over the limit', [
      { path: 'amount', message: `${amount} ${currency}: at most ${maxAmount(currency)} ${currency} per order` },
    ]);
  }

  // A key scoped by user: a retry with the same key maps to the same order, and two users who pick
  // the same key never collide. Without a key every request is a new order.
  const orderId =
    input.idempotencyKey === undefined ? input.newId() : orderIdFor(request.user_id, input.idempotencyKey);
  const timestamp = input.now.toISOString();
  // What the order and its OrderCreated both say about it.
  const placed = {
    order_id: orderId,
    user_id: request.user_id,
    items,
    amount,
    currency: request.currency,
    payment_method: request.payment_method,
  };
  const event: OrderCreated = {
    event_type: 'OrderCreated',
    event_id: deterministicId('orders', 'OrderCreated', orderId),
    ...placed,
    timestamp,
  };
  const order: Order = {
    ...placed,
    request_fingerprint: input.fingerprint,
    created_at: timestamp,
    history: [{ fact: 'placed', at: timestamp, event_id: event.event_id, event_type: event.event_type }],
    facts: {},
  };
  return {
    order,
    event,
    outbox: outboxEntryFor(TOPICS.orders.name, event, input.now, input.traceparent),
  };
}

export type AcceptOrderResult =
  /** `placed`: this request wrote the order; `replayed`: a retry of the request that did, answered from it. */
  { readonly kind: 'placed' | 'replayed'; readonly order: Order };

/**
 * Commits a prepared order. An order that already exists under the same id is a client retry with
 * the same Idempotency-Key that raced this one past the lookup (replayOf): the same request is
 * answered as accepted again, a different one is a conflict, and nothing is written a second time.
 */
export async function acceptOrder(
  orders: OrderRepository,
  prepared: PreparedOrder,
  body: unknown,
): Promise<AcceptOrderResult> {
  const result = await orders.create(prepared.order, prepared.outbox);
  if (result.kind === 'created') return { kind: 'placed', order: prepared.order };
  return { kind: 'replayed', order: replayOf(result.existing, body, prepared.order.request_fingerprint!) };
}

/**
 * The order id a request under this Idempotency-Key maps to, read from the body before it is
 * validated (a replay is answered whatever today's rules and catalog say); undefined when the body
 * has no string user_id, which no stored order can have been placed with.
 */
export function replayedOrderId(body: unknown, idempotencyKey: string): string | undefined {
  const userId = (body as { user_id?: unknown } | null)?.user_id;
  return typeof userId === 'string' ? orderIdFor(userId, idempotencyKey) : undefined;
}

/**
 * The stored order, when this body is the request that placed it; IdempotencyConflictError when the
 * key was used for another body. Nothing here reads the catalog: a replay is answered as the order
 * it replays even when a price changed or a product left the catalog since, because that order is
 * stored and will be charged (answering it 409 or 422 would invite a second order under a new key).
 */
export function replayOf(stored: Order, body: unknown, fingerprint: string): Order {
  const same =
    stored.request_fingerprint !== undefined
      ? stored.request_fingerprint === fingerprint
      : sameAsStoredFields(stored, body);
  if (!same) throw new IdempotencyConflictError(stored.order_id);
  return stored;
}

/**
 * SHA-256 of the body as sent, canonicalised: object keys sorted, the order lines sorted (their order
 * carries no meaning: one line per product), numbers as JSON reads them (49.50 is 49.5).
 */
export function requestFingerprint(body: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(body, true)).digest('hex')}`;
}

function canonicalJson(value: unknown, top = false): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const entries = Object.entries(value as Record<string, unknown>)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, v]) => {
      const inner =
        top && key === 'items' && Array.isArray(v)
          ? `[${v
              .map((line) => canonicalJson(line))
              .sort()
              .join(',')}]`
          : canonicalJson(v);
      return `${JSON.stringify(key)}:${inner}`;
    });
  return `{${entries.join(',')}}`;
}

/**
 * An order stored before request fingerprints: the body is its request when everything it says
 * matches what the order stored (prices only when sent), which needs no catalog either.
 */
function sameAsStoredFields(stored: Order, body: unknown): boolean {
  const parsed = PlaceOrderRequestSchema.safeParse(body);
  if (!parsed.success) return false;
  const request = parsed.data;
  const units = minorUnits(request.currency);
  if (units === undefined || request.currency !== stored.currency) return false;
  const minor = (amount: number) => toMinorUnits(amount, units);
  const storedLines = new Map(stored.items.map((item) => [item.product_id, item]));
  return (
    request.user_id === stored.user_id &&
    request.payment_method === stored.payment_method &&
    (request.amount === undefined || minor(request.amount) === minor(stored.amount)) &&
    request.items.length === stored.items.length &&
    request.items.every((line) => {
      const storedLine = storedLines.get(line.product_id);
      return (
        storedLine !== undefined &&
        storedLine.quantity === line.quantity &&
        (line.unit_price === undefined || minor(line.unit_price) === minor(storedLine.unit_price))
      );
    })
  );
}

/** An ISO 4217 code, and prices with no more decimals than its minor units (JPY none). */
function currencyIssuesOf(request: PlaceOrderRequest): FieldIssue[] {
  const units = minorUnits(request.currency);
  if (units === undefined) {
    return [{ path: 'currency', message: `"${request.currency}" is not an ISO 4217 currency accepted here` }];
  }
  return request.items.flatMap((item, index) =>
    item.unit_price === undefined || fitsMinorUnits(item.unit_price, units)
      ? []
      : [
          {
            path: `items[${index}].unit_price`,
            message: `${request.currency} amounts have ${units} decimal(s), got ${item.unit_price}`,
          },
        ],
  );
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'body';
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/** The order id of a request placed with an Idempotency-Key: the same for every retry of it. */
export function orderIdFor(userId: string, idempotencyKey: string): string {
  return deterministicId('order', userId, idempotencyKey);
}
