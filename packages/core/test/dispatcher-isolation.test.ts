// Known bug 2 (docs/reliability.md): a message for a bad destination held a consumer slot while it
// waited — for a paused target, or behind the request slots of a target that times out — so one bad
// destination stalled every other one, and each wait cost an attempt. These tests run on a manual
// clock and the in-memory queue: exact, no sleeping.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock, type ManualClock } from '@tributary/core/clock';
import { createDispatcher, createLocalLimiter, deliveryAttempt, DEFERRAL_HEADERS, requeueDeferred, startProcessor, type DispatchTarget, type RateLimiter } from '@tributary/core/dispatcher';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { defineTarget, type DeliveryResult, type OutboundMessage } from '@tributary/core/target';

const msg = (n: number, prefix = 'm'): OutboundMessage => ({ id: `${prefix}${n}`, idempotencyKey: `${prefix}-k${n}`, type: 'test', workspaceId: 'w', payload: { n }, createdAt: '2026-01-01T00:00:00Z' });
const ctx = (attempt = 1, maxAttempts = 3) => ({ attempt, maxAttempts, signal: new AbortController().signal });

/** A target whose answers are scripted; records each request with the clock's time. */
function scripted(clock: ManualClock, name: string, answer: (m: OutboundMessage) => DeliveryResult | Promise<DeliveryResult>) {
  const calls: { key: string; at: number }[] = [];
  const target = defineTarget({
    name,
    version: '1.0.0',
    configSchema: z.object({}),
    async send(m) {
      calls.push({ key: m.idempotencyKey, at: clock.now() });
      return answer(m);
    },
  });
  return { target, calls };
}

/** A target that never answers (the dispatcher's timeout ends each request). */
const hanging = (clock: ManualClock) => scripted(clock, 'hanging', () => new Promise<DeliveryResult>(() => undefined));

const dest = (key: string, target: DispatchTarget['target'], extra: Partial<DispatchTarget> = {}): DispatchTarget => ({ key, target, config: {}, rateLimit: { perSecond: 1000, burst: 100 }, ...extra });

/** Advances the manual clock in steps until `done` holds, up to `limitMs`. */
async function advanceUntil(clock: ManualClock, done: () => boolean | Promise<boolean>, limitMs: number, stepMs = 50): Promise<number> {
  const start = clock.now();
  while (!(await done())) {
    if (clock.now() - start >= limitMs) throw new Error(`not done within ${limitMs} ms of clock time`);
    await clock.advance(stepMs);
  }
  return clock.now() - start;
}

