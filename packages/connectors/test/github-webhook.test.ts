import { describe, expect, it } from 'vitest';
import { githubConnector, GithubConfigSchema } from '@tributary/connectors/github';
import type { WebhookRequest } from '@tributary/core/connector';
import { isTributaryError } from '@tributary/core/errors';
import { githubScheme, signGithub } from '@tributary/core/webhooks';
import { fixture, type Json } from './fixtures/github/factories.js';

const webhook = githubConnector.webhook!;
const context = { workspaceId: 'ws_1', sourceId: 'src_github', config: GithubConfigSchema.parse({ owner: 'octocat', repo: 'Hello-World' }) };
const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

function request(event: string | undefined, body: unknown, headers: Record<string, string> = {}): WebhookRequest {
  const h = new Headers({ 'content-type': 'application/json', 'x-github-delivery': DELIVERY, 'x-github-hook-id': '109948940', ...headers });
  if (event) h.set('x-github-event', event);
  return { method: 'POST', url: 'https://hooks.example.com/github', headers: h, rawBody: new TextEncoder().encode(JSON.stringify(body)), receivedAt: Date.now() };
}

const parse = (event: string | undefined, body: unknown) => webhook.parse(request(event, body), body, context);
const issueEvent = fixture<Json & { issue: Json }>('webhook_issues_edited.json');
const commentEvent = fixture<Json & { comment: Json; issue: Json }>('webhook_issue_comment_created.json');
const discussionEvent = fixture<Json & { discussion: Json }>('webhook_discussion_created.json');
const discussionCommentEvent = fixture<Json & { comment: Json; discussion: Json }>('webhook_discussion_comment_created.json');

describe('github webhook', () => {
  it('declares the github signature scheme, which verifies X-Hub-Signature-256 over the raw body', () => {
    expect(webhook.signatureScheme).toBe('github');
    const body = JSON.stringify(issueEvent);
    const signed = request('issues', issueEvent, signGithub(body, 'hook-secret'));
    expect(githubScheme.verify(signed, 'hook-secret', Date.now())).toEqual({ ok: true });
    expect(githubScheme.verify(signed, 'other-secret', Date.now())).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('takes the delivery id from X-GitHub-Delivery', () => {
    expect(webhook.deliveryId!(request('issues', issueEvent))).toBe(DELIVERY);
    const without = request('issues', issueEvent);
    without.headers.delete('x-github-delivery');
    expect(webhook.deliveryId!(without)).toBeUndefined();
  });

  it.each(['opened', 'edited', 'closed', 'reopened', 'labeled', 'transferred'])('turns issues.%s into a github.issue item', async (action) => {
    const result = await parse('issues', { ...issueEvent, action });
    expect(result.items).toEqual([{ externalId: 'issue:1', itemType: 'github.issue', payload: { issue: issueEvent.issue } }]);
    expect(result.triggerFetch).toBeUndefined();
  });

  it.each(['created', 'edited'])('turns issue_comment.%s into a github.issue_comment item carrying the issue', async (action) => {
    const result = await parse('issue_comment', { ...commentEvent, action });
    expect(result.items).toEqual([{ externalId: 'issue_comment:1081119', itemType: 'github.issue_comment', payload: { comment: commentEvent.comment, issue: commentEvent.issue } }]);
  });

  it('turns discussion and discussion_comment events into items', async () => {
    expect((await parse('discussion', discussionEvent)).items).toEqual([{ externalId: 'discussion:7300412', itemType: 'github.discussion', payload: { discussion: discussionEvent.discussion } }]);
    expect((await parse('discussion', { ...discussionEvent, action: 'answered' })).items).toHaveLength(1);
    expect((await parse('discussion_comment', discussionCommentEvent)).items).toEqual([
      {
        externalId: 'discussion_comment:12578563',
        itemType: 'github.discussion_comment',
        payload: { comment: discussionCommentEvent.comment, discussion: discussionCommentEvent.discussion },
      },
    ]);
  });

  it('makes items that parse into records', async () => {
    for (const [event, body] of [
      ['issues', issueEvent],
      ['issue_comment', commentEvent],
      ['discussion', discussionEvent],
      ['discussion_comment', discussionCommentEvent],
    ] as const) {
      const [item] = (await parse(event, body)).items;
      const drafts = await githubConnector.parse!(item!, context);
      expect(drafts, event).toHaveLength(1);
    }
  });

  it('yields nothing for ping', async () => {
    expect(await parse('ping', fixture('webhook_ping.json'))).toEqual({ items: [] });
  });

  it('yields nothing for deleted actions: deletes are not modelled', async () => {
    for (const [event, body] of [
      ['issues', issueEvent],
      ['issue_comment', commentEvent],
      ['discussion', discussionEvent],
      ['discussion_comment', discussionCommentEvent],
    ] as const) {
      expect(await parse(event, { ...body, action: 'deleted' }), event).toEqual({ items: [] });
    }
  });

  it('yields nothing for pull requests and comments on them', async () => {
    const pr = fixture('pull_request_issue.json');
    expect((await parse('issues', { ...issueEvent, issue: pr })).items).toEqual([]);
    expect((await parse('issue_comment', { ...commentEvent, issue: pr, comment: fixture('pull_request_comment.json') })).items).toEqual([]);
  });

  it('yields nothing for another repository (an organization webhook sends them all) and matches names case-insensitively', async () => {
    const other = { ...issueEvent, repository: { ...(issueEvent.repository as Json), full_name: 'octocat/Spoon-Knife' } };
    expect((await parse('issues', other)).items).toEqual([]);
    const shouting = { ...issueEvent, repository: { ...(issueEvent.repository as Json), full_name: 'OctoCat/hello-world' } };
    expect((await parse('issues', shouting)).items).toHaveLength(1);
  });

  it('yields nothing for other events or a missing event header', async () => {
    expect((await parse('push', { ref: 'refs/heads/main' })).items).toEqual([]);
    expect((await parse(undefined, issueEvent)).items).toEqual([]);
  });

  it('reads a form-encoded delivery (payload=<json>)', async () => {
    const result = await webhook.parse(request('issues', {}, { 'content-type': 'application/x-www-form-urlencoded' }), { payload: JSON.stringify(issueEvent) }, context);
    expect(result.items.map((item) => item.externalId)).toEqual(['issue:1']);
  });

  it('rejects a malformed body of a handled event with a validation error naming the field', async () => {
    const error = await (async () => parse('issues', { action: 'opened', issue: { title: 'no id' } }))().catch((e: unknown) => e);
    expect(isTributaryError(error, 'validation')).toBe(true);
    expect((error as Error).message).toContain('issue.id');
    const notObject = await (async () => parse('issues', 'hello'))().catch((e: unknown) => e);
    expect(isTributaryError(notObject, 'validation')).toBe(true);
  });
});
