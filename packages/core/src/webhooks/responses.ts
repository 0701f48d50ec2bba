import { isTributaryError, type TributaryError, type TributaryErrorCode } from '../errors/index.js';

/** HTTP status of each error code a webhook answer can carry. */
const STATUS: Partial<Record<TributaryErrorCode, number>> = {
  validation: 400,
  unauthorized: 401,
  signature: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  timeout: 503,
};

/** The HTTP status for an error code (500 for anything unexpected). */
export function statusOf(code: TributaryErrorCode): number {
  return STATUS[code] ?? 500;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } as const;

/** An answer of the webhook handler, ready to write: what a Fetch `Response` carries, without one. */
export interface WebhookReply {
  status: number;
  /** Header names in lower case: `content-type` and `cache-control` always, others when they apply (`retry-after`, `allow`, `connection`). */
  headers: Record<string, string>;
  /** The body, JSON text. */
  body: string;
}

/** A JSON answer. */
export function jsonReply(status: number, body: unknown, headers?: Record<string, string>): WebhookReply {
  // Every reply gets headers of its own (callers may add to them); a literal is the cheap copy.
  const all: Record<string, string> = { 'content-type': JSON_HEADERS['content-type'], 'cache-control': JSON_HEADERS['cache-control'] };
  if (headers) Object.assign(all, headers);
  return { status, headers: all, body: JSON.stringify(body) };
}

/** The Fetch `Response` of an answer. */
export function toResponse(reply: WebhookReply): Response {
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}

/** A JSON response. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return toResponse(jsonReply(status, body, headers));
}

/** Options of {@link errorResponse}. */
export interface ErrorResponseOptions {
  /** Overrides the status derived from the code (e.g. 405). */
  status?: number;
  headers?: Record<string, string>;
  /** Seconds for `Retry-After` on 409/429/503 when the error does not say. @default 5 */
  retryAfterSeconds?: number;
}

/**
 * The JSON error response `{ error: { code, message, issues? } }` for a Tributary error. Anything
 * else becomes a generic 500 whose message reveals nothing of the failure.
 */
export function errorResponse(error: unknown, options: ErrorResponseOptions = {}): Response {
  return toResponse(errorReply(error, options));
}

/** {@link errorResponse} as a {@link WebhookReply}. */
export function errorReply(error: unknown, options: ErrorResponseOptions = {}): WebhookReply {
  const known: TributaryError | undefined = isTributaryError(error) ? error : undefined;
  const status = options.status ?? (known ? statusOf(known.code) : 500);
  const headers = { ...options.headers };
  if (status === 409 || status === 429 || status === 503) {
    const ms = known?.retryAfterMs;
    headers['retry-after'] = String(ms !== undefined ? Math.max(1, Math.ceil(ms / 1000)) : (options.retryAfterSeconds ?? 5));
  }
  const body = known && (status < 500 || isOwn(known)) ? known.toJSON() : { error: { code: status === 503 ? 'unavailable' : 'internal', message: status === 503 ? '[tributary] [webhooks] temporarily unavailable; retry later' : '[tributary] [webhooks] internal error' } };
  return jsonReply(status, body, headers);
}

/**
 * Server-side failures are shown as they are only when the handler wrote them itself; others
 * (storage, queue drivers) may carry hosts, paths or payload fragments, so they stay generic.
 */
const isOwn = (error: TributaryError) => error.message.startsWith('[tributary] [webhooks] ');
