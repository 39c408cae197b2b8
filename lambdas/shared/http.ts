import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { decodeUtf8Strict, isBase64 } from './encoding';

/**
 * Helpers for API Gateway HTTP API (payload format 2.0) requests and responses. Every error a client
 * can see has one shape: `{ error: { code, message, details: [{ path, message }] } }`.
 */
export type HttpRequest = APIGatewayProxyEventV2;
export type HttpResponse = APIGatewayProxyStructuredResultV2;

/** Far above any valid order (50 lines), far below API Gateway's 10 MB: a bigger body is refused unread. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(error: HttpError): HttpResponse {
  return jsonResponse(
    error.statusCode,
    { error: { code: error.code, message: error.message, details: error.details } },
    error.headers,
  );
}

/** HTTP API lower-cases header names, but a test or a proxy in front may not: match case-insensitively. */
export function header(request: HttpRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const entry = Object.entries(request.headers ?? {}).find(([key]) => key.toLowerCase() === wanted);
  return entry?.[1];
}

/** The path without the stage prefix that a named (non-$default) stage puts in rawPath. */
export function requestPath(request: HttpRequest): string {
  const path = request.rawPath;
  const stage = request.requestContext.stage;
  if (stage && stage !== '$default' && path.startsWith(`/${stage}/`)) return path.slice(stage.length + 1);
  return path;
}

/**
 * The JSON body of a request, or an HttpError saying exactly why not: no body (400), not JSON by its
 * content-type (415), too large (413), not base64 or not UTF-8 (400), not parseable (400).
 */
export function readJsonBody(request: HttpRequest, maxBytes = MAX_BODY_BYTES): unknown {
  const raw = request.body;
  if (raw === undefined || raw === null || raw === '') {
    throw new HttpError(400, 'empty_body', 'the request has no body: send a JSON object');
  }
  const contentType = header(request, 'content-type');
  if (!isJsonMediaType(contentType)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `content-type must be application/json (charset utf-8 if given); got ${contentType ? `"${contentType}"` : 'none'}`,
      [],
      { 'accept-post': 'application/json' },
    );
  }
  if (request.isBase64Encoded && !isBase64(raw)) {
    throw new HttpError(400, 'invalid_encoding', 'the body is flagged base64-encoded but is not valid base64');
  }
  const bytes = Buffer.from(raw, request.isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.length > maxBytes) {
    throw new HttpError(413, 'payload_too_large', `the body is ${bytes.length} bytes; the limit is ${maxBytes}`);
  }
  let text: string;
  try {
    text = decodeUtf8Strict(bytes);
  } catch {
    throw new HttpError(400, 'invalid_encoding', 'the body is not valid UTF-8');
  }
  if (text.trim() === '') throw new HttpError(400, 'empty_body', 'the request body is blank: send JSON');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [mediaType, ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') return false;
  return parameters.every((parameter) => {
    const [name, value] = parameter.split('=').map((part) => part.trim());
    return name !== 'charset' || value?.replace(/"/g, '') === 'utf-8';
  });
}
