import { generateStandardWebhooksSecret } from '@tributary/core/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('health, readiness and metrics', () => {
  it('answers /healthz and /readyz', async () => {
    const health = await t.call('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok' });
    const ready = await t.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { storage: 'ok', queue: 'ok' }, engines: { storage: 'memory', queue: 'memory' } });
  });

  it('answers 503 from /readyz when an engine is unreachable, without its error', async () => {
    const storage = t.server.pipeline.storage as { getDocument: (...args: unknown[]) => Promise<unknown> };
    const original = storage.getDocument;
    storage.getDocument = async () => {
      throw new Error('connect ECONNREFUSED postgres://tributary:hunter2@10.0.0.5:5432');
    };
    try {
      const ready = await t.call('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'unavailable', checks: { storage: 'unreachable', queue: 'ok' } });
      expect(ready.text).not.toContain('hunter2');
    } finally {
      storage.getDocument = original;
    }
  });

  it('exposes Prometheus metrics fed by the pipeline', async () => {
    const ws = await t.workspace('metrics');
    await t.call('POST', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey, body: { externalId: 'm1', itemType: 'note', occurredAt: '2026-01-01T00:00:00Z', content: { text: 'hello' } } });
    await t.drain();
    const res = await t.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/^tributary_records_stored_total\{status="created"\} 1$/m);
    expect(res.text).toMatch(/^tributary_ingest_items_total\{route="records"\} 1$/m);
    expect(res.text).toMatch(/^tributary_queue_depth\{topic="tributary.deliver"\} 0$/m);
    expect(res.text).toMatch(/^tributary_queue_oldest_age_seconds\{topic="tributary.parse"\} 0$/m);
    expect(res.text).toMatch(/^tributary_http_requests_total\{method="POST",route="\/v1\/workspaces\/:ws\/records",status="202"\} 1$/m);
    expect(res.text).toContain('# TYPE tributary_deliveries_total counter');
    expect(res.text).toContain('# TYPE tributary_stage_duration_seconds histogram');
  });
});

describe('OpenAPI and docs', () => {
  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const res = await t.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/v1/workspaces', '/v1/workspaces/{ws}/sources', '/v1/workspaces/{ws}/sources/{id}/sync', '/v1/hooks/{ws}/{source}', '/v1/workspaces/{ws}/records', '/v1/workspaces/{ws}/aggregates', '/v1/workspaces/{ws}/insights', '/v1/workspaces/{ws}/destinations', '/v1/workspaces/{ws}/dead-letters/{id}/replay', '/healthz', '/readyz', '/metrics']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const create = doc.paths['/v1/workspaces/{ws}/sources'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['name', 'connector']));
    expect(create.security).toEqual([{ workspaceKey: [] }, { adminToken: [] }]);
    expect(create.responses['201'].content['application/json'].schema.properties.webhookUrl).toBeDefined();
    const list = doc.paths['/v1/workspaces/{ws}/records'].get;
    const limit = list.parameters.find((p: { name: string }) => p.name === 'limit');
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { maximum: 1000 } });
    expect(list.parameters.find((p: { name: string }) => p.name === 'ws')).toMatchObject({ in: 'path', required: true });
    expect(doc.components.securitySchemes.workspaceKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops as Record<string, { operationId: string }>).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('serves a self-contained docs page', async () => {
    const res = await t.call('GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.text).toContain("fetch('openapi.json')");
    expect(res.text).not.toMatch(/<script[^>]+src=|<link[^>]+href=["']https?:/);
    const script = /<script>([\s\S]*)<\/script>/.exec(res.text)![1]!;
    expect(() => new Function(script)).not.toThrow();
  });
});

describe('HTTP behaviour', () => {
  it('echoes a valid x-request-id and generates one otherwise', async () => {
    expect((await t.call('GET', '/healthz', { headers: { 'x-request-id': 'req-123' } })).headers.get('x-request-id')).toBe('req-123');
    const generated = (await t.call('GET', '/healthz', { headers: { 'x-request-id': 'bad id with spaces' } })).headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const notFound = await t.call('GET', '/nope', { headers: { 'x-request-id': 'req-404' } });
    expect(notFound.status).toBe(404);
    expect(notFound.body).toEqual({ error: { code: 'not_found', message: 'no route for GET /nope' } });
    expect(notFound.headers.get('x-request-id')).toBe('req-404');
    expect(t.logs.some((l) => l.includes('"reqId":"req-123"') && l.includes('"route":"/healthz"'))).toBe(true);
  });

  it('answers 413 JSON for a body over the limit', async () => {
    const ws = await t.workspace('big');
    const big = JSON.stringify({ externalId: 'x', itemType: 'note', occurredAt: '2026-01-01T00:00:00Z', content: { text: 'x'.repeat(1024 * 1024) } });
    const res = await t.call('POST', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey, raw: big, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    // Also when no length is announced (a stream).
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await t.server.app.fetch(new Request(`http://tributary.test/v1/workspaces/${ws.id}/records`, { method: 'POST', body: stream, duplex: 'half', headers: { authorization: `Bearer ${ws.apiKey}` } } as RequestInit));
    expect(streamed.status).toBe(413);
    const src = await t.call('POST', `/v1/workspaces/${ws.id}/sources`, { token: ws.apiKey, body: { name: 'hooked', connector: 'discourse', config: { baseUrl: 'https://forum.example.com' }, webhook: { secret: 's' } } });
    const hook = await t.call('POST', `/v1/hooks/${ws.id}/${src.body.id}`, { raw: big, headers: { 'content-type': 'application/json' } });
    expect(hook.status).toBe(413);
  });

  it('answers 500 without internals when something unexpected fails, and logs it', async () => {
    const ws = await t.workspace('broken');
    const storage = t.server.pipeline.storage as { queryRecords: (...args: unknown[]) => Promise<unknown> };
    const original = storage.queryRecords;
    storage.queryRecords = async () => {
      throw new Error('connect ECONNREFUSED postgres://tributary:hunter2@10.0.0.5:5432');
    };
    try {
      const res = await t.call('GET', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey, headers: { 'x-request-id': 'req-500' } });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: 'internal', message: 'internal error' } });
      expect(t.logs.some((l) => l.includes('"reqId":"req-500"') && l.includes('"level":"error"'))).toBe(true);
    } finally {
      storage.queryRecords = original;
    }
  });
});

