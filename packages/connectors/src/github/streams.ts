import type { RawItem } from '@tributary/core/connector';
import { repoUrl } from './http.js';
import { isPullRequest, isPullRequestComment, issueCommentItem, issueItem, type GithubObject } from './payload.js';
import { GITHUB_PAGE_SIZE, type GithubConfig, type GithubStream } from './schemas.js';

/** One list the connector walks. */
export interface StreamSpec {
  name: GithubStream;
  /** The list's URL for items updated since `since` (everything when null), oldest update first. */
  url(config: Pick<GithubConfig, 'apiUrl' | 'owner' | 'repo'>, since: string | null): string;
  /** The raw item of one list entry, or null when the entry is skipped. */
  toItem(entry: GithubObject): RawItem | null;
}

function query(params: [string, string | null][]): string {
  return new URLSearchParams(params.filter((p): p is [string, string] => p[1] !== null)).toString();
}

/** `GET /repos/{owner}/{repo}/issues?state=all&sort=updated&direction=asc&since=…&per_page=100`, pull requests skipped. */
export const issuesStream: StreamSpec = {
  name: 'issues',
  url: (config, since) =>
    `${repoUrl(config, '/issues')}?${query([
      ['state', 'all'],
      ['sort', 'updated'],
      ['direction', 'asc'],
      ['since', since],
      ['per_page', String(GITHUB_PAGE_SIZE)],
    ])}`,
  toItem: (entry) => (isPullRequest(entry) ? null : issueItem(entry)),
};

/** `GET /repos/{owner}/{repo}/issues/comments?sort=updated&direction=asc&since=…&per_page=100`, pull request comments skipped. */
export const commentsStream: StreamSpec = {
  name: 'comments',
  url: (config, since) =>
    `${repoUrl(config, '/issues/comments')}?${query([
      ['sort', 'updated'],
      ['direction', 'asc'],
      ['since', since],
      ['per_page', String(GITHUB_PAGE_SIZE)],
    ])}`,
  toItem: (entry) => (isPullRequestComment(entry) ? null : issueCommentItem(entry)),
};

/** The streams by name. */
export const STREAMS: Readonly<Record<GithubStream, StreamSpec>> = { issues: issuesStream, comments: commentsStream };
