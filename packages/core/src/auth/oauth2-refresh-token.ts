import { systemClock } from '../clock/index.js';
import { createError, fromZodError, isTributaryError } from '../errors/index.js';
import { DEFAULT_REFRESH_BEFORE_EXPIRY_MS, DEFAULT_TOKEN_TIMEOUT_MS, type OAuth2RefreshTokenOptions } from './oauth2-options.js';
import { OAuth2RefreshTokenSchema, type OAuth2RefreshTokenCredentialsInput } from './schemas.js';
import { TokenCache, type ObtainTokens } from './token-cache.js';
import { requestTokens } from './token-endpoint.js';
import { authorizationScheme, type IssuedTokens } from './tokens.js';
import type { AuthContext, RequestAuth } from './types.js';

/**
 * OAuth2 refresh token grant (RFC 6749 §6) with rotation: uses the stored access token while it is
 * valid, refreshes shortly before it expires and when the API answers 401 (then retries the request
 * once), and hands every new token set to `onTokens` before using it, so a rotated refresh token is
 * persisted. Concurrent requests share one refresh: a rotating server would otherwise see the same
 * refresh token twice and, as the OAuth 2.0 Security BCP (RFC 9700) recommends for rotation, revoke
 * the whole grant.
 * @throws TributaryError `validation` when the credentials are malformed; requests fail with
 *   `unauthorized` when the refresh token is refused (`invalid_grant`: the user must reconnect),
 *   else with the token endpoint's other errors
 * @example
 * ```ts
 * const auth = oauth2RefreshToken(credentials, {
 *   clock: context.clock,
 *   onTokens: (tokens) => saveCredentials({ ...credentials, ...tokens }),
 * });
 * const fetch = withAuth(context.fetch, auth);
 * ```
 */
export function oauth2RefreshToken(credentials: OAuth2RefreshTokenCredentialsInput, options: OAuth2RefreshTokenOptions = {}): RequestAuth {
  const parsed = OAuth2RefreshTokenSchema.safeParse(credentials);
  if (!parsed.success) throw fromZodError('auth', 'OAuth2 refresh token credentials', parsed.error);
  const { tokenUrl, clientId, clientSecret, scope, clientAuth, accessToken, expiresAt } = parsed.data;
  const clock = options.clock ?? systemClock;
  // Kept apart from the cached access token: it must survive a failed `onTokens` (see below).
  let refreshToken = parsed.data.refreshToken;
  const stored: IssuedTokens | null = accessToken ? { accessToken, tokenType: 'Bearer', refreshToken, ...(expiresAt !== undefined ? { expiresAt } : {}) } : null;
  const cache = new TokenCache(clock, options.refreshBeforeExpiryMs ?? DEFAULT_REFRESH_BEFORE_EXPIRY_MS, stored);

  const obtainWith =
    (context: AuthContext): ObtainTokens =>
    async () => {
      const used = refreshToken;
      const tokens = await requestTokens({
        tokenUrl,
        params: { grant_type: 'refresh_token', refresh_token: used, scope },
        client: { id: clientId, ...(clientSecret !== undefined ? { secret: clientSecret } : {}), auth: clientAuth },
        fetch: options.fetch ?? context.fetch,
        clock,
        timeoutMs: options.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS,
        secrets: [clientSecret, used],
      });
      const rotated = tokens.refreshToken !== undefined && tokens.refreshToken !== used;
      // Remember the new refresh token before anything can fail: the old one may already be revoked.
      refreshToken = tokens.refreshToken ?? used;
      const issued = { ...tokens, refreshToken };
      if (options.onTokens) {
        const { issuedAt: _internal, ...persisted } = issued;
        try {
          await options.onTokens(persisted, { rotated });
        } catch (cause) {
          throw isTributaryError(cause)
            ? cause
            : createError('auth', 'internal', `onTokens failed: the new tokens were not persisted${rotated ? ' (the refresh token was rotated)' : ''}`, {
                cause,
                context: { component: 'auth', rotated },
              });
        }
      }
      return issued;
    };

  return {
    kind: 'oauth2_refresh_token',
    async authorize(request, context) {
      const token = await cache.get(obtainWith(context), context.signal);
      request.headers.set('authorization', `${authorizationScheme(token.tokenType)} ${token.accessToken}`);
      return token;
    },
    async renew(grant, context) {
      await cache.renew((grant as IssuedTokens | undefined) ?? null, obtainWith(context), context.signal);
      return true;
    },
  };
}
