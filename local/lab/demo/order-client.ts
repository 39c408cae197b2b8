import { forEachConcurrently } from '../concurrency';
import type { DemoOrder, PlannedOutcome } from './order-generator';

/**
 * A client of the order API over HTTP, as a shop front end would be: POST /orders with an
 * Idempotency-Key (a retry after a 503 or a lost connection never places an order twice), and
 * GET /orders/{order_id}.
 */
export interface AcceptedOrder {
  readonly order_id: string;
  readonly idempotencyKey: string;
  readonly planned?: PlannedOutcome;
  /** When the API accepted it (ms since the epoch). */
  readonly acceptedAt: number;
  /** When the POST that was accepted was sent (ms since the epoch). */
  readonly sentAt: number;
}

export interface RefusedOrder {
  readonly idempotencyKey: string;
  readonly status: number;
  readonly body: string;
}

export interface PlaceOrdersResult {
  readonly accepted: AcceptedOrder[];
  readonly refused: RefusedOrder[];
}

const MAX_ATTEMPTS = 5;

export async function placeOrders(
  apiUrl: string,
  orders: readonly DemoOrder[],
  {
    concurrency = 8,
    ratePerSecond,
    onPlaced,
    onAccepted,
  }: {
    concurrency?: number;
    /** Open-loop arrivals: order n is sent no earlier than n / ratePerSecond after the first. */
    ratePerSecond?: number;
    /** Called after each order with the number of orders sent so far. */
    onPlaced?: (done: number) => void;
    onAccepted?: (order: AcceptedOrder) => void;
  } = {},
): Promise<PlaceOrdersResult> {
  const accepted: AcceptedOrder[] = [];
  const refused: RefusedOrder[] = [];
  const started = performance.now();
  await forEachConcurrently(orders, concurrency, async (order, n) => {
    if (ratePerSecond !== undefined) await sleepUntil(started + (n * 1000) / ratePerSecond);
    const outcome = await placeOrder(apiUrl, order);
    if ('order_id' in outcome) {
      accepted.push(outcome);
      onAccepted?.(outcome);
    } else refused.push(outcome);
    onPlaced?.(accepted.length + refused.length);
  });
  return { accepted, refused };
}

export async function placeOrder(apiUrl: string, order: DemoOrder): Promise<AcceptedOrder | RefusedOrder> {
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    const sentAt = Date.now();
    try {
      response = await fetch(`${apiUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': order.idempotencyKey },
        body: JSON.stringify(order.request),
      });
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS) throw error;
      await backoff(attempt);
      continue;
    }
    const body = await response.text();
    if (response.status === 202) {
      return {
        order_id: (JSON.parse(body) as { order_id: string }).order_id,
        idempotencyKey: order.idempotencyKey,
        planned: order.planned,
        acceptedAt: Date.now(),
        sentAt,
      };
    }
    // 503 (busy) and 500 (the function failed) are worth a retry under the same Idempotency-Key.
    if ((response.status === 503 || response.status === 500) && attempt < MAX_ATTEMPTS) {
      await backoff(attempt);
      continue;
    }
    return { idempotencyKey: order.idempotencyKey, status: response.status, body };
  }
}

export interface OrderStatusView {
  readonly order_id: string;
  readonly status: string;
  readonly terminal: boolean;
}

export async function getOrder(apiUrl: string, orderId: string): Promise<OrderStatusView> {
  const response = await fetch(`${apiUrl}/orders/${encodeURIComponent(orderId)}`);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET /orders/${orderId}: ${response.status} ${body}`);
  return JSON.parse(body) as OrderStatusView;
}

/** GET every order, a few at a time. */
export async function getOrders(
  apiUrl: string,
  orderIds: readonly string[],
  concurrency = 8,
): Promise<OrderStatusView[]> {
  const views: OrderStatusView[] = [];
  await forEachConcurrently(orderIds, concurrency, async (orderId) => {
    views.push(await getOrder(apiUrl, orderId));
  });
  return views;
}

function sleepUntil(at: number): Promise<void> {
  const wait = at - performance.now();
  return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
}

function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
}
