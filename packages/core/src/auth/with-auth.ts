import type { FetchFunction } from '../connector/index.js';
import type { AuthContext, RequestAuth } from './types.js';

/** A request taken apart once, so it can be authorized (and, after a 401, sent again). */
interface PreparedRequest {
  url: string;
  init: RequestInit;
  /** False when the body is a stream, which can be sent only once. */
  replayable: boolean;
}

/**
 * Wraps a fetch so every request carries the credentials of `auth`. When the server answers 401 and
 * the auth can renew its credentials (the OAuth2 helpers), the request is sent once more with fresh
 * ones; any other response, and a second 401, is returned as is for the caller to classify.
 *
 * A request whose body is a stream is not retried: the stream is spent by the first attempt.
 *
 * @example
 * ```ts
 * const fetch = withAuth(context.fetch, oauth2ClientCredentials(credentials, { clock: context.clock }));
 * const response = await fetch('https://api.example.com/v1/feedback', { signal: context.signal });
 * ```
 */
export function withAuth(fetch: FetchFunction, auth: RequestAuth): FetchFunction {
  return async (input, init) => {
    const prepared = await prepare(input, init);
    const context: AuthContext = { fetch, ...(prepared.init.signal ? { signal: prepared.init.signal } : {}) };
    const send = async () => {
      const url = new URL(prepared.url);
      const headers = new Headers(prepared.init.headers);
      const grant = await auth.authorize({ url, headers }, context);
      const response = await fetch(url.toString(), { ...prepared.init, headers });
      return { response, grant };
    };

    const first = await send();
    if (first.response.status !== 401 || !auth.renew || !prepared.replayable) return first.response;
    let renewed: boolean;
    try {
      renewed = await auth.renew(first.grant, context);
    } catch (error) {
      discard(first.response);
      throw error;
    }
    if (!renewed) return first.response;
    // Free the connection of the refused response before sending the retry.
    discard(first.response);
    return (await send()).response;
  };
}

async function prepare(input: string | URL | Request, init: RequestInit | undefined): Promise<PreparedRequest> {
  if (!(input instanceof Request)) {
    return { url: String(input), init: { ...init }, replayable: !(init?.body instanceof ReadableStream) };
  }
  // A Request's body can be read once: buffer it (from a clone, leaving the caller's intact) so both
  // attempts can send it.
  const headers = new Headers();
  // Copied entry by entry: `new Headers(request.headers)` drops entries when the Request comes from
  // an instrumented fetch (msw's interceptors wrap a Request's headers).
  input.headers.forEach((value, name) => headers.set(name, value));
  new Headers(init?.headers).forEach((value, name) => headers.set(name, value));
  const body = init?.body !== undefined ? init.body : input.body ? await input.clone().arrayBuffer() : undefined;
  return {
    url: input.url,
    init: {
      method: input.method,
      redirect: input.redirect,
      signal: input.signal,
      ...init,
      headers,
      ...(body !== undefined && body !== null ? { body } : {}),
    },
    replayable: !(body instanceof ReadableStream),
  };
}

/** Cancels a body nobody will read. Not awaited: some streams settle their cancel only once drained. */
function discard(response: Response): void {
  response.body?.cancel().catch(() => undefined);
}
