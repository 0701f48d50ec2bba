import type { Clock } from '../clock/index.js';
import type { FetchFunction } from '../connector/index.js';
import type { OAuth2Tokens } from './tokens.js';

/** Options shared by the OAuth2 helpers. */
export interface OAuth2Options {
  /** Reads time for expiry and the token request's timeout. @default systemClock */
  clock?: Clock;
  /** The fetch token requests go through. @default the fetch `withAuth` wraps */
  fetch?: FetchFunction;
  /**
   * How long before expiry a token is refreshed, so a request never leaves with a token that expires
   * on its way. Tokens living less than twice this are refreshed at half their life.
   * @default 60000
   */
  refreshBeforeExpiryMs?: number;
  /** Longest wait for the token endpoint. @default 30000 */
  timeoutMs?: number;
}

/** What `onTokens` learns besides the tokens. */
export interface TokensInfo {
  /**
   * True when the server issued a new refresh token. Servers that rotate usually revoke the old one
   * at once, so it must be persisted: after a restart only the new one works.
   */
  rotated: boolean;
}

/** Options of `oauth2RefreshToken`. */
export interface OAuth2RefreshTokenOptions extends OAuth2Options {
  /**
   * Called with every token set the server issues, before any request uses it: persist it (the
   * pipeline re-encrypts and stores the credentials). `tokens.refreshToken` is always the one to use
   * next. When it throws, the request that triggered the refresh fails with `internal` and the next
   * request refreshes (and calls it) again with the new refresh token, which stays in memory.
   * @example
   * ```ts
   * onTokens: async (tokens) => saveCredentials({ ...credentials, ...tokens })
   * ```
   */
  onTokens?: (tokens: OAuth2Tokens & { refreshToken: string }, info: TokensInfo) => void | Promise<void>;
}

export const DEFAULT_REFRESH_BEFORE_EXPIRY_MS = 60_000;
export const DEFAULT_TOKEN_TIMEOUT_MS = 30_000;
