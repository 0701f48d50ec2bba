import { describe, expect, it } from 'vitest';
import { githubConnector, GithubConfigSchema } from '@tributary/connectors/github';
import type { RawItem } from '@tributary/core/connector';
import { isTributaryError } from '@tributary/core/errors';
import { buildRecord, type RecordDraft } from '@tributary/core/record';
import { fixture, type Json } from './fixtures/github/factories.js';

const context = { workspaceId: 'ws_1', sourceId: 'src_github', config: GithubConfigSchema.parse({ owner: 'octocat', repo: 'Hello-World' }) };
const origin = { workspaceId: 'ws_1', sourceId: 'src_github', connector: { name: 'github', version: githubConnector.version } };

async function parse(itemType: string, payload: unknown): Promise<RecordDraft> {
  const drafts = await githubConnector.parse!({ externalId: 'x', itemType, payload }, context);
  expect(drafts).toHaveLength(1);
  return drafts[0]!;
}

const hash = async (item: RawItem) => buildRecord(((await githubConnector.parse!(item, context)) as RecordDraft[])[0]!, origin).contentHash;

describe('github parse', () => {
  it('turns an issue into a github.issue record: title and body, author, labels as tags, state in metadata', async () => {
    const draft = await parse('github.issue', { issue: fixture('issue.json') });
    expect(draft).toMatchObject({
      externalId: 'issue:1',
      itemType: 'github.issue',
      occurredAt: '2025-03-02T09:14:27Z',
      sourceUpdatedAt: '2025-03-04T16:40:03Z',
      author: { platformUserId: 2134562, username: 'monalisa', name: null, avatarUrl: 'https://avatars.githubusercontent.com/u/2134562?v=4', profileUrl: 'https://github.com/monalisa' },
      content: { title: 'Export to CSV drops non-ASCII characters', html: null, url: 'https://github.com/octocat/Hello-World/issues/1347' },
      tags: ['bug', 'ux'],
      attributes: {
        conversation: { repository: 'octocat/Hello-World', issue_number: 1347 },
        review: {},
        metadata: {
          state: 'closed',
          state_reason: 'completed',
          comments: 2,
          locked: false,
          closed_at: '2025-03-04T16:40:02Z',
          milestone: 'v1.0',
          assignees: ['octocat'],
          author_association: 'CONTRIBUTOR',
          author_type: 'User',
          reactions: { total_count: 6, '+1': 5, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 1, rocket: 0, eyes: 0 },
        },
      },
    });
    expect(draft.content!.text).toMatch(/^When I export the feedback table, names like "Zoë"/);
  });

  it('uses the title as text when an issue has no body', async () => {
    const draft = await parse('github.issue', { issue: { ...fixture('issue.json'), body: null } });
    expect(draft.content!.text).toBe('Export to CSV drops non-ASCII characters');
  });

  it('turns a comment into a github.issue_comment record with the issue number in the conversation', async () => {
    const draft = await parse('github.issue_comment', { comment: fixture('issue_comment.json') });
    expect(draft).toMatchObject({
      externalId: 'issue_comment:1081119',
      itemType: 'github.issue_comment',
      occurredAt: '2025-03-03T11:20:45Z',
      sourceUpdatedAt: '2025-03-03T11:22:10Z',
      author: { platformUserId: 583231, username: 'octocat' },
      content: { title: null, text: "Thanks for the report! I can reproduce it on Windows. We'll switch the exporter to UTF-8 with a BOM.", url: 'https://github.com/octocat/Hello-World/issues/1347#issuecomment-1081119' },
      attributes: { conversation: { repository: 'octocat/Hello-World', issue_number: 1347 }, metadata: { author_association: 'OWNER', issue_title: null } },
    });
  });

  it('keeps the issue title of a pushed comment in metadata', async () => {
    const event = fixture<{ comment: Json; issue: Json }>('webhook_issue_comment_created.json');
    const draft = await parse('github.issue_comment', { comment: event.comment, issue: event.issue });
    expect(draft.attributes!.metadata).toMatchObject({ issue_title: 'Export to CSV drops non-ASCII characters', issue_state: 'closed' });
  });

  it('turns a discussion into a github.discussion record with its category', async () => {
    const { discussion } = fixture<{ discussion: Json }>('webhook_discussion_created.json');
    const draft = await parse('github.discussion', { discussion });
    expect(draft).toMatchObject({
      externalId: 'discussion:7300412',
      itemType: 'github.discussion',
      content: { title: 'Can the weekly report be sent as PDF?', url: 'https://github.com/octocat/Hello-World/discussions/1402' },
      tags: [],
      attributes: {
        conversation: { repository: 'octocat/Hello-World', discussion_number: 1402, category: 'q-a' },
        metadata: { state: 'open', category_name: 'Q&A', comments: 0, answer_chosen_at: null },
      },
    });
  });

  it('turns a discussion comment into a github.discussion_comment record with its discussion and parent', async () => {
    const event = fixture<{ comment: Json; discussion: Json }>('webhook_discussion_comment_created.json');
    const draft = await parse('github.discussion_comment', { comment: event.comment, discussion: event.discussion });
    expect(draft).toMatchObject({
      externalId: 'discussion_comment:12578563',
      itemType: 'github.discussion_comment',
      author: { username: 'octocat' },
      content: { title: null, text: "Good idea. PDF export is on the roadmap for v1.1; I'll link the tracking issue here." },
      attributes: { conversation: { discussion_number: 1402, parent_id: null }, metadata: { discussion_title: 'Can the weekly report be sent as PDF?' } },
    });
    const reply = await parse('github.discussion_comment', { comment: { ...event.comment, id: 12578600, parent_id: 12578563 } });
    expect(reply.attributes!.conversation).toMatchObject({ discussion_number: 1402, parent_id: 12578563 });
  });

  it('makes the same record from a pushed issue or comment as from a pulled one', async () => {
    const issueEvent = fixture<{ issue: Json }>('webhook_issues_edited.json');
    expect(await hash({ externalId: 'issue:1', itemType: 'github.issue', payload: { issue: issueEvent.issue } })).toBe(
      await hash({ externalId: 'issue:1', itemType: 'github.issue', payload: { issue: fixture('issue.json') } }),
    );
    const commentEvent = fixture<{ comment: Json; issue: Json }>('webhook_issue_comment_created.json');
    expect(await hash({ externalId: 'c', itemType: 'github.issue_comment', payload: { comment: commentEvent.comment, issue: commentEvent.issue } })).toBe(
      await hash({ externalId: 'c', itemType: 'github.issue_comment', payload: { comment: fixture('issue_comment.json') } }),
    );
  });

  it('does not make a new revision for reactions, state or comment counts, but does for an edit or a label', async () => {
    const issue = fixture('issue.json');
    const item = (patch: Json): RawItem => ({ externalId: 'i', itemType: 'github.issue', payload: { issue: { ...issue, ...patch } } });
    const original = await hash(item({}));
    expect(await hash(item({ state: 'open', comments: 9, reactions: { total_count: 40, '+1': 40 } }))).toBe(original);
    expect(await hash(item({ body: 'Edited body' }))).not.toBe(original);
    expect(await hash(item({ labels: [{ name: 'bug' }] }))).not.toBe(original);
  });

  it('rejects unknown item types and payloads missing what a record needs, naming the field', async () => {
    const unknown = await (async () => githubConnector.parse!({ externalId: 'x', itemType: 'github.pull_request', payload: {} }, context))().catch((e: unknown) => e);
    expect(isTributaryError(unknown, 'validation')).toBe(true);
    const { created_at: _dropped, ...withoutDate } = fixture('issue.json');
    const missing = await (async () => githubConnector.parse!({ externalId: 'x', itemType: 'github.issue', payload: { issue: withoutDate } }, context))().catch((e: unknown) => e);
    expect(isTributaryError(missing, 'validation')).toBe(true);
    expect((missing as Error).message).toContain('issue.created_at');
  });

  it('copes with a deleted author (user null)', async () => {
    const draft = await parse('github.issue_comment', { comment: { ...fixture('issue_comment.json'), user: null } });
    expect(draft.author).toEqual({ platformUserId: null, username: null, name: null, avatarUrl: null, profileUrl: null });
  });
});