describe('dispatcher: a destination that cannot take a message now does not hold the caller', () => {
  it('behind the busy request slots of a healthy target, waits up to one request timeout; of a failing one, defers at once without a request', async () => {
    const clock = createManualClock(0);
    const slow = hanging(clock);
    const d = createDispatcher({ clock, timeoutMs: 5000, maxWaitMs: 1000, random: () => 0 });
    const target = dest('slow', slow.target, { concurrency: 2 });
    const first = [d.dispatch(target, msg(1), ctx()), d.dispatch(target, msg(2), ctx())];
    let third: unknown;
    void d.dispatch(target, msg(3), ctx()).then((r) => (third = r));
    await clock.advance(4900);
    // Nothing has failed yet: a slot frees within one request's timeout, so the third one waits.
    expect(third).toBeUndefined();
    expect(slow.calls.map((c) => c.key)).toEqual(['m-k1', 'm-k2']);
    await clock.advance(200);
    await expect(Promise.all(first)).resolves.toMatchObject([{ action: 'retry' }, { action: 'retry' }]);
    await clock.advance(10);
    expect(slow.calls.map((c) => c.key)).toEqual(['m-k1', 'm-k2', 'm-k3']);

    // Now the target is known to be failing: with its slots busy again, a newcomer is handed back at
    // once, without waiting and without a request.
    const fourth = d.dispatch(target, msg(4), ctx());
    await clock.advance(10);
    const at = clock.now();
    await expect(d.dispatch(target, msg(5), ctx())).resolves.toEqual({ action: 'defer', delayMs: 500, reason: 'slow is failing and all its request slots are busy' });
    expect(clock.now()).toBe(at);
    await clock.advance(5100);
    await fourth;
    expect(third).toMatchObject({ action: 'retry' });
    expect(d.metrics().slow).toMatchObject({ requests: 4, failed: 4, deferred: 1, inFlight: 0 });
  });

  it('without a rate token within maxWaitMs, defers; the limit is never exceeded', async () => {
    const clock = createManualClock(0);
    const t = scripted(clock, 'paced', () => ({ ok: true, status: 200 }));
    const d = createDispatcher({ clock, maxWaitMs: 1000, random: () => 0 });
    // One request a second (burst 1: the dispatcher paces at 95% of it, one every 1053 ms).
    const target = dest('paced', t.target, { rateLimit: { perSecond: 1, burst: 1 } });
    const results = Array.from({ length: 3 }, (_, i) => d.dispatch(target, msg(i), ctx()));
    await clock.advance(3000);
    const settled = await Promise.all(results);
    expect(settled.map((r) => r.action)).toEqual(['ack', 'defer', 'defer']);
    expect(t.calls).toHaveLength(1);
  });

  it('once the circuit opened, one request at a time probes the target; the others are handed back', async () => {
    const clock = createManualClock(0);
    const t = scripted(clock, 'down', () => ({ ok: false, status: 503 }));
    const d = createDispatcher({ clock, failureThreshold: 2, maxWaitMs: 1000, random: () => 0 });
    const target = dest('down', t.target);
    for (let i = 0; i < 2; i++) {
      const p = d.dispatch(target, msg(i), ctx(1, 10));
      await clock.advance(10);
      await p;
    }
    expect(d.metrics().down!.pausedUntil).toBe(t.calls[1]!.at + 1000);
    await clock.advance(d.metrics().down!.pausedUntil - clock.now());
    // The pause is over: three messages arrive together; one probes, two go back unsent.
    const pending = Promise.all([0, 1, 2].map((i) => d.dispatch(target, msg(10 + i), ctx(1, 10))));
    await clock.advance(10); // after a pause the bucket starts empty: the probe's token comes a tick later
    const results = await pending;
    expect(results.map((r) => r.action).sort()).toEqual(['defer', 'defer', 'retry']);
    expect(t.calls).toHaveLength(3);
    // The failed probe reopened the circuit for twice as long.
    expect(d.metrics().down!.pausedUntil - t.calls[2]!.at).toBe(2000);
  });

  it('a limiter that fails (not our wait running out) is an error for the caller, not a deferral', async () => {
    const clock = createManualClock(0);
    const t = scripted(clock, 'any', () => ({ ok: true, status: 200 }));
    const broken: RateLimiter = { ...createLocalLimiter({ clock }), acquire: () => Promise.reject(new Error('limiter store unreachable')) };
    const d = createDispatcher({ clock, limiter: broken });
    await expect(d.dispatch(dest('any', t.target), msg(1), ctx())).rejects.toThrow('limiter store unreachable');
    expect(d.metrics().any).toMatchObject({ deferred: 0, requests: 0 });
  });
});

describe('deferred copies', () => {
  it('carry the real sends, bound to the copy id, so a replayed dead letter starts afresh', async () => {
    const queue = createMemoryQueue();
    const published: { id: string; headers: Record<string, string> }[] = [];
    const spy = { ...queue, publish: async (topic: string, payload: unknown, o: { id?: string; headers?: Record<string, string> } = {}) => {
      published.push({ id: o.id!, headers: o.headers! });
      return queue.publish(topic, payload, o);
    } };
    const original = { id: 'q1', topic: 't', payload: {}, headers: { traceparent: 'tp' }, attempt: 3, publishedAt: 0 };
    expect(deliveryAttempt(original)).toBe(3);
    await requeueDeferred(spy, original, 100);
    const copy = { ...original, id: published[0]!.id, headers: published[0]!.headers, attempt: 1 };
    expect(copy.id).toBe('q1~defer1');
    // two deliveries of the original failed before it was deferred: this send is the third attempt
    expect(deliveryAttempt(copy)).toBe(3);
    expect(copy.headers).toMatchObject({ traceparent: 'tp', [DEFERRAL_HEADERS.sends]: '2', [DEFERRAL_HEADERS.deferrals]: '1' });
    await requeueDeferred(spy, copy, 100);
    expect(published[1]!.id).toBe('q1~defer2');
    expect(published[1]!.headers[DEFERRAL_HEADERS.sends]).toBe('2');
    // A replay publishes the dead letter under a new id: its counts no longer apply.
    expect(deliveryAttempt({ ...copy, id: 'q1~defer1~replay7', attempt: 1 })).toBe(1);
    await queue.dispose();
  });
});

