import type { Author, RecordDraft } from '@tributary/core/record';
import type { GithubDiscussion, GithubDiscussionComment, GithubIssue, GithubIssueComment, GithubParent, GithubUser } from './objects.js';
import { externalIdOf, GITHUB_ITEM_TYPES } from './payload.js';

/** Where a record's repository name comes from when its URL does not say. */
export interface DraftContext {
  /** `owner/repo` of the source. */
  repository: string;
}

/**
 * An issue → `github.issue`. Title and body are the content (the title stands in as text when the
 * body is empty, so analyzers always have something); labels are the tags. State, counters and
 * reactions go to metadata, which is left out of the content hash: closing an issue or reacting to
 * it is not an edit and must not create a new revision.
 */
export function issueDraft(issue: GithubIssue, ctx: DraftContext): RecordDraft {
  const i = issue as Record<string, unknown>;
  return {
    externalId: externalIdOf(GITHUB_ITEM_TYPES.issue, issue.id),
    itemType: GITHUB_ITEM_TYPES.issue,
    occurredAt: issue.created_at,
    ...(issue.updated_at ? { sourceUpdatedAt: issue.updated_at } : {}),
    author: authorOf(issue.user),
    content: { title: issue.title, text: issue.body?.trim() || issue.title, html: null, url: issue.html_url },
    tags: labelNames(issue.labels),
    attributes: {
      conversation: { repository: repositoryOf(issue.html_url, ctx), issue_number: issue.number },
      review: {},
      metadata: {
        state: str(i.state) ?? null,
        state_reason: str(i.state_reason) ?? null,
        comments: num(i.comments) ?? null,
        locked: typeof i.locked === 'boolean' ? i.locked : null,
        closed_at: str(i.closed_at) ?? null,
        milestone: str(obj(i.milestone)?.title) ?? null,
        assignees: Array.isArray(i.assignees) ? i.assignees.map((a) => str(obj(a)?.login)).filter((login): login is string => !!login) : [],
        issue_type: str(obj(i.type)?.name) ?? null,
        ...common(i, issue.user),
      },
    },
  };
}

/**
 * An issue comment → `github.issue_comment`, the issue's number in the conversation attributes. It
 * has no title of its own: the comments list does not carry the issue's, and a pushed comment must
 * hash like the pulled one, so the issue's title (when a webhook sent it) goes to metadata.
 */
