import { METRICS } from '../shared/contracts/metrics';
import { logger, metrics, MetricUnit } from '../shared/observability';
import {
  errorResponse,
  header,
  HttpError,
  jsonResponse,
  readJsonBody,
  requestPath,
  type HttpRequest,
  type HttpResponse,
} from '../shared/http';
import { orderStatus, orderView } from '../shared/orders/order';
import {
  activeTrace,
  childSpan,
  formatTraceparent,
  inTrace,
  parseTraceparent,
  TRACEPARENT_HEADER,
} from '../shared/trace-context';
import {
  acceptOrder,
  type AcceptOrderResult,
  IdempotencyConflictError,
  OrderRejectedError,
  parseOrderRequest,
  prepareOrder,
  PriceChangedError,
  replayedOrderId,
  replayOf,
  requestFingerprint,
} from './place-order';
import {
  OrderStoreRejectedError,
  OrderStoreUnavailableError,
  type OrderRepository,
  type ProductCatalog,
} from './ports';

export interface OrderApiDependencies {
  readonly orders: OrderRepository;
  readonly catalog: ProductCatalog;
  readonly now: () => Date;
  readonly newId: () => string;
}

const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Seconds a client should wait after a 503: DynamoDB throttling clears within about a second. */
const RETRY_AFTER_SECONDS = '1';

/**
 * The order API as a function of an HTTP API request: two routes, matched on method and path so
 * that the function answers 404 and 405 itself when the API routes everything under /orders to it.
 */
export function createOrderApi(deps: OrderApiDependencies): (request: HttpRequest) => Promise<HttpResponse> {
  async function route(request: HttpRequest): Promise<HttpResponse> {
    const method = request.requestContext.http.method.toUpperCase();
    const path = requestPath(request);
    if (path === '/orders') return method === 'POST' ? placeOrder(request) : methodNotAllowed(method, path, 'POST');
    const orderPath = /^\/orders\/([^/]+)$/.exec(path);
    if (orderPath) return method === 'GET' ? getOrder(orderPath[1]!) : methodNotAllowed(method, path, 'GET');
    throw new HttpError(404, 'route_not_found', `no route for ${method} ${path}`);
  }

  async function placeOrder(request: HttpRequest): Promise<HttpResponse> {
    const idempotencyKey = idempotencyKeyOf(request);
    const body = readJsonBody(request);
    const fingerprint = requestFingerprint(body);
    // The key first: a retry of an accepted request is answered as the order it replays (one
    // GetItem), before today's rules and catalog could refuse it. Only a new order is validated and
    // priced; a concurrent first attempt that wins the write is caught by acceptOrder.
    const replayId = idempotencyKey === undefined ? undefined : replayedOrderId(body, idempotencyKey);
    if (replayId !== undefined) {
      logger.appendKeys({ order_id: replayId });
      const stored = await deps.orders.get(replayId);
      if (stored) return accepted({ kind: 'replayed', order: replayOf(stored, body, fingerprint) });
    }
    const order = parseOrderRequest(body);
    const catalog = await deps.catalog.find(order.items.map((item) => item.product_id));
    const trace = activeTrace();
    const prepared = prepareOrder({
      request: order,
      catalog,
      idempotencyKey,
      fingerprint,
      now: deps.now(),
      newId: deps.newId,
      traceparent: trace && formatTraceparent(trace),
    });
    logger.appendKeys({ order_id: prepared.order.order_id });
    return accepted(await acceptOrder(deps.orders, prepared, body));
  }

  function accepted({ kind, order: stored }: AcceptOrderResult): HttpResponse {
    const self = `/orders/${stored.order_id}`;
    if (kind === 'placed') {
      metrics.addMetric(METRICS.ordersPlaced, MetricUnit.Count, 1);
      logger.info('Order placed', { amount: stored.amount, currency: stored.currency, lines: stored.items.length });
    } else {
      metrics.addMetric(METRICS.ordersReplayed, MetricUnit.Count, 1);
      logger.info('Order request replayed under its Idempotency-Key; nothing written');
    }
    return jsonResponse(
      202,
      { order_id: stored.order_id, status: orderStatus(stored), amount: stored.amount, links: { self } },
      { location: self, ...(kind === 'replayed' ? { 'idempotent-replayed': 'true' } : {}) },
    );
  }

  async function getOrder(rawId: string): Promise<HttpResponse> {
    if (!ORDER_ID.test(rawId)) {
      throw new HttpError(400, 'invalid_order_id', 'order_id must be a UUID', [
        { path: 'order_id', message: `"${rawId.slice(0, 64)}" is not a UUID` },
      ]);
    }
    const orderId = rawId.toLowerCase();
    logger.appendKeys({ order_id: orderId });
    const order = await deps.orders.get(orderId);
    if (!order) throw new HttpError(404, 'order_not_found', `no order ${orderId}`);
    return jsonResponse(200, { ...orderView(order), links: { self: `/orders/${orderId}` } });
  }

  return async function handleOrderApiRequest(request) {
    // A span of the caller's trace when it sends a W3C traceparent, else a new trace: the order's
    // events carry it through every topic (lambdas/shared/trace-context.ts).
    return inTrace(childSpan(parseTraceparent(header(request, TRACEPARENT_HEADER))), async () => {
      try {
        return await route(request);
      } catch (error) {
        return toErrorResponse(error);
      }
    });
  };
}

