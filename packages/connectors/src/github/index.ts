/**
 * @module @tributary/connectors/github
 * The GitHub connector: pulls a repository's issues and issue comments incrementally (`since` with an
 * overlap, ETag conditional requests, `Link` pagination, rate-limit headers), receives `issues`,
 * `issue_comment`, `discussion` and `discussion_comment` webhooks, and parses each into a record.
 * @example
 * ```ts
 * import { githubConnector } from '@tributary/connectors/github';
 * const config = githubConnector.configSchema.parse({ owner: 'octocat', repo: 'Hello-World', since: '2025-01-01' });
 * ```
 */
import { defineConnector } from '@tributary/core/connector';
import { checkGithub } from './check.js';
import { fetchGithub } from './fetch.js';
import { parseGithubItem } from './parse.js';
import { githubRateBudget } from './rate-budget.js';
import { GithubCheckpointSchema, GithubConfigSchema, GithubCredentialsSchema, type GithubCheckpoint, type GithubConfig, type GithubCredentials } from './schemas.js';
import { githubWebhook } from './webhook.js';

export {
  GITHUB_PAGE_SIZE,
  GithubCheckpointSchema,
  GithubConfigSchema,
  GithubCredentialsSchema,
  GithubStreamCheckpointSchema,
  GithubStreamSchema,
  type GithubCheckpoint,
  type GithubConfig,
  type GithubConfigInput,
  type GithubCredentials,
  type GithubStream,
  type GithubStreamCheckpoint,
} from './schemas.js';
export { GITHUB_ITEM_TYPES, externalIdOf, type GithubItemType } from './payload.js';
export { GITHUB_API_VERSION } from './http.js';
export { GITHUB_WEBHOOK_EVENTS, parseGithubWebhook } from './webhook.js';
export { parseGithubItem } from './parse.js';
export { githubRateBudget } from './rate-budget.js';

/** The connector's version; records remember it, and a new minor means records may be re-parsed. */
export const GITHUB_CONNECTOR_VERSION = '0.1.0';

/**
 * The GitHub connector.
 * - `fetch`: `/repos/{owner}/{repo}/issues` (pull requests skipped) and `/issues/comments` (pull
 *   request comments skipped), `state=all`, sorted by update, from the checkpoint minus an overlap;
 *   a run that finds nothing changed costs only 304s.
 * - `parse`: `github.issue`, `github.issue_comment`, `github.discussion`, `github.discussion_comment`.
 * - `webhook`: `X-Hub-Signature-256` (scheme `github`), delivery id from `X-GitHub-Delivery`.
 * - `check`: `GET /repos/{owner}/{repo}`.
 */
export const githubConnector = defineConnector<GithubConfig, GithubCredentials, GithubCheckpoint>({
  name: 'github',
  version: GITHUB_CONNECTOR_VERSION,
  displayName: 'GitHub',
  description: 'Issues, issue comments and discussions of a GitHub repository, pulled incrementally or pushed by webhook.',
  configSchema: GithubConfigSchema,
  credentialsSchema: GithubCredentialsSchema,
  checkpointSchema: GithubCheckpointSchema,
  rateBudget: githubRateBudget,
  check: checkGithub,
  fetch: fetchGithub,
  parse: parseGithubItem,
  webhook: githubWebhook,
});
