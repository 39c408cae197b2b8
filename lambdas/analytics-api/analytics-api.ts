import {
  errorResponse,
  HttpError,
  jsonResponse,
  requestPath,
  type HttpRequest,
  type HttpResponse,
} from '../shared/http';
import { logger } from '../shared/observability';
import { DASHBOARD_HTML } from './dashboard-page';
import type { AnalyticsReader, OperationsReader } from './ports';
import {
  MAX_LIMIT,
  pipelineHops,
  popularProducts,
  recentProducts,
  summary,
  WINDOWS,
  type WindowName,
} from './read-analytics';

export interface AnalyticsApiDependencies {
  readonly analytics: AnalyticsReader;
  readonly operations: OperationsReader;
  readonly now: () => Date;
}

const USER_ID = /^[^/]{1,128}$/;

/**
 * GET /analytics/popular-products?window=5m|1h&limit=10, GET /analytics/users/{user_id}/recent?limit=10,
 * GET /analytics/summary, GET /analytics/pipeline (per-hop timings and mapping lag), and the dashboard
 * page at GET /dashboard, which polls the last three.
 */
export function createAnalyticsApi(deps: AnalyticsApiDependencies): (request: HttpRequest) => Promise<HttpResponse> {
  async function route(request: HttpRequest): Promise<HttpResponse> {
    const method = request.requestContext.http.method.toUpperCase();
    const path = requestPath(request);
    const query = request.queryStringParameters ?? {};
    const known = path === '/dashboard' || path.startsWith('/analytics/');
    if (known && method !== 'GET') {
      throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${path}; use GET`, [], {
        allow: 'GET',
      });
    }
    if (path === '/dashboard') {
      return {
        statusCode: 200,
        headers: {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          // Everything is inline and same-origin: nothing else may load or run.
          'content-security-policy':
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
        },
        body: DASHBOARD_HTML,
      };
    }
    if (path === '/analytics/popular-products') {
      const window = query.window ?? '5m';
      if (!(window in WINDOWS)) {
        throw new HttpError(400, 'invalid_window', `window must be one of ${Object.keys(WINDOWS).join(', ')}`, [
          { path: 'window', message: `"${window.slice(0, 16)}" is not a window` },
        ]);
      }
      return jsonResponse(
        200,
        await popularProducts(deps.analytics, window as WindowName, limitOf(query.limit), deps.now()),
      );
    }
    if (path === '/analytics/pipeline') return jsonResponse(200, await pipelineHops(deps.analytics, deps.now()));
    if (path === '/analytics/summary')
      return jsonResponse(200, await summary(deps.analytics, deps.operations, deps.now()));
    const user = /^\/analytics\/users\/([^/]+)\/recent$/.exec(path);
    if (user) {
      const userId = decodeURIComponent(user[1]!);
      if (!USER_ID.test(userId)) throw new HttpError(400, 'invalid_user_id', 'user_id must be 1 to 128 characters');
      return jsonResponse(200, await recentProducts(deps.analytics, userId, limitOf(query.limit)));
    }
    throw new HttpError(404, 'route_not_found', `no route for ${method} ${path}`);
  }

  return async function handleAnalyticsApiRequest(request) {
    try {
      return await route(request);
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error);
      logger.error('Analytics request failed', { error: error as Error });
      return errorResponse(new HttpError(500, 'internal_error', 'the request failed; retry shortly'));
    }
  };
}

function limitOf(raw: string | undefined): number {
  if (raw === undefined) return 10;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new HttpError(400, 'invalid_limit', `limit must be an integer from 1 to ${MAX_LIMIT}`, [
      { path: 'limit', message: `"${raw.slice(0, 16)}"` },
    ]);
  }
  return limit;
}
