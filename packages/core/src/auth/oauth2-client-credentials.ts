import { systemClock } from '../clock/index.js';
import { fromZodError } from '../errors/index.js';
import { DEFAULT_REFRESH_BEFORE_EXPIRY_MS, DEFAULT_TOKEN_TIMEOUT_MS, type OAuth2Options } from './oauth2-options.js';
import { OAuth2ClientCredentialsSchema, type OAuth2ClientCredentialsInput } from './schemas.js';
import { TokenCache, type ObtainTokens } from './token-cache.js';
import { requestTokens } from './token-endpoint.js';
import { authorizationScheme, type IssuedTokens } from './tokens.js';
import type { AuthContext, RequestAuth } from './types.js';

/**
 * OAuth2 client credentials (RFC 6749 §4.4): requests a token from the token endpoint on first use,
 * caches it until shortly before it expires, and requests a new one then or when the API answers
 * 401. Concurrent requests share one token request.
 * @throws TributaryError `validation` when the credentials are malformed; requests fail with the
 *   token endpoint's errors (`unauthorized`, `config`, `rate_limited`, `unavailable`)
 * @example
 * ```ts
 * const auth = oauth2ClientCredentials(
 *   { tokenUrl: 'https://auth.example.com/oauth/token', clientId, clientSecret, audience: 'https://api.example.com' },
 *   { clock: context.clock },
 * );
 * const fetch = withAuth(context.fetch, auth);
 * ```
 */
export function oauth2ClientCredentials(credentials: OAuth2ClientCredentialsInput, options: OAuth2Options = {}): RequestAuth {
  const parsed = OAuth2ClientCredentialsSchema.safeParse(credentials);
  if (!parsed.success) throw fromZodError('auth', 'OAuth2 client credentials', parsed.error);
  const { tokenUrl, clientId, clientSecret, scope, audience, clientAuth } = parsed.data;
  const clock = options.clock ?? systemClock;
  const cache = new TokenCache(clock, options.refreshBeforeExpiryMs ?? DEFAULT_REFRESH_BEFORE_EXPIRY_MS);

  const obtainWith =
    (context: AuthContext): ObtainTokens =>
    async () => {
      const tokens = await requestTokens({
        tokenUrl,
        params: { grant_type: 'client_credentials', scope, audience },
        client: { id: clientId, secret: clientSecret, auth: clientAuth },
        fetch: options.fetch ?? context.fetch,
        clock,
        timeoutMs: options.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS,
        secrets: [clientSecret],
      });
      // This grant issues no refresh token worth keeping (RFC 6749 §4.4.3): a new token is one request away.
      const { refreshToken: _ignored, ...rest } = tokens;
      return rest;
    };

  return {
    kind: 'oauth2_client_credentials',
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
