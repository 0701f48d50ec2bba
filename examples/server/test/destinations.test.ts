import { generateStandardWebhooksSecret } from '@tributary/core/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
let ws: { id: string; apiKey: string };
let rejecting = true;
beforeAll(async () => {
  t = await startTestServer({
    respond: (url) => (url.includes('/reject') && rejecting ? new Response('{"error":"bad"}', { status: 400 }) : undefined),
  });
  ws = await t.workspace();
});
afterAll(() => t.close());

const dest = (rest = '') => `/v1/workspaces/${ws.id}/destinations${rest}`;
const fast = { perSecond: 1000, burst: 1000 };
const value = (recordId: string, v: string) => ({ recordId, time: '2026-02-01T10:00:00Z', sourceId: 'a', destinationId: 'b', type: 'positive', value: v, unit: 'EUR', reference: 'r' });

describe('destinations', () => {
  it('creates, lists, reads and deletes destinations; secrets are stored encrypted and never returned', async () => {
    const secret = generateStandardWebhooksSecret();
    const hook = await t.call('POST', dest(), { token: ws.apiKey, body: { kind: 'webhook', url: 'https://receiver.example.com/hook', config: { secret }, rateLimit: fast, name: 'Receiver' } });
    expect(hook.status).toBe(201);
    expect(hook.body).toMatchObject({ id: expect.stringMatching(/^dst_/), kind: 'webhook', name: 'Receiver', url: 'https://receiver.example.com/hook', secretFields: ['secret'], rateLimit: fast, filter: null, enabled: true });
    expect(hook.text).not.toContain(secret);
    const slackUrl = 'https://hooks.slack.com/services/T000/B000/SLACKSECRET';
    const slack = await t.call('POST', dest(), { token: ws.apiKey, body: { kind: 'slack', url: slackUrl, rateLimit: { perSecond: 1, burst: 1 }, filter: { types: ['record.alert'] } } });
    expect(slack.status).toBe(201);
    expect(slack.body.url).toBeNull();
    expect(slack.body.secretFields).toEqual(['webhookUrl']);
    expect(slack.text).not.toContain('SLACKSECRET');

    const list = await t.call('GET', dest(), { token: ws.apiKey });
    expect(list.body.items.map((d: { id: string }) => d.id).sort()).toEqual([hook.body.id, slack.body.id].sort());
    expect(list.text).not.toContain(secret.slice(6));
    expect(list.text).not.toContain('SLACKSECRET');
    const one = await t.call('GET', dest(`/${slack.body.id}`), { token: ws.apiKey });
    expect(one.body.filter).toEqual({ types: ['record.alert'] });
    const stored = JSON.stringify(await t.server.pipeline.storage.getDocument('destinations', ws.id, slack.body.id));
    expect(stored).not.toContain('SLACKSECRET');

    for (const id of [hook.body.id, slack.body.id]) expect((await t.call('DELETE', dest(`/${id}`), { token: ws.apiKey })).status).toBe(204);
    expect((await t.call('GET', dest(`/${hook.body.id}`), { token: ws.apiKey })).status).toBe(404);
    expect((await t.call('DELETE', dest(`/${hook.body.id}`), { token: ws.apiKey })).status).toBe(404);
  });

  it('changes a destination, keeping a secret left out and replacing one given', async () => {
    const hook = await t.call('POST', dest(), { token: ws.apiKey, body: { kind: 'webhook', url: 'https://receiver.example.com/patch', config: { secret: generateStandardWebhooksSecret() }, rateLimit: fast } });
    const renamed = await t.call('PATCH', dest(`/${hook.body.id}`), { token: ws.apiKey, body: { name: 'Renamed', enabled: false, rateLimit: { perSecond: 2, burst: 4 } } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: hook.body.id, name: 'Renamed', enabled: false, rateLimit: { perSecond: 2, burst: 4 }, url: 'https://receiver.example.com/patch', secretFields: ['secret'] });
    expect(Date.parse(renamed.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(hook.body.createdAt));
    const before = await t.server.pipeline.destinations.resolve(ws.id, hook.body.id);
    const moved = await t.call('PATCH', dest(`/${hook.body.id}`), { token: ws.apiKey, body: { url: 'https://receiver.example.com/moved' } });
    expect(moved.body.url).toBe('https://receiver.example.com/moved');
    const after = await t.server.pipeline.destinations.resolve(ws.id, hook.body.id);
    expect((after!.config as { secret: string }).secret).toBe((before!.config as { secret: string }).secret);
    const newSecret = generateStandardWebhooksSecret();
    const replaced = await t.call('PATCH', dest(`/${hook.body.id}`), { token: ws.apiKey, body: { config: { secret: newSecret } } });
    expect(replaced.text).not.toContain(newSecret);
    expect(((await t.server.pipeline.destinations.resolve(ws.id, hook.body.id))!.config as { secret: string }).secret).toBe(newSecret);

    const bad = await t.call('PATCH', dest(`/${hook.body.id}`), { token: ws.apiKey, body: { url: 'ftp://nope' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe('url');
    const smuggled = await t.call('PATCH', dest(`/${hook.body.id}`), { token: ws.apiKey, body: { config: { secret: { $sealed: 'tsb1.a.b.c.d' } } } });
    expect(smuggled.status).toBe(400);
    expect(smuggled.body.error.issues[0].path).toBe('config.secret');
    expect((await t.call('PATCH', dest('/dst_missing'), { token: ws.apiKey, body: { name: 'x' } })).status).toBe(404);
    const kind = await t.call('PATCH', dest(`/${hook.body.id}`), { token: ws.apiKey, body: { kind: 'http' } });
    expect(kind.status).toBe(400);
    expect(kind.body.error.issues[0].message).toMatch(/kind/);
    expect((await t.call('DELETE', dest(`/${hook.body.id}`), { token: ws.apiKey })).status).toBe(204);
  });

  it("does not send with a secret copied from another workspace's destination", async () => {
    const other = await t.workspace('other-secrets');
    const mine = await t.call('POST', dest(), { token: ws.apiKey, body: { kind: 'webhook', url: 'https://receiver.example.com/mine', config: { secret: generateStandardWebhooksSecret() }, rateLimit: fast, filter: { types: ['record.processed'] } } });
    const theirs = await t.call('POST', `/v1/workspaces/${other.id}/destinations`, { token: other.apiKey, body: { kind: 'webhook', url: 'https://receiver.example.com/theirs', config: { secret: generateStandardWebhooksSecret() }, rateLimit: fast, filter: { types: ['record.processed'] } } });
    const storage = t.server.pipeline.storage;
    const stolen = (await storage.getDocument<{ config: Record<string, unknown> }>('destinations', other.id, theirs.body.id))!.config.secret;
    const doc = (await storage.getDocument<{ config: Record<string, unknown> }>('destinations', ws.id, mine.body.id))!;
    await storage.putDocument('destinations', ws.id, mine.body.id, { ...doc, config: { ...doc.config, secret: stolen } });
    const sent = t.received.length;
    const refused = new Promise<string>((resolve) => {
      const off = t.server.pipeline.bus.on('stage.failed', (e) => {
        if (e.stage !== 'deliver') return;
        off();
        resolve(e.error.message);
      });
    });
    await t.call('POST', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey, body: value('swap-1', '1') });
    // The deliver stage refuses to open the pasted secret (and retries: a key may be missing in this process only).
    expect(await refused).toMatch(/decryption failed/);
    expect(t.received.slice(sent).filter((r) => r.url.endsWith('/mine'))).toEqual([]);
    expect(t.received.slice(sent).filter((r) => r.url.endsWith('/theirs'))).toEqual([]);
    for (const [w, id, token] of [[ws.id, mine.body.id, ws.apiKey], [other.id, theirs.body.id, other.apiKey]] as const) await t.call('DELETE', `/v1/workspaces/${w}/destinations/${id}`, { token });
    await t.drain();
    expect(t.received.slice(sent).filter((r) => r.url.endsWith('/mine'))).toEqual([]);
  });

  it('names the bad fields', async () => {
    const kind = await t.call('POST', dest(), { token: ws.apiKey, body: { kind: 'pigeon', url: 'https://x.example.com', rateLimit: fast } });
    expect(kind.status).toBe(400);
    expect(kind.body.error.issues[0].path).toBe('kind');
    const url = await t.call('POST', dest(), { token: ws.apiKey, body: { kind: 'http', url: 'ftp://x.example.com', rateLimit: fast } });
    expect(url.status).toBe(400);
    expect(url.body.error.issues[0].path).toBe('url');
    const limit = await t.call('POST', dest(), { token: ws.apiKey, body: { kind: 'http', url: 'https://x.example.com', rateLimit: { perSecond: 0, burst: 1 } } });
    expect(limit.body.error.issues[0].path).toBe('rateLimit.perSecond');
    const missingLimit = await t.call('POST', dest(), { token: ws.apiKey, body: { kind: 'http', url: 'https://x.example.com' } });
    expect(missingLimit.body.error.issues[0].path).toBe('rateLimit');
    const secret = await t.call('POST', dest(), { token: ws.apiKey, body: { kind: 'webhook', url: 'https://x.example.com', config: { secret: 12345 }, rateLimit: fast } });
    expect(secret.status).toBe(400);
    expect(secret.body.error.issues[0].path).toMatch(/^config\.secret/);
    expect(secret.text).not.toContain('12345');
    const email = await t.call('POST', dest(), { token: ws.apiKey, body: { kind: 'email', config: { apiKey: 'k', from: 'not-an-email', to: [] }, rateLimit: fast } });
    expect(email.body.error.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['config.from', 'config.to']));
    const source = await t.call('POST', dest(), { token: ws.apiKey, body: { kind: 'http', url: 'https://x.example.com', rateLimit: fast, filter: { sourceIds: ['src_nope'] } } });
    expect(source.body.error.issues[0].path).toBe('filter.sourceIds.0');
  });

  it('delivers processed records, decrypting secrets only to sign; filters by message type', async () => {
    const secret = generateStandardWebhooksSecret();
    await t.call('POST', dest(), { token: ws.apiKey, body: { kind: 'webhook', url: 'https://receiver.example.com/all', config: { secret }, rateLimit: fast } });
    await t.call('POST', dest(), { token: ws.apiKey, body: { kind: 'http', url: 'https://receiver.example.com/alerts', rateLimit: fast, filter: { types: ['record.alert'] } } });
    expect((await t.call('PUT', `/v1/workspaces/${ws.id}/settings/alert-thresholds`, { token: ws.apiKey, body: { EUR: '100' } })).status).toBe(200);
    expect((await t.call('GET', `/v1/workspaces/${ws.id}/settings/alert-thresholds`, { token: ws.apiKey })).body).toEqual({ EUR: '100' });
    const sent = await t.call('POST', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey, body: { records: [value('big', '150.25'), value('small', '3')] } });
    expect(sent.status).toBe(202);
    await t.drain();
    const all = t.received.filter((r) => r.url === 'https://receiver.example.com/all');
    expect(all.map((r) => r.body.type).sort()).toEqual(['record.alert', 'record.notification', 'record.notification', 'record.processed', 'record.processed']);
    expect(all[0]!.headers.get('webhook-signature')).toMatch(/^v1,/);
    const alerts = t.received.filter((r) => r.url === 'https://receiver.example.com/alerts');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.body).toMatchObject({ type: 'record.alert', payload: { threshold: '100', exceededBy: '50.25' } });
    expect((await t.call('PUT', `/v1/workspaces/${ws.id}/settings/alert-thresholds`, { token: ws.apiKey, body: { EUR: 'lots' } })).body.error.issues[0].path).toBe('EUR');
  });
});

