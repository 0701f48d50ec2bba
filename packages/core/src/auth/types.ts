import type { FetchFunction } from '../connector/index.js';

/** The parts of an outgoing request an auth may change. */
export interface AuthRequest {
  /** The request's URL; a query-parameter API key is added here. */
  url: URL;
  /** The request's headers; most credentials go here. */
  headers: Headers;
}

/** What an auth receives besides the request. */
export interface AuthContext {
  /**
   * The fetch {@link withAuth} wraps (never the wrapped one, so a token request is not itself
   * authorized). Token endpoints are called through it unless the auth was given its own fetch.
   */
  fetch: FetchFunction;
  /** The caller's signal: waiting for a shared token refresh stops when it aborts. */
  signal?: AbortSignal;
}

/**
 * A way to authenticate requests. Build one with `apiKeyAuth`, `basicAuth`, `bearerAuth`,
 * `oauth2ClientCredentials`, `oauth2RefreshToken` or `createAuth`, and apply it with `withAuth`.
 *
 * Secrets live in the closures of these objects, never in properties, so logging or serializing an
 * auth shows only its `kind`.
 */
export interface RequestAuth {
  /** What kind of credentials this is, e.g. `bearer`, `oauth2_refresh_token`. */
  readonly kind: string;
  /**
   * Adds credentials to a request. Resolves with an opaque grant (what was used), which
   * {@link RequestAuth.renew} gets back when the server refuses it.
   */
  authorize(request: AuthRequest, context: AuthContext): Promise<unknown>;
  /**
   * Called after a 401 to a request authorized with `grant`. Obtains fresh credentials (or notices
   * that a concurrent request already did) and resolves true when a retry may succeed. Absent for
   * static credentials, where retrying cannot help.
   */
  renew?(grant: unknown, context: AuthContext): Promise<boolean>;
}
