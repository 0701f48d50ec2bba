import type { FetchFunction } from '@tributary/core/connector';
import { createError } from '@tributary/core/errors';
import { COMPONENT } from './errors.js';
import type { HttpAuth, HttpCredentials } from './schemas.js';

/** Where a request's credentials go: headers, and a query parameter for keys sent in the URL. */
export interface AppliedAuth {
  headers: Record<string, string>;
  query?: { name: string; value: string };
}

/**
 * The credentials `auth` needs, placed where it wants them.
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
      return { headers: {} };
    case 'bearer':
      return { headers: { Authorization: `Bearer ${need('token')}` } };
    case 'basic':
      return { headers: { Authorization: `Basic ${Buffer.from(`${need('username')}:${creds.password ?? ''}`, 'utf8').toString('base64')}` } };
    case 'api-key': {
      const value = `${auth.prefix ?? ''}${need('apiKey')}`;
      return auth.in === 'query' ? { headers: {}, query: { name: auth.name, value } } : { headers: { [auth.name]: value } };
    }
  }
}

/**
 * Wraps the runtime's fetch so every request carries the credentials, including pages whose URL the
 * API handed back (`Link` headers, `next` URLs), which may not repeat a key sent in the query.
 */
export function authenticatedFetch(fetch: FetchFunction, auth: AppliedAuth): FetchFunction {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (auth.query) url.searchParams.set(auth.query.name, auth.query.value);
    const headers = new Headers(init?.headers);
    for (const [name, value] of Object.entries(auth.headers)) headers.set(name, value);
    return fetch(url.toString(), { ...init, headers });
  };
}

/** A URL without the query-string key, so a page URL saved in a checkpoint (stored in clear) never holds it. */
export function withoutAuthQuery(url: string, auth: AppliedAuth): string {
  if (!auth.query) return url;
  try {
    const parsed = new URL(url);
    parsed.searchParams.delete(auth.query.name);
    return parsed.toString();
  } catch {
    return url;
  }
}
