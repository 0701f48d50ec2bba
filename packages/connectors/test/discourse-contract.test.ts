import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { discourseConnector, DiscourseConfigSchema } from '@tributary/connectors/discourse';
import type { RawItem, WebhookRequest } from '@tributary/core/connector';
import { testConnector } from '@tributary/core/testing';
import { BASE_URL, fixture, searchPosts, searchResponse } from './fixtures/discourse/factories.js';

type Json = Record<string, unknown>;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const credentials = { apiKey: 'kit-key', apiUsername: 'system' };

/** Three pages of search results (50, 50, 7 posts), served by page number to authenticated requests. */
function serveSearch(): void {
  const pages = [
    searchResponse(searchPosts(1, 50, '2021-02-19T12:00:00.000Z'), true),
    searchResponse(searchPosts(51, 50, '2021-02-01T12:00:00.000Z'), true),
    searchResponse(searchPosts(101, 7, '2021-01-15T12:00:00.000Z')),
  ];
  server.use(
    http.get(`${BASE_URL}/search.json`, ({ request }) => {
      if (request.headers.get('api-key') !== credentials.apiKey) return HttpResponse.json({ errors: ['invalid key'] }, { status: 403 });
      const page = Number(new URL(request.url).searchParams.get('page'));
      return HttpResponse.json(pages[page - 1] ?? searchResponse([]));
    }),
  );
}

function webhookRequest(event: string, body: unknown, id: string): WebhookRequest {
  return {
    method: 'POST',
    url: 'https://hooks.example.com/discourse',
    headers: new Headers({ 'content-type': 'application/json', 'x-discourse-event': event, 'x-discourse-event-type': event.split('_')[0]!, 'x-discourse-event-id': id }),
    rawBody: new TextEncoder().encode(JSON.stringify(body)),
    receivedAt: Date.now(),
  };
}

const search = fixture<{ posts: Json[]; topics: Json[] }>('search_query_response.json');
const latest = fixture<{ latest_posts: Json[] }>('posts_latest_response.json');
const samples: RawItem[] = [
  { externalId: '872227', itemType: 'discourse.post', payload: { post: fixture('seed001_post.json') } },
  { externalId: String(search.posts[0]!.id), itemType: 'discourse.post', payload: { post: search.posts[0], topic: search.topics[0] } },
  ...latest.latest_posts.map((post) => ({ externalId: String(post.id), itemType: 'discourse.post', payload: { post } })),
];

testConnector('discourse (search)', {
  connector: discourseConnector,
  config: DiscourseConfigSchema.parse({ baseUrl: BASE_URL, searchTerm: 'test', after: '2021-01-01', before: '2021-02-20', keyKind: 'admin' }),
  credentials,
  samples,
  fetch: { setup: serveSearch, expectItems: 107 },
  webhook: {
    requests: () => [
      webhookRequest('post_created', fixture('webhook_post_created.json'), '1'),
      webhookRequest('topic_created', fixture('webhook_topic_created.json'), '2'),
      webhookRequest('ping', { ping: 'OK' }, '3'),
    ],
    expectItems: 1,
  },
});

/** A forum with posts 1..120, answering `/posts.json?before=` like Discourse (ids up to `before`, 50 a page). */
function serveLatestPosts(): void {
  const template = latest.latest_posts[0]!;
  server.use(
    http.get(`${BASE_URL}/posts.json`, ({ request }) => {
      const before = new URL(request.url).searchParams.get('before');
      const top = before === null ? 120 : Math.min(120, Number(before));
      const ids = Array.from({ length: Math.max(0, Math.min(50, top)) }, (_, i) => top - i);
      return HttpResponse.json({ latest_posts: ids.map((id) => ({ ...template, id, post_number: id })) });
    }),
  );
}

testConnector('discourse (latest-posts)', {
  connector: discourseConnector,
  config: DiscourseConfigSchema.parse({ baseUrl: BASE_URL, mode: 'latest-posts' }),
  samples,
  fetch: { setup: serveLatestPosts, expectItems: 120 },
});
