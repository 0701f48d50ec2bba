import { z } from 'zod';
import type { RawItem } from '@tributary/core/connector';

/** Item types of the GitHub connector. */
export const GITHUB_ITEM_TYPES = {
  issue: 'github.issue',
  issueComment: 'github.issue_comment',
  discussion: 'github.discussion',
  discussionComment: 'github.discussion_comment',
} as const;
export type GithubItemType = (typeof GITHUB_ITEM_TYPES)[keyof typeof GITHUB_ITEM_TYPES];

// Issues and comments are separate id spaces at GitHub: a prefix keeps an issue and a comment that
// happen to share a number from becoming one record.
const PREFIX: Record<GithubItemType, string> = {
  'github.issue': 'issue',
  'github.issue_comment': 'issue_comment',
  'github.discussion': 'discussion',
  'github.discussion_comment': 'discussion_comment',
};

/** The external id of an item: `issue:<id>`, `issue_comment:<id>`, `discussion:<id>`, `discussion_comment:<id>`. */
export function externalIdOf(itemType: GithubItemType, id: number): string {
  return `${PREFIX[itemType]}:${id}`;
}

/**
 * The least an object from GitHub must carry to become an item: its numeric id. Everything else is
 * read leniently by `parse`, so one odd object fails its own item rather than the whole sync.
 */
export const GithubObjectSchema = z.looseObject({ id: z.number().int().positive() });
export type GithubObject = z.output<typeof GithubObjectSchema>;

/**
 * Payloads of the raw items: the object verbatim under its name, plus the issue or discussion a
 * comment belongs to when the source sent it (webhooks do, the comments list does not).
 */
export type GithubIssuePayload = { issue: GithubObject };
export type GithubIssueCommentPayload = { comment: GithubObject; issue?: GithubObject };
export type GithubDiscussionPayload = { discussion: GithubObject };
export type GithubDiscussionCommentPayload = { comment: GithubObject; discussion?: GithubObject };

/** The raw item of an issue (from the issues list or an `issues` webhook). */
export function issueItem(issue: GithubObject): RawItem {
  return { externalId: externalIdOf(GITHUB_ITEM_TYPES.issue, issue.id), itemType: GITHUB_ITEM_TYPES.issue, payload: { issue } satisfies GithubIssuePayload };
}

/** The raw item of an issue comment, with its issue when a webhook sent it. */
export function issueCommentItem(comment: GithubObject, issue?: GithubObject): RawItem {
  const payload: GithubIssueCommentPayload = issue ? { comment, issue } : { comment };
  return { externalId: externalIdOf(GITHUB_ITEM_TYPES.issueComment, comment.id), itemType: GITHUB_ITEM_TYPES.issueComment, payload };
}

/** The raw item of a discussion (webhooks only: the REST API does not list discussions). */
export function discussionItem(discussion: GithubObject): RawItem {
  return {
    externalId: externalIdOf(GITHUB_ITEM_TYPES.discussion, discussion.id),
    itemType: GITHUB_ITEM_TYPES.discussion,
    payload: { discussion } satisfies GithubDiscussionPayload,
  };
}

/** The raw item of a discussion comment, with its discussion. */
export function discussionCommentItem(comment: GithubObject, discussion?: GithubObject): RawItem {
  const payload: GithubDiscussionCommentPayload = discussion ? { comment, discussion } : { comment };
  return { externalId: externalIdOf(GITHUB_ITEM_TYPES.discussionComment, comment.id), itemType: GITHUB_ITEM_TYPES.discussionComment, payload };
}

/** True for an entry of the issues list that is a pull request (GitHub lists both, marking PRs). */
export function isPullRequest(issue: Record<string, unknown>): boolean {
  return issue.pull_request !== undefined && issue.pull_request !== null;
}

/**
 * True for a comment on a pull request's conversation. The repository's issue comments include
 * them; only their `html_url` (`…/pull/<n>#issuecomment-…`) tells them apart without a request.
 */
export function isPullRequestComment(comment: Record<string, unknown>): boolean {
  return typeof comment.html_url === 'string' && /\/pull\/\d+#/.test(comment.html_url);
}
