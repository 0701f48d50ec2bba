// One dispatcher process of the dispatch benchmark: its own in-process queue holding its share of the
// events, the shared target, and (with REDIS_URL) the limiter shared with the other processes.
import { createDispatcher, createLocalLimiter, startProcessor } from '@tributary/core/dispatcher';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { defineTarget } from '@tributary/core/target';
import { createRedisLimiter } from '@tributary/adapters/redis-limiter';
import { z } from 'zod';

export async function runDispatcher(o: { url: string; from: number; count: number; perSecond: number; burst: number; redisUrl?: string; limitKey: string }): Promise<{ deadLetters: number; durationMs: number }> {
  const target = defineTarget({
    name: 'bench-http',
    version: '1.0.0',
    configSchema: z.object({}),
    async send(message, { signal }) {
      const res = await fetch(o.url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': message.idempotencyKey }, body: JSON.stringify(message.payload), signal });
      await res.arrayBuffer();
      const retryAfter = res.headers.get('retry-after');
      return { ok: res.ok, status: res.status, ...(retryAfter ? { retryAfterMs: Number(retryAfter) * 1000 } : {}) };
    },
  });
  const queue = createMemoryQueue();
  const limiter = o.redisUrl ? createRedisLimiter({ url: o.redisUrl }) : createLocalLimiter();
  const dispatcher = createDispatcher({ limiter, timeoutMs: 5000, failureThreshold: 50, ...(process.env.HEADROOM ? { headroomTokens: Number(process.env.HEADROOM) } : {}) });
  for (let i = o.from; i < o.from + o.count; i++) {
    await queue.publish('events', { id: `e${i}`, idempotencyKey: `event-${i}`, type: 'bench', workspaceId: 'w', payload: { n: i }, createdAt: new Date().toISOString() });
  }
  const started = Date.now();
  const sub = await startProcessor({ queue, topic: 'events', dispatcher, route: () => ({ key: o.limitKey, target, config: {}, rateLimit: { perSecond: o.perSecond, burst: o.burst }, concurrency: 32 }), concurrency: 64, maxAttempts: 20 });
  for (;;) {
    const s = await queue.stats('events');
    if (s.depth === 0 && s.inFlight === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const durationMs = Date.now() - started;
  const deadLetters = (await queue.listDeadLetters('events', { limit: 100_000 })).length;
  await sub.close();
  await dispatcher.dispose();
  await queue.dispose();
  return { deadLetters, durationMs };
}

// As a child process: read the job from the environment and print the result as JSON.
if (process.env.DISPATCH_JOB) {
  const job = JSON.parse(process.env.DISPATCH_JOB);
  const result = await runDispatcher(job);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
