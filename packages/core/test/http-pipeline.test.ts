import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineConnector, type RawItem } from '@tributary/core/connector';
import { createConnectorFetchFactory, errorForResponse, paginateLinkHeader, type RetryEvent } from '@tributary/core/http';
import { createPipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const API = 'https://tickets.example.test';

/** A ticket API: `since_id` + `per_page`, `Link` pagination, a sliding-window limit, and a few hiccups. */
function ticketApi(total: number, limit: { requests: number; windowMs: number }) {
  const tickets = Array.from({ length: total }, (_, i) => ({ id: i + 1, subject: `Ticket ${i + 1}`, body: i % 3 ? 'Works well, thanks' : 'Export keeps failing', created_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() }));
  const arrivals: number[] = [];
  const stats = { requests: 0, throttled: 0, hiccups: { 503: 1, 429: 1 } as Record<number, number> };
  server.use(
    http.get(`${API}/api/tickets`, ({ request }) => {
      const now = performance.now();
      stats.requests++;
      if (arrivals.filter((t) => t > now - limit.windowMs).length >= limit.requests) {
        stats.throttled++;
        arrivals.push(now);
        return HttpResponse.json({ error: 'too many requests' }, { status: 429 });
      }
      arrivals.push(now);
      if (request.headers.get('authorization') !== 'Bearer secret') return HttpResponse.json({ error: 'unauthorized' }, { status: 401 });
      const url = new URL(request.url);
      const since = Number(url.searchParams.get('since_id') ?? 0);
      const perPage = Number(url.searchParams.get('per_page') ?? 3);
      const page = Number(url.searchParams.get('page') ?? 1);
      // one transient outage and one provider rate limit in the middle of the walk
      if (page === 2 && stats.hiccups[503]! > 0) {
        stats.hiccups[503]!--;
        return new HttpResponse('upstream unavailable', { status: 503 });
      }
      if (page === 3 && stats.hiccups[429]! > 0) {
        stats.hiccups[429]!--;
        return HttpResponse.json({ error: 'slow down' }, { status: 429, headers: { 'Retry-After': '0' } });
      }
      const remaining = tickets.filter((t) => t.id > since);
      const slice = remaining.slice((page - 1) * perPage, page * perPage);
      const hasNext = page * perPage < remaining.length;
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      return HttpResponse.json(slice, { headers: hasNext ? { Link: `<${next.pathname}${next.search}>; rel="next"` } : {} });
    }),
  );
  return { tickets, stats };
}

const ticketsConnector = defineConnector({
  name: 'tickets',
  version: '1.0.0',
  configSchema: z.object({ perPage: z.number().int().default(3) }),
  credentialsSchema: z.object({ token: z.string() }),
  checkpointSchema: z.object({ sinceId: z.number().int() }),
  rateBudget: () => ({ requests: 4, perMs: 100, concurrency: 2 }),
  async *fetch({ config, credentials, checkpoint, fetch, signal }) {
    const since = checkpoint?.sinceId ?? 0;
    let newest = since;
    const pages = paginateLinkHeader<{ id: number }>({
      fetch,
      signal,
      component: 'tickets',
      url: `${API}/api/tickets?since_id=${since}&per_page=${config.perPage}`,
      init: { headers: { authorization: `Bearer ${credentials.token}` } },
    });
    for await (const page of pages) {
      newest = Math.max(newest, ...page.items.map((t) => t.id));
      yield { items: page.items.map((t) => ({ externalId: String(t.id), itemType: 'tickets.ticket', payload: t })), checkpoint: { sinceId: newest } };
    }
  },
  parse(item: RawItem) {
    const t = item.payload as { id: number; subject: string; body: string; created_at: string };
    return [{ externalId: String(t.id), itemType: 'tickets.ticket', occurredAt: t.created_at, content: { title: t.subject, text: t.body } }];
  },
});

describe('createConnectorFetchFactory wired into createPipeline', () => {
  it('pulls every page through the budget, riding out a 503 and a 429, and checkpoints the last one', async () => {
    const api = ticketApi(20, { requests: 4, windowMs: 100 });
    const retries: RetryEvent[] = [];
    const connectorFetch = createConnectorFetchFactory({ baseDelayMs: 5, onRetry: (e) => retries.push(e) });
    const pipeline = createPipeline({ storage: createMemoryStorage(), queue: createMemoryQueue(), connectors: [ticketsConnector], connectorFetch, secretKey: '0'.repeat(64) });
    try {
      const source = await pipeline.sources.create('ws1', { name: 'Support', connector: 'tickets', config: { perPage: 3 }, credentials: { token: 'secret' }, check: false });
      await pipeline.start();
      const { runId } = await pipeline.trigger('ws1', source.id);
      await pipeline.drain({ timeoutMs: 15_000 });

      expect(await pipeline.getRun('ws1', runId)).toMatchObject({ status: 'succeeded', pages: 7, items: 20 });
      const records = await pipeline.storage.queryRecords({ workspaceId: 'ws1', limit: 100 });
      expect(records.items).toHaveLength(20);
      expect(await pipeline.storage.getCheckpoint('ws1', source.id)).toEqual({ sinceId: 20 });
      // the two hiccups were retried by the client, and the budget kept the provider's limit from ever answering 429
      expect(retries.map((r) => r.status)).toEqual([503, 429]);
      expect(api.stats.throttled).toBe(0);
      expect(api.stats.requests).toBe(9);

      // an incremental run starts after the checkpoint
      api.tickets.push({ id: 21, subject: 'Ticket 21', body: 'New one', created_at: '2026-01-02T00:00:00.000Z' });
      const second = await pipeline.trigger('ws1', source.id);
      await pipeline.drain({ timeoutMs: 15_000 });
      expect(await pipeline.getRun('ws1', second.runId)).toMatchObject({ status: 'succeeded', pages: 1, items: 1 });
    } finally {
      await pipeline.stop();
      await pipeline.queue.dispose();
      await connectorFetch.dispose();
    }
  });

  it('fails the run with the classified error when the provider refuses the credentials, keeping the checkpoint', async () => {
    ticketApi(5, { requests: 100, windowMs: 100 });
    const connectorFetch = createConnectorFetchFactory({ baseDelayMs: 5 });
    const pipeline = createPipeline({ storage: createMemoryStorage(), queue: createMemoryQueue(), connectors: [ticketsConnector], connectorFetch, secretKey: '0'.repeat(64) });
    try {
      const source = await pipeline.sources.create('ws1', { name: 'Support', connector: 'tickets', credentials: { token: 'wrong' }, check: false });
      await pipeline.storage.setCheckpoint('ws1', source.id, { sinceId: 2 });
      const failed = pipeline.bus.waitFor('fetch.run.failed');
      await pipeline.start();
      await pipeline.trigger('ws1', source.id);
      expect((await failed).error).toMatchObject({ code: 'unauthorized' });
      await pipeline.drain({ timeoutMs: 15_000 });
      expect(await pipeline.storage.getCheckpoint('ws1', source.id)).toEqual({ sinceId: 2 });
    } finally {
      await pipeline.stop();
      await pipeline.queue.dispose();
      await connectorFetch.dispose();
    }
  });

  it('errorForResponse gives connectors the provider wait as retryAfterMs', async () => {
    const error = await errorForResponse(new Response('{"error_type":"rate_limit","extras":{"wait_seconds":30}}', { status: 429, headers: { 'content-type': 'application/json' } }));
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 30_000 });
  });
});
