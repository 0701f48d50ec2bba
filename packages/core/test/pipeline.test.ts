import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAnalyzer } from '@tributary/core/analysis';
import { defineConnector, type RawItem } from '@tributary/core/connector';
import { createError, isTributaryError } from '@tributary/core/errors';
import { createPipeline, type Pipeline, type PipelineOptions } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { generateKey } from '@tributary/core/crypto';
import { defineTarget, type OutboundMessage } from '@tributary/core/target';
import { dailyReport } from '@tributary/core/reports';
import { recordId } from '@tributary/core/record';

/** A fake forum: pages of posts, which tests can edit, break or slow down. */
function fakeForum() {
  const posts = new Map<string, { id: string; text: string; at: string }>();
  for (let i = 1; i <= 7; i++) posts.set(String(i), { id: String(i), text: i % 2 ? 'I love this, great work' : 'This is broken and awful', at: `2026-01-0${Math.min(i, 9)}T10:00:00.000Z` });
  const state = { failOnPage: 0, pageGate: undefined as Promise<void> | undefined, pagesServed: 0 };
  const connector = defineConnector({
    name: 'fake-forum',
    version: '1.2.0',
    configSchema: z.object({ pageSize: z.number().int().positive().default(3) }),
    credentialsSchema: z.object({ token: z.string().min(1) }),
    checkpointSchema: z.object({ after: z.number().int() }),
    async *fetch({ config, checkpoint, credentials }) {
      if (credentials.token !== 'good') throw createError('fake-forum', 'unauthorized', 'bad token');
      const all = [...posts.values()].sort((a, b) => Number(a.id) - Number(b.id));
      let after = checkpoint?.after ?? 0;
      for (;;) {
        const page = all.filter((p) => Number(p.id) > after).slice(0, config.pageSize);
        if (page.length === 0) return;
        state.pagesServed++;
        if (state.pageGate) await state.pageGate;
        if (state.failOnPage && state.pagesServed === state.failOnPage) throw createError('fake-forum', 'connector', 'page failed');
        after = Number(page[page.length - 1]!.id);
        yield { items: page.map((p) => ({ externalId: p.id, itemType: 'forum.post', payload: { ...p } })), checkpoint: { after } };
      }
    },
    parse(item: RawItem) {
      const p = item.payload as { id: string; text: string; at: string };
      if (p.text === 'POISON') throw createError('fake-forum', 'validation', 'unparseable post');
      return [{ externalId: p.id, itemType: 'forum.post', occurredAt: p.at, content: { text: p.text } }];
    },
  });
  return { posts, state, connector };
}

const lexicon = defineAnalyzer({
  name: 'tiny-sentiment',
  version: '1.0.0',
  provides: ['sentiment'],
  analyze: ({ text }) => {
    const score = /love|great/.test(text) ? 0.8 : /broken|awful/.test(text) ? -0.6 : 0;
    return { sentiment: { label: score > 0 ? 'positive' : score < 0 ? 'negative' : 'neutral', score } };
  },
});

function capturingTarget() {
  const received: OutboundMessage[] = [];
  const behaviour = { fail: 0, permanent: false, retryAfterMs: undefined as number | undefined };
  const target = defineTarget({
    name: 'capture',
    version: '1.0.0',
    configSchema: z.object({}),
    async send(message) {
      if (behaviour.permanent) return { ok: false, status: 400, permanent: true, error: 'rejected' };
      if (behaviour.fail > 0) {
        behaviour.fail--;
        return { ok: false, status: 503, error: 'down', retryAfterMs: behaviour.retryAfterMs };
      }
      received.push(message);
      return { ok: true, status: 202 };
    },
  });
  return { received, behaviour, target };
}

const pipelines: Pipeline[] = [];
afterEach(async () => {
  for (const p of pipelines.splice(0)) {
    await p.stop();
    await p.queue.dispose();
  }
});

