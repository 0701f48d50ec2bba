import type { CheckContext } from '@tributary/core/connector';
import { createError, isTributaryError } from '@tributary/core/errors';
import { COMPONENT } from './errors.js';
import { getJson, unexpectedBody } from './http.js';
import type { DiscourseConfig, DiscourseCredentials } from './schemas.js';

/**
 * One cheap call that proves the source works: `/session/current.json` with credentials (it answers
 * only for a logged-in key), `/about.json` without.
 * @throws TributaryError `unauthorized` when the credentials are refused, `config` when the base URL
 *   does not answer like a Discourse forum, or the classified error of the request
 */
export async function checkDiscourse(ctx: CheckContext<DiscourseConfig, DiscourseCredentials>): Promise<void> {
  const site = ctx.credentials
    ? { operation: 'check', path: '/session/current.json' }
    : { operation: 'check', path: '/about.json' };
  let body: unknown;
  try {
    body = await getJson(ctx, site);
  } catch (error) {
    if (isTributaryError(error, 'connector') && error.context.status === 404) {
      // Discourse answers 404 here for a key that did not log anyone in (e.g. a user key without a user).
      throw createError(
        COMPONENT,
        ctx.credentials ? 'unauthorized' : 'config',
        ctx.credentials ? 'check failed: the credentials did not log in' : `check failed: ${ctx.config.baseUrl} does not look like a Discourse forum`,
        { cause: error, context: error.context },
      );
    }
    throw error;
  }
  const key = ctx.credentials ? 'current_user' : 'about';
  if (typeof body !== 'object' || body === null || !(key in body)) {
    const cause = unexpectedBody(site, `no "${key}"`);
    throw ctx.credentials
      ? createError(COMPONENT, 'unauthorized', 'check failed: the credentials did not log in', { cause, context: { connector: COMPONENT, path: site.path } })
      : createError(COMPONENT, 'config', `check failed: ${ctx.config.baseUrl} does not look like a Discourse forum`, { cause, context: { connector: COMPONENT, path: site.path } });
  }
}
