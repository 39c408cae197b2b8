import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenOnLoopback, type LoopbackServer } from '../loopback-server';

/**
 * The API Gateway HTTP API stand-in: a server on 127.0.0.1 that turns each request into the event
 * an HTTP API with a Lambda proxy integration sends (payload format 2.0) and the function's answer
 * back into a response, as described in "Working with AWS Lambda proxy integrations for HTTP APIs"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 */
export type ApiGateway = LoopbackServer;

export interface InvokeResult {
  readonly result?: unknown;
  readonly error?: { readonly errorType: string; readonly errorMessage: string };
}

/** A route and the function its Lambda integration invokes. */
export interface ApiRoute {
  /** As in the template, e.g. `POST /orders`, `GET /orders/{order_id}`, `$default`. */
  readonly routeKey: string;
  readonly functionId: string;
}

export interface ApiGatewayOptions {
  /** Invokes the matched route's function with the event. */
  readonly invoke: (functionId: string, event: APIGatewayProxyEventV2) => Promise<InvokeResult>;
  readonly routes: readonly ApiRoute[];
  /** 0 for any free port. */
  readonly port?: number;
  readonly log?: (line: string) => void;
}

/** HTTP API's payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export async function startApiGateway(options: ApiGatewayOptions): Promise<ApiGateway> {
  const routes = options.routes.map(compileRoute);
  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      options.log?.(`api: ${request.method} ${request.url} failed: ${(error as Error).message}`);
      if (!response.headersSent) send(response, 500, { message: 'Internal Server Error' });
      else response.destroy();
    });
  });
  // A keep-alive client must not hold the server open on stop.
  server.keepAliveTimeout = 5_000;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    if (body === undefined) return send(response, 413, { message: 'Request Entity Too Large' });
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = (request.method ?? 'GET').toUpperCase();
    const match = matchRoute(routes, method, url.pathname);
    if (!match) return send(response, 404, { message: 'Not Found' });

    const event = toEvent(request, url, method, body, match, server);
    const { result, error } = await options.invoke(match.functionId, event);
    if (error) {
      // API Gateway answers 500 when the integration fails; the error itself is in the function's log.
      options.log?.(`api: ${method} ${url.pathname} -> function error ${error.errorType}: ${error.errorMessage}`);
      return send(response, 500, { message: 'Internal Server Error' });
    }
    writeResult(response, result);
  }

  return listenOnLoopback(server, options.port);
}

interface CompiledRoute extends ApiRoute {
  readonly method: string;
  readonly pattern: RegExp;
  readonly parameters: readonly string[];
}

interface RouteMatch extends ApiRoute {
  readonly pathParameters?: Record<string, string>;
}

function compileRoute({ routeKey, functionId }: ApiRoute): CompiledRoute {
  const [method, path = ''] = routeKey.split(' ') as [string, string?];
  const parameters: string[] = [];
  const pattern = path
    .split('/')
    .map((segment) => {
      // {name+} takes the rest of the path, {name} one segment.
      const parameter = /^\{(\w+)(\+?)\}$/.exec(segment);
      if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameters.push(parameter[1]!);
      return parameter[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { routeKey, functionId, method: method.toUpperCase(), pattern: new RegExp(`^${pattern}$`), parameters };
}

/** Exact method first, then ANY, as API Gateway prefers the most specific route. */
function matchRoute(routes: readonly CompiledRoute[], method: string, path: string): RouteMatch | undefined {
  for (const wanted of [method, 'ANY']) {
    for (const route of routes) {
      if (route.method !== wanted) continue;
      const found = route.pattern.exec(path);
      if (!found) continue;
      const values = found.slice(1).map((v) => decodeURIComponent(v));
      return {
        routeKey: route.routeKey,
        functionId: route.functionId,
        ...(route.parameters.length
          ? { pathParameters: Object.fromEntries(route.parameters.map((p, i) => [p, values[i]!])) }
          : {}),
      };
    }
  }
  return routes.find((r) => r.routeKey === '$default');
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  method: string,
  body: Buffer,
  match: RouteMatch,
  server: Server,
): APIGatewayProxyEventV2 {
  // Payload 2.0: header names lower-cased, repeated headers joined with commas, cookies apart.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'cookie' || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const cookies = request.headers.cookie?.split(';').map((c) => c.trim());
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const now = new Date();
  const text = body.toString('utf8');
  const isText = body.length === 0 || Buffer.from(text, 'utf8').equals(body);
  const { port } = server.address() as AddressInfo;
  return {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: `127.0.0.1:${port}`,
      domainPrefix: '127',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: match.routeKey,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    ...(body.length ? { body: isText ? text : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  } as APIGatewayProxyEventV2;
}

/**
 * Payload 2.0 responses: an object with a statusCode is taken as the response; anything else is
 * the body of a 200 JSON response (the format's "inferred" response).
 */
function writeResult(response: ServerResponse, result: unknown): void {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body);
    return;
  }
  const structured = result as APIGatewayProxyStructuredResultV2;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body = structured.body ?? '';
  response.writeHead(structured.statusCode ?? 200, headers);
  response.end(structured.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** The body, or undefined when it is larger than API Gateway accepts. */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `22/Nov/2026:03:07:31 +0000`, the requestContext.time format. */
function clfTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}