function setup(overrides: Partial<PipelineOptions> = {}) {
  const forum = fakeForum();
  const capture = capturingTarget();
  const pipeline = createPipeline({
    storage: createMemoryStorage(),
    queue: createMemoryQueue(),
    connectors: [forum.connector],
    analyzers: [lexicon],
    targets: [capture.target],
    secretKey: generateKey(),
    stages: { deliver: { maxAttempts: 3 }, fetch: { maxAttempts: 2 } },
    ...overrides,
  });
  pipelines.push(pipeline);
  return { forum, capture, pipeline };
}

async function addSource(pipeline: Pipeline, ws = 'ws1') {
  return pipeline.sources.create(ws, { name: 'Forum', connector: 'fake-forum', config: { pageSize: 3 }, credentials: { token: 'good' }, check: false });
}

describe('pipeline end to end (memory)', () => {
  it('pulls, parses, analyzes, stores, reports and delivers every item once', async () => {
    const { pipeline, capture } = setup();
    const source = await addSource(pipeline);
    await pipeline.storage.putDocument('destinations', 'ws1', 'dst1', { id: 'dst1', workspaceId: 'ws1', target: 'capture', config: {}, filter: null, rateLimit: null, enabled: true, createdAt: new Date().toISOString() });
    await pipeline.start();
    const { runId } = await pipeline.trigger('ws1', source.id);
    await pipeline.drain();

    const run = await pipeline.getRun('ws1', runId);
    expect(run).toMatchObject({ status: 'succeeded', pages: 3, items: 7 });
    const page = await pipeline.storage.queryRecords({ workspaceId: 'ws1', order: 'asc' });
    expect(page.items.map((r) => r.externalId)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(page.items.every((r) => r.analysis.sentiment && r.provenance.analyzers[0]?.name === 'tiny-sentiment')).toBe(true);
    expect(page.items[0]?.provenance.connector).toEqual({ name: 'fake-forum', version: '1.2.0' });
    expect(await pipeline.storage.getCheckpoint('ws1', source.id)).toEqual({ after: 7 });
    expect(capture.received).toHaveLength(7);
    expect(new Set(capture.received.map((m) => m.idempotencyKey)).size).toBe(7);
    // raw payloads are kept for re-parsing
    const raw = await pipeline.storage.getRawPayload('ws1', page.items[0]!.rawId!);
    expect(raw?.payload).toMatchObject({ id: '1' });

    const report = await dailyReport(pipeline.storage, { workspaceId: 'ws1', from: '2026-01-01', to: '2026-01-10' });
    expect(report.rows).toHaveLength(7);
    expect(report.rows[0]).toMatchObject({ day: '2026-01-01', sourceId: source.id, count: 1, averageSentiment: 0.8 });
  });

  it('collapses duplicates and keeps the earlier version of an edited item', async () => {
    const { pipeline, forum, capture } = setup();
    const source = await addSource(pipeline);
    await pipeline.storage.putDocument('destinations', 'ws1', 'dst1', { id: 'dst1', workspaceId: 'ws1', target: 'capture', config: {}, filter: null, rateLimit: null, enabled: true, createdAt: new Date().toISOString() });
    await pipeline.start();
    await pipeline.trigger('ws1', source.id);
    await pipeline.drain();
    // the same items pushed again (a webhook redelivery) are one record each
    const again = await pipeline.ingest('ws1', source.id, [...forum.posts.values()].map((p) => ({ externalId: p.id, itemType: 'forum.post', payload: p })));
    expect(again.ids[0]).toBe(recordId('ws1', source.id, '1'));
    // an edit of post 2
    forum.posts.set('2', { ...forum.posts.get('2')!, text: 'Fixed now, I love it' });
    await pipeline.ingest('ws1', source.id, [{ externalId: '2', itemType: 'forum.post', payload: forum.posts.get('2') }]);
    await pipeline.drain();

    const all = await pipeline.storage.queryRecords({ workspaceId: 'ws1' });
    expect(all.items).toHaveLength(7);
    const edited = await pipeline.storage.getRecord('ws1', recordId('ws1', source.id, '2'));
    expect(edited).toMatchObject({ revision: 2, content: { text: 'Fixed now, I love it' }, analysis: { sentiment: { label: 'positive' } } });
    const history = await pipeline.storage.getRecordHistory('ws1', edited!.id);
    expect(history.map((h) => h.content?.text)).toEqual(['This is broken and awful']);
    // 7 first versions + 1 edit delivered; the duplicates delivered nothing
    expect(capture.received).toHaveLength(8);
  });

  it('never advances the checkpoint past a failed page, and resumes after it', async () => {
    const { pipeline, forum } = setup();
    const source = await addSource(pipeline);
    forum.state.failOnPage = 2;
    await pipeline.start();
    const { runId } = await pipeline.trigger('ws1', source.id);
    await pipeline.drain();
    expect(await pipeline.getRun('ws1', runId)).toMatchObject({ status: 'failed', pages: 1 });
    expect(await pipeline.storage.getCheckpoint('ws1', source.id)).toEqual({ after: 3 });
    expect((await pipeline.storage.queryRecords({ workspaceId: 'ws1' })).items).toHaveLength(3);

    forum.state.failOnPage = 0;
    const second = await pipeline.trigger('ws1', source.id);
    await pipeline.drain();
    expect(await pipeline.getRun('ws1', second.runId)).toMatchObject({ status: 'succeeded', pages: 2, items: 4 });
    expect((await pipeline.storage.queryRecords({ workspaceId: 'ws1' })).items).toHaveLength(7);
  });

  it('never runs two pulls of one source at once', async () => {
    const { pipeline, forum } = setup({ stages: { fetch: { concurrency: 2 } } });
    const source = await addSource(pipeline);
    let open!: () => void;
    forum.state.pageGate = new Promise((r) => (open = r));
    await pipeline.start();
    const skipped = pipeline.bus.waitFor('fetch.run.skipped');
    const a = await pipeline.trigger('ws1', source.id);
    await pipeline.bus.waitFor('fetch.run.started');
    const b = await pipeline.trigger('ws1', source.id);
    await expect(skipped).resolves.toMatchObject({ reason: 'locked' });
    open();
    await pipeline.drain();
    expect(await pipeline.getRun('ws1', a.runId)).toMatchObject({ status: 'succeeded' });
    expect(await pipeline.getRun('ws1', b.runId)).toMatchObject({ status: 'skipped' });
  });

  it('keeps good items when one item of a batch cannot be parsed', async () => {
    const { pipeline } = setup();
    const source = await addSource(pipeline);
    const rejected: string[] = [];
    pipeline.bus.on('record.rejected', (e) => rejected.push(e.externalId ?? ''));
    await pipeline.start();
    await pipeline.ingest('ws1', source.id, [
      { externalId: 'a', itemType: 'forum.post', payload: { id: 'a', text: 'great', at: '2026-01-01T00:00:00Z' } },
      { externalId: 'b', itemType: 'forum.post', payload: { id: 'b', text: 'POISON', at: '2026-01-01T00:00:00Z' } },
      { externalId: 'c', itemType: 'forum.post', payload: { id: 'c', text: 'awful', at: 'not a date' } },
      { externalId: 'd', itemType: 'forum.post', payload: { id: 'd', text: 'broken', at: '2026-01-02T00:00:00Z' } },
    ]);
    await pipeline.drain();
    const stored = await pipeline.storage.queryRecords({ workspaceId: 'ws1', order: 'asc' });
    expect(stored.items.map((r) => r.externalId)).toEqual(['a', 'd']);
    expect(rejected.sort()).toEqual(['b', 'c']);
    // the rejected raw payloads are still there for a later re-parse
    const raws = await pipeline.storage.listRawPayloads('ws1', source.id);
    expect(raws.items.map((r) => r.externalId).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('retries a failing target and dead-letters a permanent refusal', async () => {
    const { pipeline, capture } = setup();
    const source = await addSource(pipeline);
    await pipeline.storage.putDocument('destinations', 'ws1', 'dst1', { id: 'dst1', workspaceId: 'ws1', target: 'capture', config: {}, filter: null, rateLimit: null, enabled: true, createdAt: new Date().toISOString() });
    capture.behaviour.fail = 2;
    capture.behaviour.retryAfterMs = 10;
    await pipeline.start();
    await pipeline.ingest('ws1', source.id, [{ externalId: 'x', itemType: 'forum.post', payload: { id: 'x', text: 'great', at: '2026-01-01T00:00:00Z' } }]);
    await pipeline.drain();
    expect(capture.received).toHaveLength(1);

    capture.behaviour.permanent = true;
    await pipeline.ingest('ws1', source.id, [{ externalId: 'y', itemType: 'forum.post', payload: { id: 'y', text: 'great', at: '2026-01-01T00:00:00Z' } }]);
    await pipeline.drain();
    const dead = await pipeline.queue.listDeadLetters(pipeline.topics.deliver);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.reason).toMatch(/HTTP 400/);
  });

  it('stores credentials encrypted and refuses secrets without a key', async () => {
    const { pipeline } = setup();
    const view = await addSource(pipeline);
    expect(view).toMatchObject({ hasCredentials: true });
    expect(JSON.stringify(view)).not.toContain('good');
    const stored = await pipeline.storage.getDocument<{ credentials: string }>('sources', 'ws1', view.id);
    expect(stored?.credentials).toMatch(/^tsb1\./);
    expect(stored?.credentials).not.toContain('good');
    expect((await pipeline.sources.resolve('ws1', view.id)).credentials).toEqual({ token: 'good' });

    const keyless = setup({ secretKey: undefined }).pipeline;
    await expect(addSource(keyless)).rejects.toThrow(/no encryption key/);
  });

  it('validates source config and names the field', async () => {
    const { pipeline } = setup();
    try {
      await pipeline.sources.create('ws1', { name: 'x', connector: 'fake-forum', config: { pageSize: -1 } });
      throw new Error('accepted');
    } catch (e) {
      expect(isTributaryError(e, 'validation')).toBe(true);
      if (isTributaryError(e)) expect(e.issues[0]?.path).toBe('config.pageSize');
    }
    await expect(pipeline.sources.create('ws1', { name: 'x', connector: 'nope' })).rejects.toThrow(/unknown connector/);
  });

  it('keeps workspaces apart', async () => {
    const { pipeline } = setup();
    const a = await addSource(pipeline, 'wsA');
    await pipeline.start();
    await pipeline.trigger('wsA', a.id);
    await pipeline.drain();
    expect((await pipeline.storage.queryRecords({ workspaceId: 'wsA' })).items).toHaveLength(7);
    expect((await pipeline.storage.queryRecords({ workspaceId: 'wsB' })).items).toHaveLength(0);
    expect(await pipeline.sources.get('wsB', a.id)).toBeNull();
    await expect(pipeline.trigger('wsB', a.id)).rejects.toThrow(/not found/);
  });

  it('a failing source does not stop another', async () => {
    const { pipeline } = setup();
    const good = await addSource(pipeline);
    const bad = await pipeline.sources.create('ws1', { name: 'Bad', connector: 'fake-forum', credentials: { token: 'wrong' }, check: false });
    await pipeline.start();
    const badRun = await pipeline.trigger('ws1', bad.id);
    const goodRun = await pipeline.trigger('ws1', good.id);
    await pipeline.drain();
    expect(await pipeline.getRun('ws1', badRun.runId)).toMatchObject({ status: 'failed', error: expect.stringContaining('bad token') });
    expect(await pipeline.getRun('ws1', goodRun.runId)).toMatchObject({ status: 'succeeded', items: 7 });
  });
});

describe('rotated credentials', () => {
  it('a connector stores rotated credentials encrypted, and a newer reconnect wins', async () => {
    const rotations: boolean[] = [];
    const rotating = defineConnector({
      name: 'rotating',
      version: '1.0.0',
      configSchema: z.object({}),
      credentialsSchema: z.object({ refreshToken: z.string() }),
      async *fetch({ credentials, saveCredentials }) {
        // like an OAuth2 provider that hands out a new refresh token on every refresh
        rotations.push(await saveCredentials!({ refreshToken: `${credentials.refreshToken}+1` }));
        yield { items: [], checkpoint: {} };
      },
      parse: () => [],
    });
    const pipeline = createPipeline({ storage: createMemoryStorage(), queue: createMemoryQueue(), connectors: [rotating], secretKey: generateKey() });
    pipelines.push(pipeline);
    const source = await pipeline.sources.create('ws', { name: 'r', connector: 'rotating', credentials: { refreshToken: 'r0' }, check: false });
    const rotated = pipeline.bus.waitFor('source.credentials_rotated');
    await pipeline.start();
    await pipeline.trigger('ws', source.id);
    await pipeline.drain();
    await expect(rotated).resolves.toMatchObject({ saved: true });
    expect((await pipeline.sources.resolve('ws', source.id)).credentials).toEqual({ refreshToken: 'r0+1' });
    const stored = await pipeline.storage.getDocument<{ credentials: string; credentialsVersion: number }>('sources', 'ws', source.id);
    expect(stored?.credentials).not.toContain('r0');
    expect(stored?.credentialsVersion).toBe(2);

    // a user reconnects (version 3); a rotation based on version 2 must not overwrite it
    await pipeline.sources.update('ws', source.id, { credentials: { refreshToken: 'user-new' }, check: false });
    expect(await pipeline.sources.updateCredentials('ws', source.id, { refreshToken: 'stale' }, { expectedVersion: 2 })).toBe(false);
    expect((await pipeline.sources.resolve('ws', source.id)).credentials).toEqual({ refreshToken: 'user-new' });
    expect(rotations).toEqual([true]);
  });
});

describe('redaction before storage', () => {
  it('stores records and raw payloads without the personal data, and still deduplicates', async () => {
    const { redactRecord, redactJson } = await import('@tributary/core/analyzers/moderation');
    const { pipeline } = setup({ redaction: { record: redactRecord, raw: redactJson } });
    const source = await addSource(pipeline);
    await pipeline.start();
    const item = { externalId: 'pii', itemType: 'forum.post', payload: { id: 'pii', text: 'great, mail me at jane.doe@example.com', at: '2026-01-01T00:00:00Z' } };
    await pipeline.ingest('ws1', source.id, [item]);
    await pipeline.drain();
    const record = await pipeline.storage.getRecord('ws1', recordId('ws1', source.id, 'pii'));
    expect(record?.content?.text).not.toContain('jane.doe@example.com');
    expect(record?.content?.text).toContain('great');
    const raw = await pipeline.storage.getRawPayload('ws1', record!.rawId!);
    expect(JSON.stringify(raw?.payload)).not.toContain('jane.doe@example.com');
    // the same item again is recognised as unchanged (the hash is of the original)
    const stored: string[] = [];
    pipeline.bus.on('record.stored', (e) => stored.push(e.status));
    await pipeline.ingest('ws1', source.id, [item]);
    await pipeline.drain();
    expect(stored).toEqual(['unchanged']);
  });
});

describe('hand-off after a crash', () => {
  it('a redelivered analyze job reports records an earlier attempt stored but never handed on', async () => {
    const { pipeline, capture } = setup();
    const source = await addSource(pipeline);
    await pipeline.storage.putDocument('destinations', 'ws1', 'dst1', { id: 'dst1', workspaceId: 'ws1', target: 'capture', config: {}, filter: null, rateLimit: null, enabled: true, createdAt: new Date().toISOString() });
    // The first attempt stores the records, then "dies" before publishing the report job.
    const realPublish = pipeline.queue.publish.bind(pipeline.queue);
    let dropped = 0;
    pipeline.queue.publish = (async (topic: string, payload: unknown, options?: never) => {
      if (topic === pipeline.topics.report && dropped === 0) {
        dropped++;
        throw new Error('process killed before the hand-off');
      }
      return realPublish(topic, payload, options);
    }) as typeof pipeline.queue.publish;
    await pipeline.start();
    await pipeline.ingest('ws1', source.id, [{ externalId: 'k', itemType: 'forum.post', payload: { id: 'k', text: 'great', at: '2026-01-01T00:00:00Z' } }]);
    await pipeline.drain({ timeoutMs: 20_000 });
    expect(dropped).toBe(1);
    expect(capture.received.map((m) => m.idempotencyKey)).toEqual([`${recordId('ws1', source.id, 'k')}:r1:record.processed`]);
  });
});
