import type { FetchFunction } from '@tributary/core/connector';
import { apiKeyAuth, basicAuth, bearerAuth, withAuth, type RequestAuth } from '@tributary/core/auth';
import { createError } from '@tributary/core/errors';
import { COMPONENT } from './errors.js';
import type { HttpAuth, HttpCredentials } from './schemas.js';

/**
 * The source's auth, built from core's auth helpers, and the query parameter that carries a key sent
 * in the URL (so checkpoints can leave it out).
 */
export interface AppliedAuth {
  /** Absent for `auth: { type: 'none' }`. */
  auth?: RequestAuth;
  /** Name of the query parameter holding the key, for `api-key` in the query. */
  queryParam?: string;
}

/**
 * The credentials `auth` needs, as a core {@link RequestAuth}.
 * @throws TributaryError `config` naming the missing credential
 */
export function applyAuth(auth: HttpAuth, credentials: HttpCredentials): AppliedAuth {
  const creds = (credentials ?? {}) as Partial<Record<'token' | 'apiKey' | 'username' | 'password', string>>;
  const need = (field: 'token' | 'apiKey' | 'username') => {
    const value = creds[field];
    if (!value) {
      throw createError(COMPONENT, 'config', `auth type "${auth.type}" needs credentials.${field}`, {
        issues: [{ path: `credentials.${field}`, message: `required by auth type "${auth.type}"` }],
      });
    }
    return value;
  };
  switch (auth.type) {
    case 'none':
      return {};
    case 'bearer':
      return { auth: bearerAuth({ token: need('token') }) };
    case 'basic':
      return { auth: basicAuth({ username: need('username'), password: creds.password ?? '' }) };
    case 'api-key':
      // Core puts a prefix only before a key in a header; this connector has always prefixed a
      // query key too, so the prefix travels inside the key there.
      return auth.in === 'query'
        ? { auth: apiKeyAuth({ apiKey: `${auth.prefix ?? ''}${need('apiKey')}`, in: 'query', name: auth.name }), queryParam: auth.name }
        : { auth: apiKeyAuth({ apiKey: need('apiKey'), in: 'header', name: auth.name, ...(auth.prefix !== undefined ? { prefix: auth.prefix } : {}) }) };
  }
}

/**
 * Wraps the runtime's fetch so every request carries the credentials, including pages whose URL the
 * API handed back (`Link` headers, `next` URLs), which may not repeat a key sent in the query.
 */
export function authenticatedFetch(fetch: FetchFunction, applied: AppliedAuth): FetchFunction {
  return applied.auth ? withAuth(fetch, applied.auth) : fetch;
}

/** A URL without the query-string key, so a page URL saved in a checkpoint (stored in clear) never holds it. */
export function withoutAuthQuery(url: string, applied: AppliedAuth): string {
  if (!applied.queryParam) return url;
  try {
    const parsed = new URL(url);
    parsed.searchParams.delete(applied.queryParam);
    return parsed.toString();
  } catch {
    return url;
  }
}