describe('rate limits', () => {
  it('answers 429 JSON with Retry-After past the per-workspace limit, per workspace', async () => {
    const limited = await startTestServer({ env: { TRIBUTARY_RATE_LIMIT: '1', TRIBUTARY_RATE_BURST: '3' } });
    try {
      const a = await limited.workspace('a');
      const b = await limited.workspace('b');
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.call('GET', `/v1/workspaces/${a.id}`, { token: a.apiKey })).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const refused = await limited.call('GET', `/v1/workspaces/${a.id}`, { token: a.apiKey });
      expect(refused.body.error.code).toBe('rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Another workspace has its own budget.
      expect((await limited.call('GET', `/v1/workspaces/${b.id}`, { token: b.apiKey })).status).toBe(200);
      // Webhooks have their own budget too.
      expect((await limited.call('POST', `/v1/hooks/${a.id}/src_x`, { raw: '{}' })).status).toBe(404);
      expect((await limited.call('GET', '/metrics')).text).toMatch(/tributary_http_rate_limited_total\{kind="api"\} [1-9]/);
    } finally {
      await limited.close();
    }
  });
});

describe('secrets', () => {
  it('never appear in a response or a log line', async () => {
    const ws = await t.workspace('secretive');
    const secrets = {
      credentials: 'discourse-key-LEAK1',
      hook: 'hook-secret-LEAK2',
      webhookTarget: generateStandardWebhooksSecret(),
      slack: 'https://hooks.slack.com/services/T1/B1/LEAK3',
      email: 'SG.LEAK4-email-api-key',
    };
    const answers = [
      await t.call('POST', `/v1/workspaces/${ws.id}/sources`, { token: ws.apiKey, body: { name: 's', connector: 'discourse', config: { baseUrl: 'https://forum.example.com' }, credentials: { apiKey: secrets.credentials, apiUsername: 'system' }, check: false, webhook: { secret: secrets.hook } } }),
      await t.call('POST', `/v1/workspaces/${ws.id}/destinations`, { token: ws.apiKey, body: { kind: 'webhook', url: 'https://r.example.com', config: { secret: secrets.webhookTarget }, rateLimit: { perSecond: 100, burst: 100 } } }),
      await t.call('POST', `/v1/workspaces/${ws.id}/destinations`, { token: ws.apiKey, body: { kind: 'slack', url: secrets.slack, rateLimit: { perSecond: 100, burst: 100 } } }),
      await t.call('POST', `/v1/workspaces/${ws.id}/destinations`, { token: ws.apiKey, body: { kind: 'email', config: { apiKey: secrets.email, from: 'a@example.com', to: ['b@example.com'] }, rateLimit: { perSecond: 100, burst: 100 } } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    const sourceId = answers[0]!.body.id;
    answers.push(await t.call('GET', `/v1/workspaces/${ws.id}/sources`, { token: ws.apiKey }));
    answers.push(await t.call('GET', `/v1/workspaces/${ws.id}/destinations`, { token: ws.apiKey }));
    answers.push(await t.call('PATCH', `/v1/workspaces/${ws.id}/sources/${sourceId}`, { token: ws.apiKey, body: { credentials: { apiKey: secrets.credentials, apiUsername: 'x' }, check: false } }));
    // Failed requests carrying secrets too.
    answers.push(await t.call('POST', `/v1/workspaces/${ws.id}/destinations`, { token: ws.apiKey, body: { kind: 'slack', url: `${secrets.slack} not a url`, rateLimit: { perSecond: 100, burst: 100 } } }));
    answers.push(await t.call('POST', `/v1/workspaces/${ws.id}/sources`, { token: ws.apiKey, body: { name: 's', connector: 'discourse', config: { baseUrl: 'https://forum.example.com' }, credentials: { apiKey: secrets.credentials } } }));
    answers.push(await t.call('GET', `/v1/workspaces/${ws.id}`, { token: `${ws.apiKey}x` }));
    await t.call('POST', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey, body: { externalId: 's1', itemType: 'note', occurredAt: '2026-01-01T00:00:00Z', content: { text: 'hi' } } });
    await t.drain();

    const everything = [...answers.map((a) => a.text), ...t.logs];
    expect(t.logs.length).toBeGreaterThan(10);
    for (const secret of [...Object.values(secrets), secrets.webhookTarget.slice('whsec_'.length), ws.apiKey, ws.apiKey.split('.')[1]!, t.adminToken, t.secretKey]) {
      for (const text of everything) expect(text.includes(secret), `leaked ${secret.slice(0, 12)}… in ${text.slice(0, 200)}`).toBe(false);
    }
  });
});
