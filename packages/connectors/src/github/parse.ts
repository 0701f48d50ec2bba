import { z } from 'zod';
import type { ParseContext, RawItem } from '@tributary/core/connector';
import { createError, fromZodError } from '@tributary/core/errors';
import type { RecordDraft } from '@tributary/core/record';
import { discussionCommentDraft, discussionDraft, issueCommentDraft, issueDraft, type DraftContext } from './drafts.js';
import { COMPONENT } from './errors.js';
import { repositoryName } from './http.js';
import { GithubDiscussionCommentSchema, GithubDiscussionSchema, GithubIssueCommentSchema, GithubIssueSchema, GithubParentSchema } from './objects.js';
import { GITHUB_ITEM_TYPES } from './payload.js';
import type { GithubConfig } from './schemas.js';

const IssuePayloadSchema = z.object({ issue: GithubIssueSchema });
const IssueCommentPayloadSchema = z.object({ comment: GithubIssueCommentSchema, issue: GithubParentSchema.optional() });
const DiscussionPayloadSchema = z.object({ discussion: GithubDiscussionSchema });
const DiscussionCommentPayloadSchema = z.object({ comment: GithubDiscussionCommentSchema, discussion: GithubParentSchema.optional() });

/** Parses a payload or throws a `validation` error naming the offending field (e.g. `issue.created_at`). */
function read<T>(schema: z.ZodType<T>, payload: unknown, what: string): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw fromZodError(COMPONENT, what, parsed.error);
  return parsed.data;
}

/**
 * Turns a GitHub raw item into one record draft: `github.issue`, `github.issue_comment`,
 * `github.discussion` or `github.discussion_comment`. Pure: the payload carries everything.
 * @throws TributaryError `validation` for an unknown item type or a payload missing what a record needs
 */
export function parseGithubItem(item: RawItem, context: Pick<ParseContext<Pick<GithubConfig, 'owner' | 'repo'>>, 'config'>): RecordDraft[] {
  const ctx: DraftContext = { repository: repositoryName(context.config) };
  switch (item.itemType) {
    case GITHUB_ITEM_TYPES.issue:
      return [issueDraft(read(IssuePayloadSchema, item.payload, 'GitHub issue').issue, ctx)];
    case GITHUB_ITEM_TYPES.issueComment: {
      const { comment, issue } = read(IssueCommentPayloadSchema, item.payload, 'GitHub issue comment');
      return [issueCommentDraft(comment, issue, ctx)];
    }
    case GITHUB_ITEM_TYPES.discussion:
      return [discussionDraft(read(DiscussionPayloadSchema, item.payload, 'GitHub discussion').discussion, ctx)];
    case GITHUB_ITEM_TYPES.discussionComment: {
      const { comment, discussion } = read(DiscussionCommentPayloadSchema, item.payload, 'GitHub discussion comment');
      return [discussionCommentDraft(comment, discussion, ctx)];
    }
    default: {
      const expected = Object.values(GITHUB_ITEM_TYPES).join('", "');
      throw createError(COMPONENT, 'validation', `invalid GitHub item (itemType: expected one of "${expected}", got "${item.itemType}")`, {
        issues: [{ path: 'itemType', message: `expected one of "${expected}"` }],
      });
    }
  }
}
