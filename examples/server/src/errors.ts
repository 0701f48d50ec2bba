/**
 * @module errors
 * Every error becomes the JSON body `{ error: { code, message, issues? } }` with its status. Tributary
 * errors keep their code (validation → 400 with the fields named, not_found → 404, …); zod errors
 * become 400 validation errors naming each field; anything else is a 500 that reveals nothing of
 * the failure (the log line has the details, under the request id).
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { createError, fromZodError, isTributaryError, type FieldIssue, type TributaryError, type TributaryErrorCode } from '@tributary/core/errors';

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: FieldIssue[] };
}

const STATUS: Partial<Record<TributaryErrorCode, number>> = {
  validation: 400,
  config: 400,
  unauthorized: 401,
  signature: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  connector: 502,
  target: 502,
  unavailable: 503,
  timeout: 503,
  adapter: 503,
  aborted: 503,
};

/** Codes whose messages are safe to show as they are. Server-side failures may carry hosts or paths. */
const SHOWN = new Set<TributaryErrorCode>(['validation', 'config', 'unauthorized', 'signature', 'forbidden', 'not_found', 'conflict', 'payload_too_large', 'rate_limited']);

/** An error answer: status, body and headers. */
export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** Whether this is a server-side failure worth logging as an error. */
  serverError: boolean;
}

const isZodError = (e: unknown): e is { issues: { path: PropertyKey[]; message: string }[] } =>
  e instanceof Error && e.name === 'ZodError' && Array.isArray((e as { issues?: unknown }).issues);

/** Sorts anything thrown into an answer. */
export function toErrorAnswer(error: unknown): ErrorAnswer {
  if (isZodError(error)) return toErrorAnswer(fromZodError('api', 'request', error));
  if (isTributaryError(error)) return fromTributary(error);
  if (error instanceof HTTPException) {
    const status = error.status;
    const code = status === 404 ? 'not_found' : status === 401 ? 'unauthorized' : status === 413 ? 'payload_too_large' : status < 500 ? 'bad_request' : 'internal';
    return { status, body: { error: { code, message: status < 500 ? error.message || 'bad request' : 'internal error' } }, headers: {}, serverError: status >= 500 };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } }, headers: {}, serverError: true };
}

function fromTributary(error: TributaryError): ErrorAnswer {
  const status = STATUS[error.code] ?? 500;
  const headers: Record<string, string> = {};
  if (status === 429 || status === 503 || status === 409) {
    if (error.retryAfterMs !== undefined || status !== 409) headers['retry-after'] = String(Math.max(1, Math.ceil((error.retryAfterMs ?? 5000) / 1000)));
  }
  if (!SHOWN.has(error.code)) {
    const message = status === 503 ? 'temporarily unavailable; retry later' : status === 502 ? 'an upstream service failed' : 'internal error';
    return { status, body: { error: { code: status === 503 ? 'unavailable' : status === 502 ? error.code : 'internal', message } }, headers, serverError: true };
  }
  return {
    status,
    body: { error: { code: error.code, message: error.message, ...(error.issues.length ? { issues: error.issues } : {}) } },
    headers,
    serverError: false,
  };
}

/** Answers an error as JSON. */
export function errorJson(c: Context, error: unknown): Response {
  const answer = toErrorAnswer(error);
  return c.json(answer.body, answer.status as 400, answer.headers);
}

/** Shorthands for the errors routes raise. */
export const httpErrors = {
  notFound: (what: string) => createError('api', 'not_found', `${what} not found`),
  unauthorized: (message: string) => createError('api', 'unauthorized', message),
  forbidden: (message: string) => createError('api', 'forbidden', message),
  conflict: (message: string) => createError('api', 'conflict', message),
  validation: (message: string, issues: FieldIssue[]) => createError('api', 'validation', message, { issues }),
  rateLimited: (retryAfterMs: number) => createError('api', 'rate_limited', 'too many requests for this workspace; slow down', { retryAfterMs }),
};
