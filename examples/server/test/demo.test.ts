import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_STATE_FILE, demoEnabled, prepareDemo } from '../src/demo/index.js';
import { startDemoServer, type DemoServer } from './demo-helpers.js';

// Demo mode end to end on in-memory engines: a real loopback simulator (forum + CRM), the server
// listening on loopback, the senders posting over HTTP. Timers are off so the test decides what
// happens; the forum's rate limit (2 requests per 4 s) is a quarter of the demo source's own pace (120 a minute), so the first
// pull meets its 429s even on a loaded machine, where each request is slower.
let t: DemoServer;
beforeAll(async () => {
  t = await startDemoServer({
    demo: { simulator: { postEveryMs: false, forum: { rateLimit: { requests: 2, perMs: 4000 } } }, widgetEveryMs: false, billingEveryMs: false, pullEvery: '1h' },
  });
}, 30_000);
afterAll(() => t?.close(), 30_000);

type Item = { id: string; externalId: string; sourceId: string; analysis: { sentiment?: { label: string }; language?: { code: string }; topics?: string[] }; measurement?: { value: string } | null };

const records = async (query: string): Promise<Item[]> => (await t.get(`/v1/workspaces/${t.demo.workspaceId}/records?limit=1000&${query}`)).body.items;

describe('demo mode', () => {
  it('creates the demo workspace with its sources, destination and threshold, and prints a dashboard URL with the key', async () => {
    const ws = t.demo.workspaceId;
    expect((await t.get(`/v1/workspaces/${ws}`)).body).toMatchObject({ id: ws, name: 'Tidepool (demo)' });
    const sources = (await t.get(`/v1/workspaces/${ws}/sources`)).body.items as { id: string; connector: string; schedule: unknown; webhook: unknown; hasCredentials: boolean }[];
    expect(sources.find((s) => s.id === t.demo.forumSourceId)).toMatchObject({ connector: 'discourse', hasCredentials: true, schedule: { everyMs: 3_600_000 }, webhook: { scheme: 'discourse', hasSecret: true } });
    expect(sources.find((s) => s.id === t.demo.widgetSourceId)).toMatchObject({ connector: 'webhook', webhook: { scheme: 'standard-webhooks', hasSecret: true } });
    const destination = (await t.get(`/v1/workspaces/${ws}/destinations/${t.demo.destinationId}`)).body;
    expect(destination).toMatchObject({ kind: 'http', url: `${t.handle.simulator.url}/crm/events`, secretFields: ['bearerToken'] });
    expect(JSON.stringify(destination)).not.toContain('crm_');
    expect((await t.get(`/v1/workspaces/${ws}/settings/alert-thresholds`)).body).toEqual({ EUR: '500' });
    expect(t.demo.dashboardUrl).toBe(`${t.baseUrl}/#key=${encodeURIComponent(t.demo.apiKey)}`);
    // The state file keeps the key: owner only.
    const stateFile = join(t.dataDir, DEMO_STATE_FILE);
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ workspaceId: ws, apiKey: t.demo.apiKey });
  });

  it('pulls the whole forum history through pagination and 429s, with the API key, and analyzes it', { timeout: 30_000 }, async () => {
    const ws = t.demo.workspaceId;
    const forum = t.handle.simulator.forum;
    const run = await t.until('the first pull to succeed', async () => {
      const runs = (await t.get(`/v1/workspaces/${ws}/sources/${t.demo.forumSourceId}/runs`)).body.items as { status: string; items: number; pages: number }[];
      return runs.find((r) => r.status === 'succeeded');
    });
    expect(run.items).toBe(forum.posts.length);
    expect(run.pages).toBeGreaterThanOrEqual(Math.ceil(forum.posts.length / 50));
    // The forum throttled the pull, and the connector waited as told instead of failing.
    expect(forum.stats.rateLimited).toBeGreaterThan(0);
    expect(forum.stats.unauthorized).toBe(0);
    expect(forum.stats.byPath['/search.json']).toBeGreaterThanOrEqual(run.pages);

    const pulled = await t.until('every post stored and analyzed', async () => {
      const items = await records(`source=${t.demo.forumSourceId}`);
      return items.length === forum.posts.length && items.every((r) => r.analysis.language) ? items : undefined;
    });
    expect(new Set(pulled.map((r) => r.externalId))).toEqual(new Set(forum.posts.map((p) => String(p.id))));
    const labels = new Set(pulled.map((r) => r.analysis.sentiment?.label));
    expect(labels).toContain('positive');
    expect(labels).toContain('negative');
    expect(new Set(pulled.map((r) => r.analysis.language?.code)).size).toBeGreaterThan(3);
    expect(pulled.some((r) => (r.analysis.topics ?? []).length > 0)).toBe(true);
  });

  it('receives the forum webhook, the widget and the billing system, each signed or authenticated', { timeout: 30_000 }, async () => {
    const { senders } = t.demo;
    const post = t.handle.simulator.writePost({ text: 'The new dark mode is lovely, thank you so much!' });
    await senders.widget.sendOne();
    await senders.billing.sendOne();
    await t.until('the forum webhook delivery', async () => senders.forum.stats.sent + senders.forum.stats.failed > 0);
    for (const s of [senders.forum, senders.widget, senders.billing]) expect(s.stats).toMatchObject({ failed: 0, lastStatus: 202 });

    const pushed = await t.until('the pushed post analyzed', async () => (await records(`source=${t.demo.forumSourceId}&text=lovely`)).find((r) => r.externalId === String(post.id) && r.analysis.sentiment));
    expect(pushed.analysis.sentiment?.label).toBe('positive');
    const widget = await t.until('the widget comment analyzed', async () => (await records(`source=${t.demo.widgetSourceId}`)).find((r) => r.analysis.sentiment));
    expect(widget.analysis.language?.code).toBeTruthy();
    const billing = await t.until('the value records', async () => {
      const items = await records('kind=measurement');
      return items.length > 0 ? items : undefined;
    });
    // The sender writes two decimals ("280.80"); storage keeps the canonical decimal ("280.8").
    for (const record of billing) expect(record.measurement?.value).toMatch(/^\d+(\.\d{1,2})?$/);
  });

  it('reports: insights with topics, source health, alerts', { timeout: 30_000 }, async () => {
    const ws = t.demo.workspaceId;
    const insights = (await t.get(`/v1/workspaces/${ws}/insights?bucket=day`)).body;
    expect(insights.totals.count).toBeGreaterThan(100);
    expect(insights.report.topTopics.length).toBeGreaterThan(3);

    const health = (await t.get(`/v1/workspaces/${ws}/health`)).body;
    const forum = health.sources.find((s: { id: string }) => s.id === t.demo.forumSourceId);
    expect(forum).toMatchObject({ status: 'healthy', mode: 'pull+push', lastRun: { status: 'succeeded' }, failuresInRow: 0 });
    expect(forum.lagMs).toBeGreaterThanOrEqual(0);
    expect(forum.records24h).toBeGreaterThan(0);
    expect(health.sources.find((s: { id: string }) => s.id === t.demo.widgetSourceId)).toMatchObject({ mode: 'push', lagBasis: 'last_record' });
    // A workspace key does not see the queue shared with other workspaces; the admin does.
    expect(health.stages.every((s: { queue: unknown }) => s.queue === null)).toBe(true);
    const asAdmin = (await t.get(`/v1/workspaces/${ws}/health`, t.adminToken)).body;
    expect(asAdmin.stages[0].queue).toMatchObject({ depth: expect.any(Number) });

    const alerts = (await t.get(`/v1/workspaces/${ws}/alerts?bucket=day`)).body.items as { kind: string; severity: string }[];
    expect(alerts.length).toBeGreaterThan(0);
    // The forum's history has a bad release three days ago: more complaints than usual.
    expect(alerts.some((a) => a.kind === 'volume_spike' || a.kind === 'negative_spike')).toBe(true);
  });

  it('delivers to the CRM; what it refuses is dead-lettered, and a replay gets it accepted', { timeout: 30_000 }, async () => {
    const ws = t.demo.workspaceId;
    const crm = t.handle.simulator.crm;
    const letters = await t.until('a refused delivery dead-lettered', async () => {
      const items = (await t.get(`/v1/workspaces/${ws}/dead-letters`)).body.items as { id: string; reason: string }[];
      return items.length > 0 ? items : undefined;
    });
    expect(crm.stats.accepted).toBeGreaterThan(0);
    expect(crm.stats.refused).toBeGreaterThan(0);
    expect(letters[0]!.reason).toMatch(/422/);
    const accepted = crm.stats.accepted;
    expect((await t.post(`/v1/workspaces/${ws}/dead-letters/${encodeURIComponent(letters[0]!.id)}/replay`)).status).toBe(202);
    await t.until('the replayed message accepted', async () => crm.stats.accepted > accepted);
    const after = (await t.get(`/v1/workspaces/${ws}/dead-letters`)).body.items as { id: string }[];
    expect(after.map((l) => l.id)).not.toContain(letters[0]!.id);
  });

  it('reuses its workspace after a restart, pointing the sources at the new simulator', { timeout: 30_000 }, async () => {
    const again = await prepareDemo({ dataDir: t.dataDir, simulator: { postEveryMs: false }, widgetEveryMs: false, billingEveryMs: false });
    try {
      for (const host of again.allowHosts) t.server.net.allowHost(host);
      const demo = await again.attach({ app: t.server.app, adminToken: t.adminToken, log: t.server.logger }, t.baseUrl);
      expect(demo).toMatchObject({ reused: true, workspaceId: t.demo.workspaceId, forumSourceId: t.demo.forumSourceId, apiKey: t.demo.apiKey });
      const source = (await t.get(`/v1/workspaces/${demo.workspaceId}/sources/${demo.forumSourceId}`)).body;
      expect(source.config.baseUrl).toBe(again.simulator.url);
      // Same history (the epoch is kept), so the forum's posts are the ones already stored.
      expect(again.simulator.forum.posts.map((p) => p.id)).toEqual(t.handle.simulator.forum.posts.filter((p) => p.id < 1_000_000).map((p) => p.id));
    } finally {
      await again.stop();
    }
  });
});

describe('demoEnabled', () => {
  it('is on by default only for one process on the embedded engine; flags and TRIBUTARY_DEMO win', () => {
    expect(demoEnabled({ flag: undefined, env: undefined, embedded: true, role: 'all' })).toBe(true);
    expect(demoEnabled({ flag: undefined, env: undefined, embedded: false, role: 'all' })).toBe(false);
    expect(demoEnabled({ flag: undefined, env: undefined, embedded: true, role: 'api' })).toBe(false);
    expect(demoEnabled({ flag: undefined, env: false, embedded: true, role: 'all' })).toBe(false);
    expect(demoEnabled({ flag: true, env: false, embedded: false, role: 'all' })).toBe(true);
    expect(demoEnabled({ flag: false, env: true, embedded: true, role: 'all' })).toBe(false);
  });
});
