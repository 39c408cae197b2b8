import {
  errorResponse,
  HttpError,
  jsonResponse,
  readJsonBody,
  requestPath,
  type HttpRequest,
  type HttpResponse,
} from '../shared/http';
import { METRICS } from '../shared/contracts/metrics';
import { classifyError } from '../shared/errors';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { acceptClicks, ClicksRejectedError, MAX_CLICKS_PER_REQUEST, parseClicks } from './accept-clicks';
import type { EventPublisher } from './ports';

export interface ClickApiDependencies {
  readonly publisher: EventPublisher;
  readonly now: () => Date;
}

/**
 * The body cap: a request's clicks may all go to one partition (one user) in one produce request,
 * so the batch the broker sees is the body plus, per click, its event_id and event_type (~90 bytes),
 * record overhead and headers (~200 bytes): 500 clicks add about 150 KB. The broker refuses a batch
 * over `message.max.bytes`; this project sets none (lib/kafka-topics.ts brokerProperties), and for
 * "properties that aren't in this table, Amazon MSK uses the defaults associated with your version
 * of Apache Kafka" (https://docs.aws.amazon.com/msk/latest/developerguide/msk-default-configuration.html),
 * which is 1,048,588 bytes. 512 KiB leaves room for the rest; a larger body is 413 before any send.
 */
export const MAX_CLICKS_BODY_BYTES = 512 * 1024;
const RETRY_AFTER_SECONDS = '1';

/** POST /clicks: 202 once every click is on the clicks topic, 4xx with the reason otherwise. */
export function createClickApi(deps: ClickApiDependencies): (request: HttpRequest) => Promise<HttpResponse> {
  async function route(request: HttpRequest): Promise<HttpResponse> {
    const method = request.requestContext.http.method.toUpperCase();
    const path = requestPath(request);
    if (path !== '/clicks') throw new HttpError(404, 'route_not_found', `no route for ${method} ${path}`);
    if (method !== 'POST') {
      throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${path}; use POST`, [], {
        allow: 'POST',
      });
    }
    const clicks = parseClicks(readJsonBody(request, MAX_CLICKS_BODY_BYTES), deps.now());
    const { eventIds } = await acceptClicks(deps.publisher, clicks);
    metrics.addMetric(METRICS.clicksAccepted, MetricUnit.Count, eventIds.length);
    return jsonResponse(202, { accepted: eventIds.length, event_ids: eventIds });
  }

  return async function handleClickApiRequest(request) {
    try {
      return await route(request);
    } catch (error) {
      return toErrorResponse(error);
    }
  };
}

function toErrorResponse(error: unknown): HttpResponse {
  if (error instanceof HttpError) {
    logger.info('Request refused', { status: error.statusCode, code: error.code, reason: error.message });
    return errorResponse(error);
  }
  if (error instanceof ClicksRejectedError) {
    logger.info('Clicks rejected', { details: error.details.slice(0, 10) });
    return errorResponse(
      new HttpError(
        422,
        'invalid_clicks',
        `${error.message}: send one click or an array of 1 to ${MAX_CLICKS_PER_REQUEST}`,
        error.details,
      ),
    );
  }
  // The broker refused the batch for its size or shape (MESSAGE_TOO_LARGE, ...): the same request
  // would be refused again, so it is no "retry", but a 413 that says to send fewer clicks.
  const refusal = classifyError(error);
  if (refusal.kind === 'poison') {
    logger.warn('Clicks refused by the broker for good', { reason: refusal.reason });
    return errorResponse(
      new HttpError(
        413,
        'payload_too_large',
        `the broker refused the clicks (${refusal.reason}); send fewer per request`,
      ),
    );
  }
  // The broker did not acknowledge every click: the client sends the same batch again, and the
  // clicks that did get through are recognised by their event ids.
  logger.warn('Clicks not published; asked the client to retry', { error: error as Error });
  return errorResponse(
    new HttpError(503, 'service_unavailable', 'the clicks could not be published; retry the same request', [], {
      'retry-after': RETRY_AFTER_SECONDS,
    }),
  );
}