function methodNotAllowed(method: string, path: string, allowed: string): never {
  throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${path}; use ${allowed}`, [], {
    allow: allowed,
  });
}

/**
 * The Idempotency-Key header (IETF draft "The Idempotency-Key HTTP Header Field"): any printable
 * ASCII string up to 255 characters, bare or as a quoted structured-field string.
 */
function idempotencyKeyOf(request: HttpRequest): string | undefined {
  const raw = header(request, 'idempotency-key');
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  const key = /^"(.*)"$/.exec(trimmed)?.[1] ?? trimmed;
  if (key === '' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x20-\x7e]+$/.test(key)) {
    throw new HttpError(
      400,
      'invalid_idempotency_key',
      `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`,
      [{ path: 'headers.idempotency-key', message: `${key.length} characters` }],
    );
  }
  return key;
}

function toErrorResponse(error: unknown): HttpResponse {
  if (error instanceof HttpError) {
    metrics.addMetric(METRICS.invalidRequests, MetricUnit.Count, 1);
    logger.info('Request refused', { status: error.statusCode, code: error.code, reason: error.message });
    return errorResponse(error);
  }
  if (error instanceof OrderRejectedError) {
    metrics.addMetric(METRICS.ordersRejected, MetricUnit.Count, 1);
    logger.info('Order rejected', { code: error.code, reason: error.message, details: error.details });
    return errorResponse(new HttpError(422, error.code, error.message, error.details));
  }
  if (error instanceof PriceChangedError) {
    metrics.addMetric(METRICS.orderPriceChanged, MetricUnit.Count, 1);
    logger.info('Order refused: prices changed', { details: error.details });
    return errorResponse(new HttpError(409, 'price_changed', error.message, error.details));
  }
  if (error instanceof IdempotencyConflictError) {
    metrics.addMetric(METRICS.orderIdempotencyConflicts, MetricUnit.Count, 1);
    logger.warn('Idempotency-Key reused for a different request', { order_id: error.orderId });
    return errorResponse(new HttpError(409, 'idempotency_key_reused', error.message));
  }
  // The order_id, when known, is already on every log line (appendKeys above).
  if (error instanceof OrderStoreRejectedError) {
    metrics.addMetric(METRICS.orderStoreRejections, MetricUnit.Count, 1);
    logger.warn('Order store refused a value of the request', { error });
    return errorResponse(
      new HttpError(400, 'invalid_value', 'a value of the request cannot be stored; correct it before sending again'),
    );
  }
  if (error instanceof OrderStoreUnavailableError) {
    metrics.addMetric(METRICS.orderStoreUnavailable, MetricUnit.Count, 1);
    logger.warn('Order store unavailable; asked the client to retry', { error });
    return errorResponse(
      new HttpError(503, 'service_unavailable', 'the order service is busy; retry shortly', [], {
        'retry-after': RETRY_AFTER_SECONDS,
      }),
    );
  }
  metrics.addMetric(METRICS.orderApiErrors, MetricUnit.Count, 1);
  logger.error('Order request failed', { error: error as Error });
  return errorResponse(
    new HttpError(
      500,
      'internal_error',
      'the request failed; retry with the same Idempotency-Key so that it is never applied twice',
    ),
  );
}