describe('dead letters', () => {
  it('lists the deliveries a receiver refused and replays one', async () => {
    const w = await t.workspace('dlq');
    const d = await t.call('POST', `/v1/workspaces/${w.id}/destinations`, { token: w.apiKey, body: { kind: 'http', url: 'https://receiver.example.com/reject', rateLimit: fast, filter: { types: ['record.processed'] } } });
    await t.call('POST', `/v1/workspaces/${w.id}/records`, { token: w.apiKey, body: value('dl-1', '1') });
    await t.drain();
    const list = await t.call('GET', `/v1/workspaces/${w.id}/dead-letters`, { token: w.apiKey });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ id: expect.any(String), stage: 'deliver', reason: expect.any(String), payload: expect.objectContaining({ workspaceId: w.id, destinationId: d.body.id }) })]);

    // Not visible to, nor replayable by, another workspace.
    const other = await t.workspace('other');
    expect((await t.call('GET', `/v1/workspaces/${other.id}/dead-letters`, { token: other.apiKey })).body.items).toEqual([]);
    const id = list.body.items[0].id as string;
    expect((await t.call('POST', `/v1/workspaces/${other.id}/dead-letters/${encodeURIComponent(id)}/replay`, { token: other.apiKey })).status).toBe(404);

    rejecting = false;
    const before = t.received.filter((r) => r.url.endsWith('/reject')).length;
    const replay = await t.call('POST', `/v1/workspaces/${w.id}/dead-letters/${encodeURIComponent(id)}/replay`, { token: w.apiKey });
    expect(replay.status).toBe(202);
    await t.drain();
    expect(t.received.filter((r) => r.url.endsWith('/reject')).length).toBe(before + 1);
    expect((await t.call('GET', `/v1/workspaces/${w.id}/dead-letters`, { token: w.apiKey })).body.items).toEqual([]);
    expect((await t.call('POST', `/v1/workspaces/${w.id}/dead-letters/${encodeURIComponent(id)}/replay`, { token: w.apiKey })).status).toBe(404);
    expect((await t.call('GET', `/v1/workspaces/${w.id}/dead-letters?stage=later`, { token: w.apiKey })).body.error.issues[0].path).toBe('stage');
  });
});
