import { createError, type TributaryError, type TributaryErrorCode } from '@tributary/core/errors';

/** The component name every Discourse error carries: `[tributary] [discourse] …`. */
export const COMPONENT = 'discourse';

/** Where a failed request was made, for the error's context (never holds credentials). */
export interface RequestSite {
  /** e.g. `search`, `latest-posts`, `check`. */
  operation: string;
  /** Path and query of the request. Credentials travel in headers, so this is safe to keep. */
  path: string;
}

/**
 * Turns a non-2xx response into a Tributary error the runtime can act on: `rate_limited` (429, with
 * `retryAfterMs`), `unauthorized` (401/403), `unavailable` (5xx) or `connector` (anything else).
 * Classifying is all it does; retrying is the runtime's job.
 */
export async function errorFromResponse(response: Response, site: RequestSite, now: number = Date.now()): Promise<TributaryError> {
  const status = response.status;
  const body = await readBody(response);
  const code = codeFor(status);
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now) ?? waitSecondsMs(body);
  const errorType = typeof body?.error_type === 'string' ? body.error_type : undefined;
  const detail = firstErrorMessage(body);
  return createError(COMPONENT, code, `${site.operation} failed: HTTP ${status} on ${site.path}${detail ? ` (${detail})` : ''}`, {
    context: { connector: COMPONENT, operation: site.operation, path: site.path, status, ...(errorType ? { errorType } : {}) },
    ...(retryAfterMs !== undefined && (code === 'rate_limited' || code === 'unavailable') ? { retryAfterMs } : {}),
  });
}

function codeFor(status: number): TributaryErrorCode {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status >= 500) return 'unavailable';
  return 'connector';
}

/**
 * `Retry-After` as milliseconds: either delta-seconds or an HTTP date.
 * @returns undefined when the header is absent or unreadable
 */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

type ErrorBody = { error_type?: unknown; errors?: unknown; extras?: { wait_seconds?: unknown } } | undefined;

/** Discourse's own wait hint: `{"error_type":"rate_limit","extras":{"wait_seconds":N}}`. */
function waitSecondsMs(body: ErrorBody): number | undefined {
  const seconds = body?.extras?.wait_seconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : undefined;
}

function firstErrorMessage(body: ErrorBody): string | undefined {
  const errors = body?.errors;
  const first = Array.isArray(errors) ? errors[0] : undefined;
  // Bounded: a proxy's error page should not end up in logs whole.
  return typeof first === 'string' ? first.slice(0, 200) : undefined;
}

async function readBody(response: Response): Promise<ErrorBody> {
  try {
    const parsed: unknown = JSON.parse(await response.text());
    return typeof parsed === 'object' && parsed !== null ? (parsed as ErrorBody) : undefined;
  } catch {
    return undefined;
  }
}
