import type { Clock } from '../clock/index.js';
import { raceAbort } from '../abort/race-abort.js';
import { isTributaryError } from '../errors/index.js';
import type { IssuedTokens } from './tokens.js';

/**
 * Obtains a new token set; `current` is what the cache holds, if anything. Passed per call, since it
 * closes over the caller's fetch.
 */
export type ObtainTokens = (current: IssuedTokens | null) => Promise<IssuedTokens>;

/**
 * Holds one access token and refreshes it: shortly before it expires, and when a request using it was
 * refused. Refreshes are single-flight: however many requests need a token at once, one request
 * goes to the token endpoint and all of them wait for its answer.
 */
export class TokenCache {
  private inflight: Promise<IssuedTokens> | null = null;

  constructor(
    private readonly clock: Clock,
    /** How long before expiry a token is refreshed. */
    private readonly refreshBeforeMs: number,
    private token: IssuedTokens | null = null,
  ) {}

  /**
   * A token fit to send now: the cached one, or a fresh one when there is none or it is about to
   * expire. When an early refresh fails for a passing reason (the endpoint is down) but the cached
   * token has not expired yet, the cached one is used rather than failing the request.
   */
  async get(obtain: ObtainTokens, signal?: AbortSignal): Promise<IssuedTokens> {
    const current = this.token;
    if (current && !this.refreshDue(current)) return current;
    try {
      return await this.refresh(obtain, signal);
    } catch (error) {
      if (current && !this.expired(current) && isTributaryError(error) && error.retryable) return current;
      throw error;
    }
  }

  /**
   * After `stale` was refused: a fresh token, unless another request already replaced it, in which
   * case that one is returned without a second trip to the endpoint.
   */
  async renew(stale: IssuedTokens | null, obtain: ObtainTokens, signal?: AbortSignal): Promise<IssuedTokens> {
    if (this.token && this.token !== stale) return this.token;
    return this.refresh(obtain, signal);
  }

  private refresh(obtain: ObtainTokens, signal: AbortSignal | undefined): Promise<IssuedTokens> {
    if (!this.inflight) {
      const inflight = obtain(this.token)
        .then((tokens) => {
          this.token = tokens;
          return tokens;
        })
        .finally(() => {
          this.inflight = null;
        });
      // Every waiter may have given up (aborted); the outcome is still observed, never unhandled.
      inflight.catch(() => undefined);
      this.inflight = inflight;
    }
    // The caller's abort ends its own wait, never the shared work other callers still wait for.
    return signal ? raceAbort(this.inflight, signal) : this.inflight;
  }

  private refreshDue(token: IssuedTokens): boolean {
    if (token.expiresAt === undefined) return false;
    // A token that lives shorter than twice the margin is refreshed at half its life instead, so a
    // 60 s token with a 60 s margin is not refreshed on every request.
    const lifetime = token.issuedAt !== undefined ? token.expiresAt - token.issuedAt : Infinity;
    const margin = Math.min(this.refreshBeforeMs, Math.max(0, lifetime / 2));
    return this.clock.now() >= token.expiresAt - margin;
  }

  private expired(token: IssuedTokens): boolean {
    return token.expiresAt !== undefined && this.clock.now() >= token.expiresAt;
  }
}
