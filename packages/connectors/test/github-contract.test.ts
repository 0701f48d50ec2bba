import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { githubConnector, GithubConfigSchema } from '@tributary/connectors/github';
import type { RawItem, WebhookRequest } from '@tributary/core/connector';
import { testConnector } from '@tributary/core/testing';
import { commentAt, fixture, issueAt, minutes, pullRequestAt, pullRequestCommentAt, serveGithub, TOKEN, type Json } from './fixtures/github/factories.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/**
 * 230 issues (every tenth a pull request, so 207 issues) and 150 comments (every fifteenth on a pull
 * request, so 140), a minute apart, so each list takes several pages.
 */
function serveRepository(): void {
  const issueTimes = minutes('2025-02-01T00:00:00Z', 230);
  const commentTimes = minutes('2025-02-02T00:00:00Z', 150);
  serveGithub(
    server,
    {
      issues: issueTimes.map((at, i) => (i % 10 === 9 ? pullRequestAt(i + 1, at) : issueAt(i + 1, at))),
      comments: commentTimes.map((at, i) => (i % 15 === 14 ? pullRequestCommentAt(i + 1, 10, at) : commentAt(i + 1, 1 + (i % 20), at))),
    },
    { token: TOKEN },
  );
}

function webhookRequest(event: string, body: unknown, delivery: string): WebhookRequest {
  return {
    method: 'POST',
    url: 'https://hooks.example.com/github',
    headers: new Headers({ 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery, 'user-agent': 'GitHub-Hookshot/7c4b4d5' }),
    rawBody: new TextEncoder().encode(JSON.stringify(body)),
    receivedAt: Date.now(),
  };
}

const issueEvent = fixture<{ issue: Json }>('webhook_issues_edited.json');
const commentEvent = fixture<{ comment: Json; issue: Json }>('webhook_issue_comment_created.json');
const discussionEvent = fixture<{ discussion: Json }>('webhook_discussion_created.json');
const discussionCommentEvent = fixture<{ comment: Json; discussion: Json }>('webhook_discussion_comment_created.json');

const samples: RawItem[] = [
  { externalId: 'issue:1', itemType: 'github.issue', payload: { issue: fixture('issue.json') } },
  { externalId: 'issue_comment:1081119', itemType: 'github.issue_comment', payload: { comment: fixture('issue_comment.json') } },
  { externalId: 'issue_comment:1081119', itemType: 'github.issue_comment', payload: { comment: commentEvent.comment, issue: commentEvent.issue } },
  { externalId: 'discussion:7300412', itemType: 'github.discussion', payload: { discussion: discussionEvent.discussion } },
  {
    externalId: 'discussion_comment:12578563',
    itemType: 'github.discussion_comment',
    payload: { comment: discussionCommentEvent.comment, discussion: discussionCommentEvent.discussion },
  },
];

testConnector('github', {
  connector: githubConnector,
  config: GithubConfigSchema.parse({ owner: 'octocat', repo: 'Hello-World' }),
  credentials: { token: TOKEN },
  samples,
  fetch: { setup: serveRepository, expectItems: 207 + 140 },
  webhook: {
    requests: () => [
      webhookRequest('issues', issueEvent, '72d3162e-cc78-11e3-81ab-4c9367dc0958'),
      webhookRequest('issue_comment', commentEvent, '9a1c2f10-fa11-11ef-8d2e-1f3c5a7b9d01'),
      webhookRequest('discussion', discussionEvent, 'b2c4e6f8-fa11-11ef-9a0b-2d4f6a8c0e12'),
      webhookRequest('discussion_comment', discussionCommentEvent, 'c3d5f7a9-fa11-11ef-8b1c-3e5a7c9e1f23'),
      webhookRequest('ping', fixture('webhook_ping.json'), 'd4e6a8b0-fa11-11ef-9c2d-4f6b8d0a2b34'),
    ],
    expectItems: 4,
  },
});
