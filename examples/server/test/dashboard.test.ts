import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as R from '../src/dashboard/client/render.js';
import { startTestServer, type TestServer } from './helpers.js';

// What attackers control: feedback texts (and so topic names), source and workspace names, error
// messages echoing provider answers, ids in dead letters.
const HOSTILE = [`<img src=x onerror=alert(1)>`, `"><script>alert(2)</script>`, `' onmouseover='alert(3)`, '`${alert(4)}`', '</title><svg onload=alert(5)>'];

/** No hostile string survives as markup: every `<` and quote of it is escaped. */
function expectInert(html: string) {
  expect(html).not.toMatch(/<img|<script|<svg onload|<\/title><svg/i);
  expect(html).not.toMatch(/["']\s*onmouseover=/);
  expect(html).not.toContain('`');
  expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
}

describe('dashboard rendering escapes attacker-controlled data', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');

  it('esc escapes text and attribute metacharacters', () => {
    expect(R.esc(`<a href="x" title='y'>&\``)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;');
    expect(R.esc(null)).toBe('');
    expect(R.esc(42)).toBe('42');
  });

  it('topic names and example texts', () => {
    const report = {
      topTopics: HOSTILE.map((topic, i) => ({
        topic,
        count: 10 - i,
        share: 0.1,
        meanSentiment: -0.4,
        isNew: i === 0,
        change: { absolute: 1, relative: 0.5 },
        examples: [{ text: `${topic} in a sentence ${HOSTILE[0]}` }],
      })),
    };
    const html = R.renderTopics(report);
    expectInert(html);
    expect(html.match(/<tr><td class="topic">/g)).toHaveLength(HOSTILE.length);
  });

  it('sources, errors and the sync button', () => {
    const health = {
      sources: HOSTILE.map((name, i) => ({
        id: `src_${i}"><b>`,
        name,
        connector: HOSTILE[1],
        mode: 'pull',
        enabled: true,
        schedule: { cron: HOSTILE[2] },
        status: i === 0 ? 'failing' : HOSTILE[3],
        reason: HOSTILE[0],
        lastRun: { status: 'failed', trigger: HOSTILE[4], finishedAt: '2026-03-10T11:00:00Z', items: 3, pages: 1, error: `HTTP 500 ${HOSTILE[0]}` },
        failedRuns: 1,
        recentErrors: [{ message: HOSTILE[1] }],
        records24h: 2,
        lastRecordAt: '2026-03-10T11:59:00Z',
        lagMs: 60_000,
        lagBasis: 'last_success',
      })),
    };
    const html = R.renderSources(health, now);
    expectInert(html);
    expect(html).toContain('data-id="src_0&quot;&gt;&lt;b&gt;"');
  });

  it('alerts, dead letters, workspace names and the summary', () => {
    const alerts = R.renderAlerts(HOSTILE.map((title) => ({ kind: title, severity: title, title, detail: title, at: '2026-03-10T11:00:00Z' })), now);
    expectInert(alerts);
    const letters = R.renderDeadLetters(
      HOSTILE.map((reason, i) => ({ id: `${i}${reason}`, stage: HOSTILE[1], reason, failedAt: '2026-03-10T10:00:00Z', attempts: 2, payload: { destinationId: HOSTILE[2], message: { type: HOSTILE[3], payload: { record: { content: { title: HOSTILE[0] } } } } } })),
      now,
    );
    expectInert(letters);
    expect(letters.match(/data-action="replay"/g)).toHaveLength(HOSTILE.length);
    const options = R.renderWorkspaceOptions(HOSTILE.map((name, i) => ({ id: `ws_${i}${name}`, name })), 'ws_0');
    expectInert(options);
    expect(options).not.toContain('<option value="ws_0<');
    const summary = R.renderSummary({ totals: { count: HOSTILE[0], average: HOSTILE[0] } }, { sources: [{ status: HOSTILE[0] }], deadLetters: HOSTILE[0] });
    expect(summary).not.toMatch(/<img|<script/);
  });

  it('pipeline stages', () => {
    const html = R.renderStages({ stages: [{ stage: HOSTILE[0], deadLetters: 2, queue: { depth: 3, inFlight: 1, oldestAgeMs: 5000 } }] });
    expectInert(html);
    expect(html).toContain('Queued');
    expect(R.renderStages({ stages: [{ stage: 'deliver', deadLetters: 0, queue: null }] })).toContain('the admin token shows them');
  });

  it('chart labels and titles', () => {
    const bars = R.barChart({ title: HOSTILE[4]!, yLabel: HOSTILE[0]!, xLabel: HOSTILE[1]!, labels: HOSTILE, series: [{ key: 'a', label: HOSTILE[2]!, color: '"/><script>' }], values: HOSTILE.map(() => ({ a: 1 })) });
    expectInert(bars);
    const line = R.lineChart({ title: HOSTILE[4]!, yLabel: HOSTILE[0]!, xLabel: HOSTILE[1]!, labels: HOSTILE, values: HOSTILE.map(() => 0.5), min: -1, max: 1, color: '"/><script>' });
    expectInert(line);
  });
});

describe('dashboard charts', () => {
  const insights = {
    from: '2026-03-01T00:00:00.000Z',
    to: '2026-03-08T00:00:00.000Z',
    bucket: 'day',
    // Only buckets with records, as the API answers.
    sentiment: [
      { bucket: '2026-03-02T00:00:00.000Z', count: 5, average: 0.4, positive: 3, negative: 1, neutral: 1 },
      { bucket: '2026-03-05T00:00:00.000Z', count: 8, average: -0.3, positive: 1, negative: 6, neutral: 0 },
    ],
  };

  it('fills the empty buckets of the period', () => {
    const rows = R.fillBuckets(insights);
    expect(rows.map((r) => r.bucket.slice(0, 10))).toEqual(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07']);
    expect(rows.map((r) => r.count)).toEqual([0, 5, 0, 0, 8, 0, 0]);
    expect(R.fillBuckets({ ...insights, bucket: 'week', sentiment: [] })[0]!.bucket).toBe('2026-02-23T00:00:00.000Z');
  });

  it('draws a bar per non-empty segment and a point per scored bucket, with axes and labels', () => {
    const volume = R.volumeChart(insights);
    // Mar 2: positive, neutral, negative; Mar 5: positive, negative and one record not scored.
    expect(volume.match(/<rect class="bar"/g)).toHaveLength(6);
    expect(volume).toContain('class="y-axis"');
    expect(volume).toContain('Mar 2');
    expect(volume).toContain('>records<');
    const sentiment = R.sentimentChart(insights);
    expect(sentiment.match(/<circle class="pt"/g)).toHaveLength(2);
    expect(sentiment).toContain('class="zero"');
    expect(sentiment).toMatch(/<path class="line" d="M[\d.]+ [\d.]+M[\d.]+ [\d.]+"/);
  });

  it('says so when there is nothing to draw', () => {
    expect(R.volumeChart({ ...insights, sentiment: [] })).toContain('No records in this period yet');
    expect(R.sentimentChart({ ...insights, sentiment: [{ bucket: '2026-03-02T00:00:00.000Z', count: 2, average: null, positive: 0, negative: 0, neutral: 0 }] })).toContain('No scored records');
  });

  it('picks round ticks', () => {
    expect(R.niceTicks(0, 37, 4)).toEqual([0, 10, 20, 30, 40]);
    expect(R.niceTicks(-1, 1, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
  });
});

describe('dashboard routes', () => {
  let t: TestServer;
  let ws: { id: string; apiKey: string };
  const forum = 'https://forum.example.com';
  beforeAll(async () => {
    // The forum refuses the credentials: the pull fails at once (no retry can fix a 401).
    t = await startTestServer({ respond: (url) => (url.startsWith(forum) ? Response.json({ errors: ['invalid key'] }, { status: 401 }) : undefined) });
    ws = await t.workspace('ops');
  });
  afterAll(() => t.close());

  it('serves the page and its files with a strict CSP, and nothing else under /dashboard', async () => {
    const page = await t.call('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.text).toContain('<script type="module" src="/dashboard/app.js">');
    expect(page.text).not.toMatch(/<script>|style=/);
    const app = await t.call('GET', '/dashboard/app.js');
    expect(app.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(app.text).toContain("from './render.js'");
    expect((await t.call('GET', '/dashboard/render.js')).text).toContain('export function esc');
    expect((await t.call('GET', '/dashboard/style.css')).headers.get('content-type')).toMatch(/^text\/css/);
    expect((await t.call('GET', '/dashboard/constructor')).status).toBe(404);
    expect((await t.call('GET', '/dashboard/..%2Fpage.ts')).status).toBe(404);
  });

  it('/v1/me tells a key its workspace and the admin all of them', async () => {
    expect((await t.call('GET', '/v1/me')).status).toBe(401);
    expect((await t.call('GET', '/v1/me', { token: 'trb_nope' })).status).toBe(401);
    expect((await t.call('GET', '/v1/me', { token: ws.apiKey })).body).toEqual({ principal: 'workspace', workspaces: [expect.objectContaining({ id: ws.id, name: 'ops' })] });
    const other = await t.workspace('other');
    const admin = (await t.call('GET', '/v1/me', { token: t.adminToken })).body;
    expect(admin.principal).toBe('admin');
    expect(admin.workspaces.map((w: { id: string }) => w.id)).toEqual(expect.arrayContaining([ws.id, other.id]));
    // Health and alerts are workspace routes: another workspace's key is refused.
    expect((await t.call('GET', `/v1/workspaces/${ws.id}/health`, { token: other.apiKey })).status).toBe(403);
    expect((await t.call('GET', `/v1/workspaces/${ws.id}/alerts`, { token: other.apiKey })).status).toBe(403);
  });

  it('reports a failing source with its error, and alerts on it and on values above the threshold', async () => {
    const src = await t.call('POST', `/v1/workspaces/${ws.id}/sources`, { token: ws.apiKey, body: { name: 'Forum', connector: 'discourse', config: { baseUrl: forum }, schedule: { every: '1h' } } });
    expect(src.status).toBe(201);
    expect((await t.call('POST', `/v1/workspaces/${ws.id}/sources/${src.body.id}/sync`, { token: ws.apiKey })).status).toBe(202);
    await t.call('PUT', `/v1/workspaces/${ws.id}/settings/alert-thresholds`, { token: ws.apiKey, body: { EUR: '100' } });
    const value = (recordId: string, v: string) => ({ recordId, time: new Date().toISOString(), sourceId: 'billing', destinationId: 'acct-1', type: 'negative', value: v, unit: 'EUR', reference: 'refund' });
    expect((await t.call('POST', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey, body: { records: [value('big', '250.00'), value('small', '99.99'), value('just', '100.01')] } })).status).toBe(202);
    await t.drain();

    const health = (await t.call('GET', `/v1/workspaces/${ws.id}/health`, { token: ws.apiKey })).body;
    const forumHealth = health.sources.find((s: { id: string }) => s.id === src.body.id);
    expect(forumHealth).toMatchObject({ status: 'failing', mode: 'pull', failuresInRow: 1, lastRun: { status: 'failed', error: expect.stringContaining('401') } });
    expect(forumHealth.recentErrors[0]).toMatchObject({ kind: 'run_failed', message: expect.stringContaining('401') });
    // Failing sources sort first.
    expect(health.sources[0].id).toBe(src.body.id);
    expect(health.sources.find((s: { id: string }) => s.id === 'api')).toMatchObject({ mode: 'push', status: 'healthy', records24h: 3 });

    const alerts = (await t.call('GET', `/v1/workspaces/${ws.id}/alerts?bucket=hour&from=${new Date(Date.now() - 86_400_000).toISOString()}`, { token: ws.apiKey })).body.items as { kind: string; severity: string; title: string }[];
    expect(alerts[0]).toMatchObject({ kind: 'source_failing', severity: 'critical' });
    const threshold = alerts.filter((a) => a.kind === 'threshold');
    expect(threshold.map((a) => a.severity).sort()).toEqual(['critical', 'warning']);
    expect(threshold.map((a) => a.title).join(' ')).toMatch(/250\.00 EUR.*100 EUR|100\.01 EUR/);
    expect(threshold.some((a) => a.title.includes('99.99'))).toBe(false);

    const bad = await t.call('GET', `/v1/workspaces/${ws.id}/alerts?from=2026-03-02&to=2026-03-01`, { token: ws.apiKey });
    expect(bad.status).toBe(400);
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = (await t.call('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/', '/v1/me', '/v1/workspaces/{ws}/health', '/v1/workspaces/{ws}/alerts']));
  });
});
