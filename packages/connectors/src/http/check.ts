import type { CheckContext } from '@tributary/core/connector';
import { errorForResponse } from '@tributary/core/http';
import { createError, isTributaryError } from '@tributary/core/errors';
import { applyAuth, authenticatedFetch } from './auth.js';
import { COMPONENT, safeUrl } from './errors.js';
import { itemsAt } from './items.js';
import { buildRequest } from './request.js';
import type { HttpConfig, HttpCredentials } from './schemas.js';
import { templateValues } from './watermark.js';

/**
 * Requests the first page as a first run would and checks that it answers 2xx JSON with an items
 * array at `itemsPath`, so a wrong URL, key or path is caught before the source is saved.
 * @throws TributaryError `unauthorized`/`forbidden`/`not_found`… from the status, or `config`
 */
export async function checkHttp(ctx: CheckContext<HttpConfig, HttpCredentials>): Promise<void> {
  const { config } = ctx;
  const fetch = authenticatedFetch(ctx.fetch, applyAuth(config.auth, ctx.credentials));
  const values = templateValues(config, null);
  const p = config.pagination;
  const first = buildRequest(config, {
    ...values,
    ...(p.style === 'page' ? { page: p.startPage, ...(p.pageSize ? { pageSize: p.pageSize } : {}) } : {}),
    ...(p.style === 'offset' ? { offset: 0, limit: p.limit } : {}),
  });
  let response: Response;
  try {
    response = await fetch(first.url, { ...first.init, signal: ctx.signal });
  } catch (cause) {
    if (isTributaryError(cause)) throw cause;
    throw createError(COMPONENT, 'unavailable', `check failed: could not reach ${safeUrl(first.url)}`, { cause });
  }
  if (!response.ok) throw await errorForResponse(response, { component: COMPONENT, context: { operation: 'check' } });
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw createError(COMPONENT, 'config', `check failed: ${safeUrl(first.url)} did not answer JSON`, { cause });
  }
  itemsAt(body, config, first.url);
}
