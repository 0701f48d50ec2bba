import type { CheckContext } from '@tributary/core/connector';
import { createError, isTributaryError } from '@tributary/core/errors';
import { COMPONENT } from './errors.js';
import { githubFetch, repositoryName, repoUrl } from './http.js';
import type { GithubConfig, GithubCredentials } from './schemas.js';

/**
 * One cheap call that proves the source works: `GET /repos/{owner}/{repo}` with the credentials.
 * @throws TributaryError `config` naming the repository when it does not exist, the token cannot see
 *   it or its issues are disabled; `unauthorized` when the token is refused (401) or lacks access
 *   (403); else the classified error of the request
 */
export async function checkGithub(ctx: CheckContext<GithubConfig, GithubCredentials | null>): Promise<void> {
  const repository = repositoryName(ctx.config);
  const fetch = githubFetch(ctx, 'check');
  let body: unknown;
  try {
    const response = await fetch(repoUrl(ctx.config));
    body = await response.json();
  } catch (error) {
    if (isTributaryError(error, 'forbidden')) {
      throw createError(COMPONENT, 'unauthorized', `check failed: the token may not read ${repository}`, { cause: error, context: error.context });
    }
    throw error;
  }
  if (typeof body === 'object' && body !== null && (body as { has_issues?: unknown }).has_issues === false) {
    throw createError(COMPONENT, 'config', `check failed: repository ${repository} has issues disabled`, {
      context: { connector: COMPONENT, operation: 'check', repository },
    });
  }
}