export function issueCommentDraft(comment: GithubIssueComment, issue: GithubParent | undefined, ctx: DraftContext): RecordDraft {
  const c = comment as Record<string, unknown>;
  return {
    externalId: externalIdOf(GITHUB_ITEM_TYPES.issueComment, comment.id),
    itemType: GITHUB_ITEM_TYPES.issueComment,
    occurredAt: comment.created_at,
    ...(comment.updated_at ? { sourceUpdatedAt: comment.updated_at } : {}),
    author: authorOf(comment.user),
    content: { title: null, text: comment.body?.trim() ?? '', html: null, url: comment.html_url },
    attributes: {
      conversation: {
        repository: repositoryOf(comment.html_url, ctx),
        issue_number: numberFrom(comment.issue_url, /\/issues\/(\d+)$/) ?? numberFrom(comment.html_url, /\/issues\/(\d+)#/) ?? issue?.number ?? null,
      },
      review: {},
      metadata: { issue_title: issue?.title ?? null, issue_state: issue?.state ?? null, ...common(c, comment.user) },
    },
  };
}

/** A discussion → `github.discussion` (webhooks only), its category in the conversation attributes. */
export function discussionDraft(discussion: GithubDiscussion, ctx: DraftContext): RecordDraft {
  const d = discussion as Record<string, unknown>;
  return {
    externalId: externalIdOf(GITHUB_ITEM_TYPES.discussion, discussion.id),
    itemType: GITHUB_ITEM_TYPES.discussion,
    occurredAt: discussion.created_at,
    ...(discussion.updated_at ? { sourceUpdatedAt: discussion.updated_at } : {}),
    author: authorOf(discussion.user),
    content: { title: discussion.title, text: discussion.body?.trim() || discussion.title, html: null, url: discussion.html_url },
    tags: labelNames(discussion.labels),
    attributes: {
      conversation: { repository: repositoryOf(discussion.html_url, ctx), discussion_number: discussion.number, category: discussion.category?.slug ?? null },
      review: {},
      metadata: {
        state: str(d.state) ?? null,
        state_reason: str(d.state_reason) ?? null,
        comments: num(d.comments) ?? null,
        locked: typeof d.locked === 'boolean' ? d.locked : null,
        category_name: discussion.category?.name ?? null,
        answer_chosen_at: str(d.answer_chosen_at) ?? null,
        ...common(d, discussion.user),
      },
    },
  };
}

/** A discussion comment → `github.discussion_comment`; `parent_id` marks a reply in a thread. */
export function discussionCommentDraft(comment: GithubDiscussionComment, discussion: GithubParent | undefined, ctx: DraftContext): RecordDraft {
  const c = comment as Record<string, unknown>;
  return {
    externalId: externalIdOf(GITHUB_ITEM_TYPES.discussionComment, comment.id),
    itemType: GITHUB_ITEM_TYPES.discussionComment,
    occurredAt: comment.created_at,
    ...(comment.updated_at ? { sourceUpdatedAt: comment.updated_at } : {}),
    author: authorOf(comment.user),
    content: { title: null, text: comment.body?.trim() ?? '', html: null, url: comment.html_url },
    attributes: {
      conversation: {
        repository: repositoryOf(comment.html_url, ctx),
        discussion_number: numberFrom(comment.html_url, /\/discussions\/(\d+)#/) ?? discussion?.number ?? null,
        parent_id: comment.parent_id ?? null,
      },
      review: {},
      metadata: { discussion_title: discussion?.title ?? null, child_comment_count: num(c.child_comment_count) ?? null, ...common(c, comment.user) },
    },
  };
}

/** The author as seed 001 lays it out: GitHub's numeric user id kept as a number, login as username. */
function authorOf(user: GithubUser): Author {
  if (!user) return { platformUserId: null, username: null, name: null, avatarUrl: null, profileUrl: null };
  return { platformUserId: user.id, username: user.login, name: null, avatarUrl: user.avatar_url ?? null, profileUrl: user.html_url ?? null };
}

/** Metadata every item type shares. */
function common(source: Record<string, unknown>, user: GithubUser): Record<string, unknown> {
  return {
    author_association: str(source.author_association) ?? null,
    author_type: user?.type ?? null,
    reactions: reactionsOf(source.reactions),
    node_id: str(source.node_id) ?? null,
  };
}

/** Reaction counts without the API URL, or null when the payload has none. */
function reactionsOf(value: unknown): Record<string, number> | null {
  const reactions = obj(value);
  if (!reactions) return null;
  const counts: Record<string, number> = {};
  for (const [name, count] of Object.entries(reactions)) if (typeof count === 'number') counts[name] = count;
  return counts;
}

function labelNames(labels: GithubIssue['labels']): string[] {
  return (labels ?? []).map((label) => (typeof label === 'string' ? label : label.name)).filter((name) => name.length > 0);
}

/** `owner/repo` from an html URL (`https://github.com/owner/repo/issues/1`), else the source's. */
function repositoryOf(htmlUrl: string, ctx: DraftContext): string {
  try {
    const [, owner, repo] = new URL(htmlUrl).pathname.split('/');
    return owner && repo ? `${owner}/${repo}` : ctx.repository;
  } catch {
    return ctx.repository;
  }
}

function numberFrom(value: string | undefined, pattern: RegExp): number | undefined {
  const match = value === undefined ? null : pattern.exec(value);
  return match ? Number(match[1]) : undefined;
}

function obj(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
