// Hand-offs between stages, made to fail at the worst moment, deterministically and in process: each
// stage writes to storage and then publishes to the next stage's topic, and a process may die (or
// the broker become unreachable) between the two. The crash suite hits these windows by chance; this
// file hits each of them on purpose. The queue below refuses the first publish to one stage's topic
// (the same failure as a broker outage, or a SIGKILL right after the storage write), and the event
// must still be stored once and delivered once.
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import type { QueueAdapter } from '@tributary/core/queue';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engines } from '../../examples/server/src/engines.js';
import { startTestServer, type TestServer } from '../../examples/server/test/helpers.js';

/** A memory queue whose first `failures` publishes to `topic` throw, as an unreachable broker does. */
function queueFailingOnce(topic: string, failures = 1): QueueAdapter & { failed: number } {
  const queue = createMemoryQueue();
  let left = failures;
  const fail = (t: string) => {
    if (t === topic && left > 0) {
      left--;
      wrapped.failed++;
      throw Object.assign(new Error(`injected: broker unreachable while publishing to ${t}`), { code: 'ECONNREFUSED' });
    }
  };
  const wrapped: QueueAdapter & { failed: number } = {
    ...queue,
    failed: 0,
    capabilities: queue.capabilities,
    async publish(t, payload, o) {
      fail(t);
      return queue.publish(t, payload, o);
    },
    async publishBatch(t, messages) {
      fail(t);
      return queue.publishBatch ? queue.publishBatch(t, messages) : Promise.all(messages.map((m) => queue.publish(t, m.payload, m.options)));
    },
  };
  return wrapped;
}

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function run(topic: string) {
  const queue = queueFailingOnce(topic);
  const storage = createMemoryStorage();
  const engines: Engines = { storage, queue, describe: { storage: 'memory', queue: 'memory (failing once)' }, async dispose() {
    await queue.dispose();
    await storage.dispose();
  } };
  // Retries come quickly here: the stages' first retry waits at most a second.
  t = await startTestServer({ server: { engines } });
  const ws = await t.workspace('handoff');
  const destination = await t.call('POST', `/v1/workspaces/${ws.id}/destinations`, {
    token: ws.apiKey,
    body: { kind: 'http', url: 'https://receiver.example.com/in', rateLimit: { perSecond: 100, burst: 100 }, filter: { types: ['record.processed'] } },
  });
  expect(destination.status).toBe(201);
  const sent = await t.call('POST', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey, body: { externalId: 'e1', itemType: 'note', occurredAt: '2026-01-01T00:00:00Z', content: { text: 'hello' } } });
  expect(sent.status).toBe(202);
  await t.drain();
  const records = await t.call('GET', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey });
  const deliveries = t.received.filter((r) => r.url === 'https://receiver.example.com/in');
  return { injected: queue.failed, stored: records.body.items.length, delivered: new Set(deliveries.map((d) => d.headers.get('idempotency-key'))).size };
}

describe('stage hand-offs under a failed publish', () => {
  it('parse → analyze: the parse job is retried and the record is stored and delivered', async () => {
    expect(await run('tributary.analyze')).toEqual({ injected: 1, stored: 1, delivered: 1 });
  });

  it('report → deliver: the report job is retried and the message is delivered', async () => {
    expect(await run('tributary.deliver')).toEqual({ injected: 1, stored: 1, delivered: 1 });
  });

  // The analyze stage upserts the records, then publishes the report job. When that publish failed (or
  // the process died in between), the retried job used to find the records stored with the same
  // content hash, count them `unchanged` and publish no report job: stored, never delivered. Found by
  // the crash suite, fixed in core (a redelivered job reports what it finds unchanged); this is the
  // deterministic regression test.
  it('analyze → report: the analyze job is retried and the record is still reported and delivered', async () => {
    expect(await run('tributary.report')).toEqual({ injected: 1, stored: 1, delivered: 1 });
  });
});
