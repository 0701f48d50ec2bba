import { z } from 'zod';
import type { Clock } from '../clock/index.js';
import type { FetchFunction } from '../connector/index.js';
import { createError, isTributaryError, type TributaryError, type TributaryErrorCode } from '../errors/index.js';
import { parseRetryAfter } from '../http/wait-hints.js';
import type { IssuedTokens } from './tokens.js';

const COMPONENT = 'auth';

/** OAuth2 error codes that mean the credentials themselves were refused (RFC 6749 §5.2). */
const REFUSED = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'access_denied']);
/** Error codes that mean the request is misconfigured: retrying the same one cannot succeed. */
const MISCONFIGURED = new Set(['invalid_request', 'invalid_scope', 'unsupported_grant_type']);

// Servers differ: `expires_in` as a number or a numeric string, `token_type` sometimes missing.
const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().min(1).optional(),
  expires_in: z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)]).optional(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});

/** One request to a token endpoint. */
export interface TokenRequest {
  tokenUrl: string;
  /** The grant's parameters (`grant_type` and the rest). */
  params: Record<string, string | undefined>;
  client: { id: string; secret?: string; auth: 'basic' | 'body' };
  fetch: FetchFunction;
  clock: Clock;
  timeoutMs: number;
  /** Values to blank out of any provider text that ends up in an error message. */
  secrets: readonly (string | undefined)[];
}

/**
 * POSTs a grant to a token endpoint (form-encoded, RFC 6749 §4) and reads the token response.
 * @throws TributaryError `unauthorized` when the credentials are refused (`invalid_grant`,
 *   `invalid_client`, 401/403), `config` for a request the server cannot accept (`invalid_scope`…),
 *   `rate_limited` for 429, `unavailable` for network failures, timeouts, 5xx and malformed answers.
 *   Messages name the endpoint (without query) and the OAuth2 error code, never a secret.
 */
export async function requestTokens(request: TokenRequest): Promise<IssuedTokens> {
  const { clock, client } = request;
  const where = endpointName(request.tokenUrl);
  const grant = request.params.grant_type ?? 'unknown';
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(request.params)) if (value !== undefined) body.set(name, value);
  const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
  if (client.auth === 'basic' && client.secret !== undefined) {
    // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
    headers.set('authorization', `Basic ${Buffer.from(`${formEncode(client.id)}:${formEncode(client.secret)}`, 'utf8').toString('base64')}`);
  } else {
    body.set('client_id', client.id);
    if (client.secret !== undefined) body.set('client_secret', client.secret);
  }

  const issuedAt = clock.now();
  const timeout = new AbortController();
  const timer = clock.setTimeout(() => timeout.abort(), request.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await request.fetch(request.tokenUrl, { method: 'POST', headers, body, signal: timeout.signal });
    text = await response.text();
  } catch (cause) {
    if (isTributaryError(cause)) throw cause;
    const timedOut = timeout.signal.aborted;
    throw createError(COMPONENT, 'unavailable', `${grant} token request to ${where} ${timedOut ? `timed out after ${request.timeoutMs} ms` : 'failed'}`, {
      // The cause of a network failure carries no request body; a timeout's is only our abort.
      ...(timedOut ? {} : { cause }),
      context: { component: COMPONENT, tokenUrl: where, grant },
    });
  } finally {
    clock.clearTimeout(timer);
  }

  const parsedBody = readBody(text, response.headers.get('content-type'));
  if (!response.ok) throw refusal(response, parsedBody, { where, grant, now: clock.now(), secrets: request.secrets });

  const parsed = TokenResponseSchema.safeParse(parsedBody);
  if (!parsed.success) {
    // No cause: the zod error would hold the body, and the body may hold a token.
    throw createError(COMPONENT, 'unavailable', `${grant} token response of ${where} is malformed (${parsed.error.issues.map((i) => i.path.join('.') || 'body').join(', ')})`, {
      context: { component: COMPONENT, tokenUrl: where, grant, status: response.status },
    });
  }
  const tokens = parsed.data;
  return {
    accessToken: tokens.access_token,
    tokenType: tokens.token_type ?? 'Bearer',
    // Counted from when the request was sent, so network time never makes us trust a token too long.
    ...(tokens.expires_in !== undefined && Number.isFinite(tokens.expires_in) ? { expiresAt: issuedAt + Math.floor(tokens.expires_in * 1000) } : {}),
    ...(tokens.refresh_token !== undefined ? { refreshToken: tokens.refresh_token } : {}),
    ...(tokens.scope !== undefined ? { scope: tokens.scope } : {}),
    issuedAt,
  };
}

function refusal(
  response: Response,
  body: unknown,
  at: { where: string; grant: string; now: number; secrets: readonly (string | undefined)[] },
): TributaryError {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const oauthError = typeof record.error === 'string' ? record.error : undefined;
  const description = typeof record.error_description === 'string' ? redact(record.error_description, at.secrets).slice(0, 200) : undefined;
  const code = refusalCode(response.status, oauthError);
  const retryAfterMs = code === 'rate_limited' || code === 'unavailable' ? parseRetryAfter(response.headers.get('retry-after'), at.now) : undefined;
  const detail = [oauthError, description].filter(Boolean).join(': ');
  return createError(COMPONENT, code, `${at.grant} token request refused by ${at.where}: HTTP ${response.status}${detail ? ` (${detail})` : ''}`, {
    context: { component: COMPONENT, tokenUrl: at.where, grant: at.grant, status: response.status, ...(oauthError ? { oauthError } : {}) },
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

function refusalCode(status: number, oauthError: string | undefined): TributaryErrorCode {
  if (oauthError !== undefined && REFUSED.has(oauthError)) return 'unauthorized';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  if (status === 401 || status === 403) return 'unauthorized';
  if (oauthError !== undefined && MISCONFIGURED.has(oauthError)) return 'config';
  return 'unavailable';
}

/** JSON, or form fields from servers that answer `application/x-www-form-urlencoded` (GitHub's OAuth did). */
function readBody(text: string, contentType: string | null): unknown {
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The endpoint as origin and path: a query string could carry a key. */
function endpointName(tokenUrl: string): string {
  try {
    const url = new URL(tokenUrl);
    return `${url.origin}${url.pathname}`;
  } catch {
    return 'the token endpoint';
  }
}

function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  return out;
}

function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}
