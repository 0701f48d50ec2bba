import { systemClock, type Clock } from '../clock/index.js';
import { createError, type TributaryError, type TributaryErrorCode } from '../errors/index.js';
import { defaultWaitHints, readWaitHints, type WaitHint } from './wait-hints.js';

/** Options of {@link errorForResponse}. */
export interface ResponseErrorOptions {
  /** Names the component in the message, e.g. `discourse`. @default 'http' */
  component?: string;
  /** Reads `retryAfterMs` from the response. @default defaultWaitHints */
  waitHints?: readonly WaitHint[];
  /** @default systemClock */
  clock?: Clock;
  /** Extra context for the error (never secrets). */
  context?: Record<string, unknown>;
}

/** The error code a failed HTTP status stands for. */
export function codeForStatus(status: number): TributaryErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 409) return 'conflict';
  if (status === 413) return 'payload_too_large';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  if (status === 400 || status === 422) return 'validation';
  return 'connector';
}

/**
 * Turns a failed response (what the client returns once its retries are spent) into a Tributary error:
 * 401 → `unauthorized`, 403 → `forbidden` (`rate_limited` when it carries a wait hint, as GitHub's
 * do), 404 → `not_found`, 408 → `timeout`, 429 → `rate_limited`, 5xx → `unavailable`, with
 * `retryAfterMs` from the wait hints so the queue redelivers the run no sooner than the provider allows.
 * Reads a clone of the body for the message, so the response stays readable.
 */
export async function errorForResponse(response: Response, options: ResponseErrorOptions = {}): Promise<TributaryError> {
  const clock = options.clock ?? systemClock;
  const retryAfterMs = await readWaitHints(options.waitHints ?? defaultWaitHints, response, clock.now());
  let code = codeForStatus(response.status);
  if (code === 'forbidden' && retryAfterMs !== undefined) code = 'rate_limited';
  const detail = await bodySnippet(response);
  const where = safeUrl(response.url);
  const message = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${where ? ` from ${where}` : ''}${detail ? `: ${detail}` : ''}`;
  return createError(options.component ?? 'http', code, message, {
    context: { status: response.status, ...(where ? { url: where } : {}), ...options.context },
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** Host and path only: query strings often carry API keys. */
function safeUrl(url: string): string {
  if (!url) return '';
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '';
  }
}

async function bodySnippet(response: Response): Promise<string> {
  try {
    const text = (await response.clone().text()).replace(/\s+/g, ' ').trim();
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return '';
  }
}
