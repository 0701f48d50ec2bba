import { signDiscourse } from '@tributary/core/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoursePost, startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
let ws: { id: string; apiKey: string };
const forum = 'https://forum.example.com';

beforeAll(async () => {
  t = await startTestServer({
    respond: (url) => {
      // A forum answering the search the sync runs with one page of results, then nothing.
      if (url.startsWith(`${forum}/search.json`)) {
        const page = Number(new URL(url).searchParams.get('page') ?? '1');
        const posts = page === 1 ? [{ id: 101, topic_id: 8, username: 'ada', created_at: '2026-01-02T10:00:00.000Z', blurb: 'great release', post_number: 1 }] : [];
        return Response.json({ posts, topics: page === 1 ? [{ id: 8, title: 'Release', slug: 'release' }] : [], grouped_search_result: { more_full_page_results: null } });
      }
      return undefined;
    },
  });
  ws = await t.workspace();
});
afterAll(() => t.close());

const path = (rest = '') => `/v1/workspaces/${ws.id}/sources${rest}`;

describe('sources', () => {
  it('creates, reads, lists, updates and deletes a source without ever returning its secrets', async () => {
    const created = await t.call('POST', path(), {
      token: ws.apiKey,
      body: { name: 'Forum', connector: 'discourse', config: { baseUrl: forum, searchTerm: 'release' }, credentials: { apiKey: 'discourse-api-key-SECRET1', apiUsername: 'system' }, check: false, schedule: { every: '5m' }, webhook: { secret: 'hook-secret-SECRET2' } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^src_/), name: 'Forum', connector: 'discourse', hasCredentials: true, schedule: { everyMs: 300_000 }, webhook: { scheme: 'discourse', hasSecret: true } });
    expect(created.body.webhookUrl).toBe(`http://tributary.test/v1/hooks/${ws.id}/${created.body.id}`);
    const id = created.body.id as string;

    const got = await t.call('GET', path(`/${id}`), { token: ws.apiKey });
    expect(got.status).toBe(200);
    const list = await t.call('GET', path(), { token: ws.apiKey });
    expect(list.body.items.map((s: { id: string }) => s.id)).toContain(id);

    const patched = await t.call('PATCH', path(`/${id}`), { token: ws.apiKey, body: { name: 'Forum 2', schedule: { cron: '*/15 * * * *' }, webhook: null } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Forum 2', schedule: { cron: '*/15 * * * *' }, webhook: null });
    expect(patched.body.webhookUrl).toBeUndefined();

    for (const answer of [created, got, list, patched]) {
      expect(answer.text).not.toContain('SECRET1');
      expect(answer.text).not.toContain('SECRET2');
    }
    // Stored encrypted.
    const stored = JSON.stringify(await t.server.pipeline.storage.getDocument('sources', ws.id, id));
    expect(stored).not.toContain('SECRET1');

    expect((await t.call('DELETE', path(`/${id}`), { token: ws.apiKey })).status).toBe(204);
    expect((await t.call('GET', path(`/${id}`), { token: ws.apiKey })).status).toBe(404);
    expect((await t.call('DELETE', path(`/${id}`), { token: ws.apiKey })).status).toBe(404);
  });

  it('names the bad fields: unknown connector, connector config, schedule, webhook scheme', async () => {
    const unknown = await t.call('POST', path(), { token: ws.apiKey, body: { name: 'x', connector: 'nope', config: {} } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues[0].path).toBe('connector');

    const badConfig = await t.call('POST', path(), { token: ws.apiKey, body: { name: 'x', connector: 'discourse', config: { baseUrl: 'not a url' } } });
    expect(badConfig.status).toBe(400);
    expect(badConfig.body.error.issues.map((i: { path: string }) => i.path)).toContain('config.baseUrl');

    const badEvery = await t.call('POST', path(), { token: ws.apiKey, body: { name: 'x', connector: 'discourse', config: { baseUrl: forum }, schedule: { every: 'often' } } });
    expect(badEvery.status).toBe(400);
    expect(badEvery.body.error.issues[0].path).toBe('schedule.every');

    const tooFast = await t.call('POST', path(), { token: ws.apiKey, body: { name: 'x', connector: 'discourse', config: { baseUrl: forum }, schedule: { every: 10 } } });
    expect(tooFast.body.error.issues[0].path).toBe('schedule.every');

    const badCron = await t.call('POST', path(), { token: ws.apiKey, body: { name: 'x', connector: 'discourse', config: { baseUrl: forum }, schedule: { cron: '99 * * * *' } } });
    expect(badCron.status).toBe(400);
    expect(badCron.body.error.issues[0].path).toBe('schedule.cron');

    const badScheme = await t.call('POST', path(), { token: ws.apiKey, body: { name: 'x', connector: 'discourse', config: { baseUrl: forum }, webhook: { scheme: 'carrier-pigeon' } } });
    expect(badScheme.status).toBe(400);
    expect(badScheme.body.error.issues[0].path).toBe('webhook.scheme');

    const internal = await t.call('POST', path(), { token: ws.apiKey, body: { name: 'x', connector: 'api' } });
    expect(internal.status).toBe(400);
    expect(internal.body.error.issues[0].path).toBe('connector');

    const missingName = await t.call('POST', path(), { token: ws.apiKey, body: { connector: 'discourse', config: { baseUrl: forum } } });
    expect(missingName.body.error.issues[0].path).toBe('name');

    const badPatch = await t.call('PATCH', path('/src_nope'), { token: ws.apiKey, body: { name: 'y' } });
    expect(badPatch.status).toBe(404);
  });

  it('queues a pull with sync and lists the run with its status and counts', async () => {
    const src = await t.call('POST', path(), { token: ws.apiKey, body: { name: 'Search', connector: 'discourse', config: { baseUrl: forum, searchTerm: 'release' } } });
    expect(src.status).toBe(201);
    const sync = await t.call('POST', path(`/${src.body.id}/sync`), { token: ws.apiKey });
    expect(sync.status).toBe(202);
    expect(sync.body.runId).toMatch(/^run_/);
    await t.drain();
    const runs = await t.call('GET', path(`/${src.body.id}/runs`), { token: ws.apiKey });
    expect(runs.status).toBe(200);
    expect(runs.body.items).toEqual([expect.objectContaining({ id: sync.body.runId, sourceId: src.body.id, status: 'succeeded', trigger: 'manual', error: null })]);
    expect(runs.body.items[0].items).toBe(1);
    const run = await t.call('GET', `/v1/workspaces/${ws.id}/runs/${sync.body.runId}`, { token: ws.apiKey });
    expect(run.body.status).toBe('succeeded');

    // A second run lists first.
    const second = await t.call('POST', path(`/${src.body.id}/sync`), { token: ws.apiKey });
    await t.drain();
    const again = await t.call('GET', path(`/${src.body.id}/runs?limit=1`), { token: ws.apiKey });
    expect(again.body.items.map((r: { id: string }) => r.id)).toEqual([second.body.runId]);
    expect(again.body.nextCursor).toEqual(expect.any(String));
    const next = await t.call('GET', path(`/${src.body.id}/runs?limit=1&cursor=${encodeURIComponent(again.body.nextCursor)}`), { token: ws.apiKey });
    expect(next.body.items.map((r: { id: string }) => r.id)).toEqual([sync.body.runId]);

    const records = await t.call('GET', `/v1/workspaces/${ws.id}/records?source=${src.body.id}`, { token: ws.apiKey });
    expect(records.body.items).toHaveLength(1);
  });

  it('refuses to sync a disabled source or a push-only one, and 404s unknown ones', async () => {
    const src = await t.call('POST', path(), { token: ws.apiKey, body: { name: 'Off', connector: 'discourse', config: { baseUrl: forum }, enabled: false } });
    const res = await t.call('POST', path(`/${src.body.id}/sync`), { token: ws.apiKey });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect((await t.call('POST', path('/src_nope/sync'), { token: ws.apiKey })).status).toBe(404);
    expect((await t.call('GET', path('/src_nope/runs'), { token: ws.apiKey })).status).toBe(404);
    expect((await t.call('GET', `/v1/workspaces/${ws.id}/runs/run_nope`, { token: ws.apiKey })).status).toBe(404);
  });
});

describe('schedules', () => {
  it('pulls a scheduled source on its interval, listing the run under the source', async () => {
    const src = await t.call('POST', path(), { token: ws.apiKey, body: { name: 'Every second', connector: 'discourse', config: { baseUrl: forum, searchTerm: 'release' }, schedule: { every: '1s' } } });
    expect(src.status).toBe(201);
    let runs: { trigger: string; status: string }[] = [];
    for (let i = 0; i < 100 && !runs.some((r) => r.status === 'succeeded'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      runs = (await t.call('GET', path(`/${src.body.id}/runs`), { token: ws.apiKey })).body.items;
    }
    expect(runs[0]).toMatchObject({ trigger: 'schedule' });
    expect(runs.some((r) => r.status === 'succeeded')).toBe(true);
    expect((await t.call('DELETE', path(`/${src.body.id}`), { token: ws.apiKey })).status).toBe(204);
    await t.server.scheduler.idle();
  });
});

describe('webhook endpoint', () => {
  it('accepts a signed delivery (202), stores its record after drain, and dedups the redelivery', async () => {
    const secret = 'discourse-hook-secret';
    const src = await t.call('POST', path(), { token: ws.apiKey, body: { name: 'Hooked', connector: 'discourse', config: { baseUrl: forum }, webhook: { secret } } });
    const body = JSON.stringify(discoursePost(777, 'I love the new dashboard, it is great'));
    const headers = { 'content-type': 'application/json', 'x-discourse-event': 'post_created', 'x-discourse-event-id': 'evt-1', ...signDiscourse(body, secret) };
    const res = await t.call('POST', `/v1/hooks/${ws.id}/${src.body.id}`, { raw: body, headers });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 1, ids: [expect.any(String)], deliveryId: 'evt-1' });
    expect(res.headers.get('x-request-id')).toBeTruthy();
    await t.drain();
    const records = await t.call('GET', `/v1/workspaces/${ws.id}/records?source=${src.body.id}`, { token: ws.apiKey });
    expect(records.body.items).toEqual([expect.objectContaining({ id: res.body.ids[0], externalId: '777', content: expect.objectContaining({ text: 'I love the new dashboard, it is great' }) })]);
    expect(records.body.items[0].analysis.sentiment.label).toBe('positive');

    const again = await t.call('POST', `/v1/hooks/${ws.id}/${src.body.id}`, { raw: body, headers });
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
  });

  it('refuses unsigned or wrongly signed deliveries (401) and unknown sources (404)', async () => {
    const secret = 'another-secret';
    const src = await t.call('POST', path(), { token: ws.apiKey, body: { name: 'Signed', connector: 'discourse', config: { baseUrl: forum }, webhook: { secret } } });
    const body = JSON.stringify(discoursePost(778, 'hello'));
    const base = { 'content-type': 'application/json', 'x-discourse-event': 'post_created' };
    const unsigned = await t.call('POST', `/v1/hooks/${ws.id}/${src.body.id}`, { raw: body, headers: base });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error.code).toMatch(/^(unauthorized|signature)$/);
    const wrong = await t.call('POST', `/v1/hooks/${ws.id}/${src.body.id}`, { raw: body, headers: { ...base, ...signDiscourse(body, 'wrong-secret') } });
    expect(wrong.status).toBe(401);
    const unknown = await t.call('POST', `/v1/hooks/${ws.id}/src_nope`, { raw: body, headers: { ...base, ...signDiscourse(body, secret) } });
    expect(unknown.status).toBe(404);
    // A source of another workspace is not reachable under this one.
    const other = await t.workspace('other');
    const crossed = await t.call('POST', `/v1/hooks/${other.id}/${src.body.id}`, { raw: body, headers: { ...base, ...signDiscourse(body, secret) } });
    expect(crossed.status).toBe(404);
  });
});
