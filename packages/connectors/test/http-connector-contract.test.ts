// The declarative HTTP connector through the connector contract, once per pagination style, each
// against a simulated provider whose payloads follow the provider's documented shapes.
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { httpConnector, HttpConfigSchema, type HttpConfigInput } from '@tributary/connectors/http';
import type { RawItem } from '@tributary/core/connector';
import { testConnector } from '@tributary/core/testing';
import { appStoreReview, githubIssue, hourly, jiraIssue, judgeMeReview, slackMessage } from './fixtures/http/factories.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const config = (input: HttpConfigInput) => HttpConfigSchema.parse(input);
const unauthorized = () => HttpResponse.json({ message: 'Bad credentials' }, { status: 401 });

// GitHub: an array body, Link pagination, `since` on updated_at.
const GITHUB = 'https://api.github.com/repos/octocat/Hello-World/issues';
const githubIssues = hourly('2024-03-01T08:00:00Z', 8).map((t, i) => githubIssue(i + 1, t));
function serveGithub(): void {
  server.use(
    http.get(GITHUB, ({ request }) => {
      if (request.headers.get('authorization') !== 'Bearer ghp_kit') return unauthorized();
      const url = new URL(request.url);
      const since = url.searchParams.get('since');
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const matching = githubIssues.filter((issue) => !since || Date.parse(issue.updated_at as string) >= Date.parse(since));
      const headers: Record<string, string> = {};
      if (page * perPage < matching.length) {
        const next = new URL(url);
        next.searchParams.set('page', String(page + 1));
        const last = new URL(url);
        last.searchParams.set('page', String(Math.ceil(matching.length / perPage)));
        headers.Link = `<${next}>; rel="next", <${last}>; rel="last"`;
      }
      return HttpResponse.json(matching.slice((page - 1) * perPage, page * perPage), { headers });
    }),
  );
}

