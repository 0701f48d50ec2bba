import { randomBytes } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { signDiscourse } from '@tributary/core/webhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTracing } from '../src/telemetry/tracing.js';
import { parseTraceparent, formatTraceparent } from '../src/telemetry/traceparent.js';
import { discoursePost, startTestServer, type TestServer } from './helpers.js';

const exporter = new InMemorySpanExporter();
let t: TestServer;
let ws: { id: string; apiKey: string };
let sourceId: string;
const secret = 'telemetry-hook-secret';

beforeAll(async () => {
  t = await startTestServer({ server: { tracing: createTracing({ exporter, simple: true }) } });
  ws = await t.workspace();
  const src = await t.call('POST', `/v1/workspaces/${ws.id}/sources`, { token: ws.apiKey, body: { name: 'Forum', connector: 'discourse', config: { baseUrl: 'https://forum.example.com' }, webhook: { secret }, check: false } });
  sourceId = src.body.id;
  await t.call('POST', `/v1/workspaces/${ws.id}/destinations`, { token: ws.apiKey, body: { kind: 'http', url: 'https://receiver.example.com/in', rateLimit: { perSecond: 100, burst: 100 }, filter: { types: ['record.processed'] } } });
});
afterAll(() => t?.close());
beforeEach(() => exporter.reset());

const byName = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

async function sendHook(postId: number, headers: Record<string, string> = {}) {
  const body = JSON.stringify(discoursePost(postId, 'The new release is excellent, I love it'));
  const res = await t.call('POST', `/v1/hooks/${ws.id}/${sourceId}`, { raw: body, headers: { 'content-type': 'application/json', 'x-discourse-event': 'post_created', ...signDiscourse(body, secret), ...headers } });
  expect(res.status).toBe(202);
  await t.drain();
  return res;
}

describe('traces across stages', () => {
  it("continues a webhook's incoming traceparent through parse, analyze, report and deliver", async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    await sendHook(7001, { traceparent: `00-${traceId}-${callerSpanId}-01` });
    const spans = exporter.getFinishedSpans();

    const [request] = byName(spans, 'POST /v1/hooks/:ws/:source');
    expect(request).toBeDefined();
    expect(request!.kind).toBe(SpanKind.SERVER);
    expect(request!.spanContext().traceId).toBe(traceId);
    expect(request!.parentSpanContext?.spanId).toBe(callerSpanId);
    expect(request!.attributes).toMatchObject({ 'http.response.status_code': 202, 'tributary.workspace_id': ws.id, 'tributary.source_id': sourceId });

    const [parse] = byName(spans, 'parse process');
    const [analyze] = byName(spans, 'analyze process');
    const [report] = byName(spans, 'report process');
    const [deliver] = byName(spans, 'deliver process');
    for (const span of [parse, analyze, report, deliver]) {
      expect(span).toBeDefined();
      expect(span!.spanContext().traceId).toBe(traceId);
      expect(span!.kind).toBe(SpanKind.CONSUMER);
      expect(span!.attributes).toMatchObject({ 'tributary.workspace_id': ws.id, 'tributary.attempt': 1, 'tributary.outcome': 'ack', 'messaging.message.id': expect.any(String) });
    }
    // Each stage is the child of the one that queued its message.
    expect(parse!.parentSpanContext?.spanId).toBe(request!.spanContext().spanId);
    expect(analyze!.parentSpanContext?.spanId).toBe(parse!.spanContext().spanId);
    expect(report!.parentSpanContext?.spanId).toBe(analyze!.spanContext().spanId);
    expect(deliver!.parentSpanContext?.spanId).toBe(report!.spanContext().spanId);
    expect(parse!.attributes).toMatchObject({ 'tributary.stage': 'parse', 'tributary.source_id': sourceId, 'messaging.destination.name': 'tributary.parse' });
    expect(deliver!.attributes['tributary.destination_id']).toMatch(/^dst_/);
  });

  it('starts a trace at a request without traceparent, and at the records API', async () => {
    await sendHook(7002);
    const res = await t.call('POST', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey, body: { externalId: 'tele-1', itemType: 'note', occurredAt: '2026-01-01T00:00:00Z', content: { text: 'Terrible, it broke again' } } });
    expect(res.status).toBe(202);
    await t.drain();
    const spans = exporter.getFinishedSpans();
    for (const route of ['POST /v1/hooks/:ws/:source', 'POST /v1/workspaces/:ws/records']) {
      const [request] = byName(spans, route);
      expect(request?.parentSpanContext).toBeUndefined();
      const stages = spans.filter((s) => s.kind === SpanKind.CONSUMER && s.spanContext().traceId === request!.spanContext().traceId).map((s) => s.attributes['tributary.stage']);
      expect(stages.sort()).toEqual(['analyze', 'deliver', 'parse', 'report']);
    }
  });

  it('keeps every request in the trace when concurrent deliveries share a parse message: parent or span link', async () => {
    const posts = [7101, 7102, 7103, 7104];
    const sent = await Promise.all(
      posts.map(async (postId) => {
        const body = JSON.stringify(discoursePost(postId, 'Concurrent praise, lovely'));
        const traceId = randomBytes(16).toString('hex');
        const res = await t.call('POST', `/v1/hooks/${ws.id}/${sourceId}`, { raw: body, headers: { 'content-type': 'application/json', 'x-discourse-event': 'post_created', ...signDiscourse(body, secret), traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } });
        expect(res.status).toBe(202);
        return traceId;
      }),
    );
    await t.drain();
    const spans = exporter.getFinishedSpans();
    const parses = byName(spans, 'parse process');
    const items = parses.reduce((n, p) => n + Number(p.attributes['tributary.items']), 0);
    expect(items).toBe(posts.length);
    for (const traceId of sent) {
      const request = byName(spans, 'POST /v1/hooks/:ws/:source').find((s) => s.spanContext().traceId === traceId)!;
      expect(request).toBeDefined();
      const spanId = request.spanContext().spanId;
      // Its items were parsed under its own span, or in a message another request started, linked to it.
      const parent = parses.filter((p) => p.parentSpanContext?.spanId === spanId);
      const linked = parses.filter((p) => p.links.some((l) => l.context.spanId === spanId && l.context.traceId === traceId));
      expect(parent.length + linked.length).toBe(1);
    }
  });

  it('marks a failing stage message on its span', async () => {
    const poisoned = await t.server.pipeline.queue.publish(t.server.pipeline.topics.parse, { workspaceId: ws.id, sourceId: 'src_missing', connector: { name: 'discourse', version: '1' }, items: [], receivedAt: new Date().toISOString() });
    await t.drain();
    const [span] = exporter.getFinishedSpans().filter((s) => s.attributes['messaging.message.id'] === poisoned);
    expect(span).toBeDefined();
    expect(span!.attributes['tributary.outcome']).not.toBe('ack');
    expect(span!.status.code).toBe(2);
  });

  it('reads and writes traceparent headers', () => {
    const header = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(formatTraceparent(parseTraceparent(header)!)).toBe(header);
    expect(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined();
    expect(parseTraceparent('garbage')).toBeUndefined();
  });
});
