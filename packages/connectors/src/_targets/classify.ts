import type { AnnouncedBudget, DeliveryResult } from '@tributary/core/target';
import { readRateLimitHeaders } from './budget.js';
import { parseRetryAfter } from './retry-after.js';

/**
 * What a status means for a delivery:
 * - `ok`: 2xx, the receiver accepted the message;
 * - `retryable`: 408, 425, 429 and 5xx, the receiver may accept it later (honour `Retry-After`);
 * - `permanent`: 400, 404, 410, 413 and 422, sending the same message again cannot succeed;
 * - `unauthorized`: 401 and 403, a failure that is not permanent, because fixing the credentials
 *   makes the same message acceptable;
 * - `failure`: anything else (3xx, 402, 409, 423…), retried within the attempts.
 */
export type StatusClass = 'ok' | 'retryable' | 'permanent' | 'unauthorized' | 'failure';

const PERMANENT = new Set([400, 404, 410, 413, 422]);
const RETRYABLE = new Set([408, 425, 429]);

/** Classifies an HTTP status; see {@link StatusClass}. */
export function statusClass(status: number): StatusClass {
  if (status >= 200 && status < 300) return 'ok';
  if (RETRYABLE.has(status) || status >= 500) return 'retryable';
  if (PERMANENT.has(status)) return 'permanent';
  if (status === 401 || status === 403) return 'unauthorized';
  return 'failure';
}

/** Options of {@link classifyResponse}. */
export interface ClassifyOptions {
  /** Epoch ms, to turn a `Retry-After` date into a delay. */
  now: number;
  /** Strings that must never appear in an error (API keys, tokens, signed URLs). */
  secrets?: readonly (string | undefined)[];
  /** Reads the budget the receiver announced. @default the common `RateLimit-*` / `X-RateLimit-*` headers */
  budget?(response: Response): AnnouncedBudget | undefined;
}

/** Longest part of an error body kept in a result: a proxy's error page should not end up in logs whole. */
const EXCERPT_CHARS = 300;

/**
 * Turns a response into a delivery result by its status ({@link statusClass}). Reads (and bounds) the
 * body of a refusal for the error; leaves the body of a 2xx untouched for the caller.
 */
export async function classifyResponse(response: Response, options: ClassifyOptions): Promise<DeliveryResult> {
  if (statusClass(response.status) === 'ok') return resultForResponse(response, '', options);
  return resultForResponse(response, await readText(response), options);
}

/** {@link classifyResponse} for a response whose body the caller has already read. */
export function resultForResponse(response: Response, body: string, options: ClassifyOptions): DeliveryResult {
  const status = response.status;
  const budget = options.budget ? options.budget(response) : readRateLimitHeaders(response.headers, options.now);
  const withBudget = budget ? { budget } : {};
  const kind = statusClass(status);
  if (kind === 'ok') return { ok: true, status, ...withBudget };

  // Redacted before it is cut, so a secret on the cut cannot leak its first half.
  const error = excerpt(redact(errorText(response, body), options.secrets));
  const retryAfterMs = kind === 'permanent' ? undefined : parseRetryAfter(response.headers.get('retry-after'), options.now);
  return {
    ok: false,
    status,
    ...(kind === 'permanent' ? { permanent: true } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...withBudget,
    ...(error ? { error } : {}),
  };
}

function errorText(response: Response, body: string): string {
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get('location');
    // Following a redirect would turn a POST into a GET, or hand a signed body to another host.
    return `redirected${location ? ` to ${location}` : ''}; targets do not follow redirects, configure the final URL`;
  }
  return body || response.statusText;
}

/** The start of a text as one line, bounded. */
export function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line;
}

/** The body as text, or '' when it cannot be read (the connection dropped). */
export async function readText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch {
    return '';
  }
}

/**
 * Releases a body the caller does not need, so the connection can be reused. Not awaited: a
 * cancellation may wait on the other branch of a teed stream (as mocked responses are), and the
 * delivery's outcome does not depend on it.
 */
export function discardBody(response: Response): void {
  response.body?.cancel().catch(() => undefined);
}

/** Replaces every occurrence of the given secrets with `[redacted]`. */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    // Very short strings would blank out ordinary words; real keys are long.
    if (secret && secret.length >= 6) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/**
 * The result of a request that got no response: aborted (the dispatcher's timeout or a shutdown) or
 * a network failure. Both are worth retrying.
 */
export function failureFromError(error: unknown, signal: AbortSignal, secrets?: readonly (string | undefined)[]): DeliveryResult {
  if (signal.aborted) return { ok: false, error: redact(`request aborted: ${describe(signal.reason) || 'no reason given'}`, secrets) };
  const e = error as { message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  const cause = e?.cause ? describe(e.cause.code ?? e.cause.message) : '';
  return { ok: false, error: redact(`request failed: ${describe(e?.message ?? error) || 'unknown error'}${cause ? ` (${cause})` : ''}`, secrets) };
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return '';
}