const githubConfig = config({
  url: `${GITHUB}?state=all&sort=updated&direction=asc&per_page=3&since={{since}}`,
  headers: { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' },
  auth: { type: 'bearer' },
  pagination: { style: 'link' },
  itemType: 'github.issue',
  checkpointPath: 'updated_at',
  mapping: {
    text: 'body',
    title: 'title',
    url: 'html_url',
    occurredAt: 'created_at',
    updatedAt: 'updated_at',
    author: { username: 'user.login', platformUserId: 'user.id', avatarUrl: 'user.avatar_url', profileUrl: 'user.html_url' },
    tags: 'labels.*.name',
    attributes: { conversation: { number: 'number', comments: 'comments' }, metadata: { state: 'state', association: 'author_association' } },
  },
});

testConnector('http (GitHub issues: Link header, since)', {
  connector: httpConnector,
  config: githubConfig,
  credentials: { token: 'ghp_kit' },
  samples: githubIssues.slice(0, 3).map((payload): RawItem => ({ externalId: String(payload.id), itemType: 'github.issue', payload })),
  fetch: { setup: serveGithub, expectItems: 8 },
});

// Slack: newest first, a cursor in response_metadata, `oldest` as the incremental filter.
const SLACK = 'https://slack.com/api/conversations.history';
const slackMessages = ['Is the export broken for anyone else?', 'Works for me on Chrome.', 'Fails on Safari 17 here :(', 'Thanks, we are on it.', 'Fixed in 2.3.1!']
  .map((text, i) => slackMessage(`${1_712_000_000 + i * 600}.00${i}200`, text, i === 3 ? 'U0SUPPORT' : 'U012AB3CDE'))
  .reverse();
function serveSlack(): void {
  server.use(
    http.get(SLACK, ({ request }) => {
      if (request.headers.get('authorization') !== 'Bearer xoxb-kit') return HttpResponse.json({ ok: false, error: 'invalid_auth' });
      const url = new URL(request.url);
      const oldest = Number(url.searchParams.get('oldest') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const start = Number(Buffer.from(url.searchParams.get('cursor') ?? '', 'base64').toString() || 0);
      const matching = slackMessages.filter((m) => Number(m.ts) > oldest);
      const next = start + limit < matching.length ? Buffer.from(String(start + limit)).toString('base64') : '';
      return HttpResponse.json({ ok: true, messages: matching.slice(start, start + limit), has_more: next !== '', pin_count: 0, response_metadata: { next_cursor: next } });
    }),
  );
}

testConnector('http (Slack history: cursor, oldest)', {
  connector: httpConnector,
  config: config({
    url: `${SLACK}?channel=C123ABC456&limit=2&oldest={{checkpoint}}`,
    auth: { type: 'bearer' },
    pagination: { style: 'cursor', cursorPath: 'response_metadata.next_cursor', param: 'cursor' },
    itemsPath: 'messages',
    idPath: 'ts',
    itemType: 'slack.message',
    checkpointPath: 'ts',
    mapping: { text: 'text', occurredAt: 'ts', author: { platformUserId: 'user' } },
  }),
  credentials: { token: 'xoxb-kit' },
  samples: slackMessages.slice(0, 2).map((payload): RawItem => ({ externalId: payload.ts as string, itemType: 'slack.message', payload })),
  fetch: { setup: serveSlack, expectItems: 5 },
});

// Jira: offset pagination (startAt / maxResults) with a total, basic auth with an API token.
const JIRA = 'https://your-domain.atlassian.net/rest/api/3/search';
const jiraIssues = hourly('2024-01-05T10:00:00Z', 5).map((t, i) => jiraIssue(i + 1, t.replace('Z', '.000+0000')));
function serveJira(): void {
  server.use(
    http.get(JIRA, ({ request }) => {
      if (request.headers.get('authorization') !== `Basic ${Buffer.from('mia@example.com:api-token').toString('base64')}`) return unauthorized();
      const url = new URL(request.url);
      const startAt = Number(url.searchParams.get('startAt') ?? 0);
      const maxResults = Number(url.searchParams.get('maxResults') ?? 50);
      return HttpResponse.json({ expand: 'names,schema', startAt, maxResults, total: jiraIssues.length, issues: jiraIssues.slice(startAt, startAt + maxResults) });
    }),
  );
}

testConnector('http (Jira search: offset with total, basic auth)', {
  connector: httpConnector,
  config: config({
    url: `${JIRA}?jql=${encodeURIComponent('project = ED ORDER BY created ASC')}`,
    auth: { type: 'basic' },
    pagination: { style: 'offset', offsetParam: 'startAt', limitParam: 'maxResults', limit: 2, totalPath: 'total' },
    itemsPath: 'issues',
    idPath: 'key',
    itemType: 'jira.issue',
    mapping: {
      title: 'fields.summary',
      text: 'fields.description',
      occurredAt: 'fields.created',
      updatedAt: 'fields.updated',
      tags: 'fields.labels',
      author: { platformUserId: 'fields.reporter.accountId', name: 'fields.reporter.displayName', email: 'fields.reporter.emailAddress' },
      attributes: { metadata: { priority: 'fields.priority.name', status: 'fields.status.name' } },
    },
  }),
  credentials: { username: 'mia@example.com', password: 'api-token' },
  samples: jiraIssues.slice(0, 2).map((payload): RawItem => ({ externalId: payload.key as string, itemType: 'jira.issue', payload })),
  fetch: { setup: serveJira, expectItems: 5 },
});

// App Store Connect: JSON:API, the next page's URL in links.next.
const APP_STORE = 'https://api.appstoreconnect.apple.com/v1/apps/1234567890/customerReviews';
const reviews = hourly('2024-02-01T16:30:00Z', 5).map((t, i) => appStoreReview(`00000026-b5c0-4a04-a4a5-00000000000${i}`, (i % 5) + 1, t.replace('Z', '-08:00')));
function serveAppStore(): void {
  server.use(
    http.get(APP_STORE, ({ request }) => {
      if (request.headers.get('authorization') !== 'Bearer asc-jwt') return unauthorized();
      const url = new URL(request.url);
      const start = Number(url.searchParams.get('cursor') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const next = start + limit < reviews.length ? `${APP_STORE}?limit=${limit}&cursor=${start + limit}` : undefined;
      return HttpResponse.json({ data: reviews.slice(start, start + limit), links: { self: request.url, ...(next ? { next } : {}) }, meta: { paging: { total: reviews.length, limit } } });
    }),
  );
}

testConnector('http (App Store reviews: JSON:API links.next)', {
  connector: httpConnector,
  config: config({
    url: `${APP_STORE}?limit=2`,
    auth: { type: 'bearer' },
    pagination: { style: 'cursor', nextUrlPath: 'links.next' },
    itemsPath: 'data',
    itemType: 'appstore.review',
    mapping: {
      title: 'attributes.title',
      text: 'attributes.body',
      occurredAt: 'attributes.createdDate',
      author: { username: 'attributes.reviewerNickname' },
      attributes: { review: { rating: 'attributes.rating' }, metadata: { territory: 'attributes.territory' } },
    },
  }),
  credentials: { token: 'asc-jwt' },
  samples: reviews.slice(0, 2).map((payload): RawItem => ({ externalId: payload.id as string, itemType: 'appstore.review', payload })),
  fetch: { setup: serveAppStore, expectItems: 5 },
});

// Judge.me: page numbers with a page size, the API token in the query string.
const JUDGE_ME = 'https://judge.me/api/v1/reviews';
const judgeMe = hourly('2023-08-11T14:48:20Z', 7).map((t, i) => judgeMeReview(4_000 + i, t.replace('Z', '.000-04:00')));
function serveJudgeMe(): void {
  server.use(
    http.get(JUDGE_ME, ({ request }) => {
      const url = new URL(request.url);
      if (url.searchParams.get('api_token') !== 'jm-kit') return unauthorized();
      const page = Number(url.searchParams.get('page') ?? 1);
      const perPage = Number(url.searchParams.get('per_page') ?? 10);
      return HttpResponse.json({ current_page: page, per_page: perPage, reviews: judgeMe.slice((page - 1) * perPage, page * perPage) });
    }),
  );
}

testConnector('http (Judge.me reviews: page numbers, key in the query)', {
  connector: httpConnector,
  config: config({
    url: `${JUDGE_ME}?shop_domain=example.myshopify.com`,
    auth: { type: 'api-key', in: 'query', name: 'api_token' },
    pagination: { style: 'page', param: 'page', pageSize: 3, pageSizeParam: 'per_page' },
    itemsPath: 'reviews',
    itemType: 'judgeme.review',
    mapping: {
      title: 'title',
      text: 'body',
      occurredAt: 'created_at',
      author: { name: 'reviewer.name', email: 'reviewer.email', platformUserId: 'reviewer.id' },
      attributes: { review: { rating: 'rating', verified: 'verified' }, metadata: { product: 'product_handle' } },
    },
  }),
  credentials: { apiKey: 'jm-kit' },
  samples: judgeMe.slice(0, 2).map((payload): RawItem => ({ externalId: String(payload.id), itemType: 'judgeme.review', payload })),
  fetch: { setup: serveJudgeMe, expectItems: 7 },
});
