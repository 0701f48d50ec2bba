import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineConnector, type RawItem, type WebhookRequest } from '@tributary/core/connector';
import { TributaryRecordSchema } from '@tributary/core/record';
import { makeMeasurement, makeRecord, testConnector, uniqueId } from '@tributary/core/testing';

describe('makeRecord', () => {
  it('builds a valid feedback record with the given fields and analysis', () => {
    const r = makeRecord({ workspaceId: 'ws_a', sourceId: 'src_a', externalId: 'e1', content: { text: 'hello' }, analysis: { sentiment: { label: 'positive', score: 0.5 } } });
    expect(TributaryRecordSchema.parse(r)).toEqual(r);
    expect(r).toMatchObject({ workspaceId: 'ws_a', sourceId: 'src_a', externalId: 'e1', kind: 'feedback', revision: 1, content: { text: 'hello' } });
    expect(r.analysis.sentiment?.label).toBe('positive');
    expect(makeRecord({ workspaceId: 'ws_a', sourceId: 'src_a', externalId: 'e1', content: { text: 'hello' } }).id, 'ids are deterministic').toBe(r.id);
  });

  it('makes a measurement record when given a measurement, and unique external ids by default', () => {
    const m = makeRecord({ measurement: makeMeasurement({ value: '0.1' }) });
    expect(m.kind).toBe('measurement');
    expect(m.measurement?.value).toBe('0.1');
    expect(makeRecord().externalId).not.toBe(makeRecord().externalId);
    expect(uniqueId('x')).toMatch(/^x-[0-9a-f]{12}$/);
  });
});

// A small connector exercising every part of the connector kit: paged fetch with a lookback
// overlap, a checkpoint schema, parse, and webhooks.
const BASE_URL = 'https://demo.example.com';
const POSTS = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, text: `Post ${i + 1}`, created_at: `2026-01-0${i + 1}T10:00:00.000Z` }));
type Post = (typeof POSTS)[number];

const demo = defineConnector({
  name: 'kit-demo',
  version: '1.2.0',
  configSchema: z.object({ baseUrl: z.string().url(), pageSize: z.number().int().positive().default(3) }),
  checkpointSchema: z.object({ after: z.number().int() }),
  async *fetch({ config, checkpoint, fetch, signal }) {
    // Re-read one item before the checkpoint: the overlap guards against late writes at the source.
    let after = checkpoint ? Math.max(0, checkpoint.after - 1) : 0;
    for (;;) {
      const response = await fetch(`${config.baseUrl}/posts?after=${after}&limit=${config.pageSize}`, { signal });
      const body = (await response.json()) as { posts: Post[]; more: boolean };
      if (body.posts.length === 0) return;
      after = body.posts.at(-1)!.id;
      yield { items: body.posts.map((p) => ({ externalId: String(p.id), itemType: 'demo.post', payload: p })), checkpoint: { after } };
      if (!body.more) return;
    }
  },
  parse(item: RawItem) {
    const p = item.payload as Post;
    return [{ externalId: item.externalId, itemType: item.itemType, occurredAt: p.created_at, content: { text: p.text } }];
  },
  webhook: {
    signatureScheme: 'none',
    deliveryId: (request) => request.headers.get('x-delivery-id') ?? undefined,
    parse(_request, body) {
      const post = (body as { post?: Post }).post;
      return { items: post ? [{ externalId: String(post.id), itemType: 'demo.post', payload: post }] : [] };
    },
  },
});

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const webhook = (body: unknown, id: string): WebhookRequest => ({
  method: 'POST',
  url: `${BASE_URL}/hook`,
  headers: new Headers({ 'content-type': 'application/json', 'x-delivery-id': id }),
  rawBody: new TextEncoder().encode(JSON.stringify(body)),
  receivedAt: Date.now(),
});

testConnector('kit-demo', {
  connector: demo,
  config: { baseUrl: BASE_URL, pageSize: 3 },
  samples: POSTS.slice(0, 3).map((p) => ({ externalId: String(p.id), itemType: 'demo.post', payload: p })),
  fetch: {
    setup: () => {
      server.use(
        http.get(`${BASE_URL}/posts`, ({ request }) => {
          const url = new URL(request.url);
          const after = Number(url.searchParams.get('after'));
          const limit = Number(url.searchParams.get('limit'));
          const rest = POSTS.filter((p) => p.id > after);
          return HttpResponse.json({ posts: rest.slice(0, limit), more: rest.length > limit });
        }),
      );
    },
    expectItems: 7,
  },
  webhook: { requests: () => [webhook({ post: POSTS[0] }, 'd1'), webhook({ ping: true }, 'd2')], expectItems: 1 },
});