describe('processor: one bad destination does not stall the others', () => {
  const setUp = async (options: { badAnswer: (clock: ManualClock) => ReturnType<typeof scripted>; maxAttempts?: number; backlog: number }) => {
    const clock = createManualClock(0);
    const queue = createMemoryQueue({ clock });
    const bad = options.badAnswer(clock);
    const good = scripted(clock, 'good', () => ({ ok: true, status: 200 }));
    const dispatcher = createDispatcher({ clock, timeoutMs: 5000, random: () => 0.5 });
    const sub = await startProcessor({
      queue,
      topic: 'events',
      dispatcher,
      route: (m) => (m.idempotencyKey.startsWith('bad') ? dest('bad', bad.target) : dest('good', good.target)),
      maxAttempts: options.maxAttempts ?? 10,
    });
    for (let i = 0; i < options.backlog; i++) await queue.publish('events', msg(i, 'bad'));
    return { clock, queue, bad, good, dispatcher, sub };
  };

  it('a destination that times out: the healthy one gets its messages within a few seconds, not after the backlog', async () => {
    const s = await setUp({ badAnswer: hanging, backlog: 100 });
    await s.clock.advance(100); // the backlog's first requests are hanging
    for (let i = 0; i < 20; i++) await s.queue.publish('events', msg(i, 'good'));
    const took = await advanceUntil(s.clock, () => s.good.calls.length === 20, 60_000);
    // 16 slots; the bad destination may hold its 4 request slots (a real send each) and, until its
    // first timeout shows it failing, keep others waiting for one (at most timeoutMs + maxWaitMs);
    // from then on its backlog is handed back at once.
    expect(took).toBeLessThanOrEqual(8000);
    expect(s.bad.calls.length, 'only the requests its slots allow reached the bad target').toBeLessThanOrEqual(8);
    expect(s.dispatcher.metrics().bad!.deferred).toBeGreaterThan(0);
    await s.sub.close();
    await s.queue.dispose();
  });

  it('a paused destination: waiting costs no attempt — after long pauses every message is delivered, none dead-lettered', async () => {
    // Throttled for 45 s with `Retry-After: 30`: two pauses, 0–30 s and 30–60 s.
    const paused = (clock: ManualClock) => scripted(clock, 'paused', () => (clock.now() < 45_000 ? { ok: false, status: 429, retryAfterMs: 30_000 } : { ok: true, status: 200 }));
    // One attempt only: a message that spent an attempt on waiting would be dead-lettered at once.
    const s = await setUp({ badAnswer: paused, backlog: 50, maxAttempts: 1 });
    for (let i = 0; i < 10; i++) await s.queue.publish('events', msg(i, 'good'));
    await advanceUntil(s.clock, () => s.good.calls.length === 10, 5000);
    expect(s.bad.calls).toHaveLength(1); // the first 429; nothing during the pause
    await advanceUntil(s.clock, () => new Set(s.bad.calls.map((c) => c.key)).size === 50, 300_000, 500);
    await advanceUntil(s.clock, async () => (await s.queue.stats('events')).depth + (await s.queue.stats('events')).inFlight === 0, 10_000);
    expect(await s.queue.listDeadLetters('events')).toEqual([]);
    expect(s.dispatcher.metrics().bad).toMatchObject({ delivered: 50, failed: 0, deadLettered: 0 });
    // Most messages were handed back twice, once per pause, and still had their one attempt.
    expect(s.dispatcher.metrics().bad!.deferred).toBeGreaterThan(50 + 40);
    // The pauses were honoured: requests went only as each pause ended (the few in flight together
    // when the first 429 came back), and the rest after the second one.
    const at = s.bad.calls.map((c) => c.at);
    expect(at[0]).toBe(0);
    const throttled = at.filter((t) => t < 45_000);
    expect(throttled.length).toBe(s.dispatcher.metrics().bad!.throttled);
    expect(throttled.slice(1).every((t) => t >= 30_000 && t < 31_000)).toBe(true);
    expect(at.filter((t) => t >= 45_000).every((t) => t >= 60_000)).toBe(true);
    await s.sub.close();
    await s.queue.dispose();
  });

  it('real failures still spend attempts and end in the dead letters after maxAttempts', async () => {
    const failing = (clock: ManualClock) => scripted(clock, 'failing', () => ({ ok: false, status: 500 }));
    const s = await setUp({ badAnswer: failing, backlog: 3, maxAttempts: 3 });
    await advanceUntil(s.clock, async () => (await s.queue.listDeadLetters('events')).length === 3, 120_000, 250);
    const sends = new Map<string, number>();
    for (const c of s.bad.calls) sends.set(c.key, (sends.get(c.key) ?? 0) + 1);
    expect([...sends.values()]).toEqual([3, 3, 3]);
    await s.sub.close();
    await s.queue.dispose();
  });
});
