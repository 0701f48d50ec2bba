import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '@tributary/core/clock';
import { createDispatcher, createLocalLimiter, startProcessor, type DispatchTarget } from '@tributary/core/dispatcher';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { defineTarget, type DeliveryResult, type OutboundMessage } from '@tributary/core/target';
import { createEventBus } from '@tributary/core/events';

const msg = (n: number): OutboundMessage => ({ id: `m${n}`, idempotencyKey: `k${n}`, type: 'test', workspaceId: 'w', payload: { n }, createdAt: '2026-01-01T00:00:00Z' });

function scriptedTarget(answer: (m: OutboundMessage, call: number) => DeliveryResult | Promise<DeliveryResult>) {
  const calls: { id: string; at: number }[] = [];
  let clockRef: { now(): number } = { now: () => Date.now() };
  const target = defineTarget({
    name: 'scripted',
    version: '1.0.0',
    configSchema: z.object({}),
    async send(m) {
      calls.push({ id: m.id, at: clockRef.now() });
      return answer(m, calls.length);
    },
  });
  return { target, calls, useClock: (c: { now(): number }) => (clockRef = c) };
}

describe('local limiter (token bucket)', () => {
  it('starts with one token, builds a burst when idle, then paces at exactly the sustained rate', async () => {
    const clock = createManualClock(0);
    const limiter = createLocalLimiter({ clock });
    const granted: number[] = [];
    const take = (n: number) => {
      for (let i = 0; i < n; i++) void limiter.acquire('t', { perSecond: 5, burst: 3 }).then(() => granted.push(clock.now()));
    };
    take(3);
    await clock.advance(400);
    expect(granted).toEqual([0, 200, 400]);
    await clock.advance(2000); // idle: the bucket fills to its burst of 3, no more
    granted.length = 0;
    take(6);
    await clock.advance(600);
    expect(granted).toEqual([2400, 2400, 2400, 2600, 2800, 3000]);
  });

  it('pauses a whole key and restarts from an empty bucket', async () => {
    const clock = createManualClock(0);
    const limiter = createLocalLimiter({ clock });
    const granted: number[] = [];
    await limiter.acquire('t', { perSecond: 10, burst: 5 });
    await limiter.pause('t', 3000);
    for (let i = 0; i < 3; i++) void limiter.acquire('t', { perSecond: 10, burst: 5 }).then(() => granted.push(clock.now()));
    await clock.advance(2999);
    expect(granted).toEqual([]);
    await clock.advance(1000);
    expect(granted).toEqual([3100, 3200, 3300]);
  });

  it('uses the budget a target announces instead of guessing', async () => {
    const clock = createManualClock(0);
    const limiter = createLocalLimiter({ clock });
    const limit = { perSecond: 2, burst: 40 };
    await limiter.acquire('shop', limit);
    await limiter.observe('shop', limit, { remaining: 0, limit: 40, resetAt: 5000 });
    const granted: number[] = [];
    void limiter.acquire('shop', limit).then(() => granted.push(clock.now()));
    await clock.advance(4999);
    expect(granted).toEqual([]);
    await clock.advance(1);
    // the budget is back in full at the announced reset
    expect(granted).toEqual([5000]);
  });

  it('gives up waiting when the signal aborts', async () => {
    const clock = createManualClock(0);
    const limiter = createLocalLimiter({ clock });
    await limiter.acquire('t', { perSecond: 1 });
    const controller = new AbortController();
    const p = limiter.acquire('t', { perSecond: 1 }, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });

  it('refuses a bad limit naming the field', async () => {
    await expect(createLocalLimiter().acquire('t', { perSecond: 0 })).rejects.toThrow(/perSecond/);
  });
});

describe('dispatcher', () => {
  const dest = (target: DispatchTarget['target'], extra: Partial<DispatchTarget> = {}): DispatchTarget => ({ key: 'shop', target, config: {}, rateLimit: { perSecond: 100, burst: 10 }, ...extra });
  const ctx = (attempt = 1) => ({ attempt, maxAttempts: 3, signal: new AbortController().signal });

  it('acknowledges only what the target accepted', async () => {
    const t = scriptedTarget(() => ({ ok: true, status: 200 }));
    const d = createDispatcher();
    await expect(d.dispatch(dest(t.target), msg(1), ctx())).resolves.toEqual({ action: 'ack' });
    const failing = scriptedTarget(() => ({ ok: false, status: 500 }));
    const r = await d.dispatch(dest(failing.target, { key: 'other' }), msg(2), ctx());
    expect(r.action).toBe('retry');
    expect(d.metrics().shop).toMatchObject({ requests: 1, delivered: 1 });
  });

  it('a 429 pauses the whole target; a short pause is waited out, without spending an attempt', async () => {
    const clock = createManualClock(0);
    const bus = createEventBus();
    const throttles: number[] = [];
    bus.on('delivery.throttled', (e) => throttles.push(e.waitMs));
    const t = scriptedTarget((_m, call) => (call === 1 ? { ok: false, status: 429, retryAfterMs: 600 } : { ok: true, status: 200 }));
    t.useClock(clock);
    const d = createDispatcher({ clock, bus });
    const first = d.dispatch(dest(t.target), msg(1), ctx());
    const second = d.dispatch(dest(t.target), msg(2), ctx());
    await clock.advance(599);
    expect(t.calls.map((c) => c.id)).toEqual(['m1', 'm2'].slice(0, t.calls.length));
    const sentBeforePause = t.calls.length;
    await clock.advance(600);
    await expect(first).resolves.toEqual({ action: 'ack' });
    await expect(second).resolves.toEqual({ action: 'ack' });
    expect(throttles).toEqual([600]);
    // nothing was sent to the target while it was paused
    expect(t.calls.slice(sentBeforePause).every((c) => c.at >= 600)).toBe(true);
    expect(d.metrics().shop).toMatchObject({ throttled: 1, delivered: 2, deferred: 0 });
  });

  it('a 429 with a pause longer than maxWaitMs hands the message back for the pause, unsent and without spending an attempt', async () => {
    const clock = createManualClock(0);
    const t = scriptedTarget((_m, call) => (call === 1 ? { ok: false, status: 429, retryAfterMs: 2000 } : { ok: true, status: 200 }));
    t.useClock(clock);
    const d = createDispatcher({ clock, maxWaitMs: 1000, random: () => 0 });
    await expect(d.dispatch(dest(t.target), msg(1), ctx())).resolves.toEqual({ action: 'defer', delayMs: 2000, reason: 'shop is paused for 2000 ms' });
    // a message arriving during the pause is handed back at once, without a request
    await expect(d.dispatch(dest(t.target), msg(2), ctx())).resolves.toMatchObject({ action: 'defer', delayMs: 2000 });
    expect(t.calls).toHaveLength(1);
    expect(clock.now()).toBe(0);
    expect(d.metrics().shop).toMatchObject({ throttled: 1, deferred: 2, failed: 0 });
  });

  it('dead-letters a permanent refusal and the last attempt, with the reason', async () => {
    const d = createDispatcher();
    const refusing = scriptedTarget(() => ({ ok: false, status: 400, permanent: true, error: 'bad payload' }));
    await expect(d.dispatch(dest(refusing.target), msg(1), ctx())).resolves.toEqual({ action: 'dead-letter', reason: 'scripted refused: HTTP 400 (bad payload)' });
    const failing = scriptedTarget(() => ({ ok: false, status: 503 }));
    await expect(d.dispatch(dest(failing.target, { key: 'x' }), msg(2), ctx(3))).resolves.toMatchObject({ action: 'dead-letter' });
  });

  it('times out a slow target', async () => {
    const t = scriptedTarget(() => new Promise(() => undefined));
    const d = createDispatcher({ timeoutMs: 50 });
    const r = await d.dispatch(dest(t.target), msg(1), ctx());
    expect(r).toMatchObject({ action: 'retry', reason: expect.stringContaining('no answer within 50 ms') });
  });

  it('opens the circuit after consecutive failures instead of hammering a target that is down', async () => {
    const clock = createManualClock(0);
    const t = scriptedTarget(() => ({ ok: false, status: 503 }));
    t.useClock(clock);
    const d = createDispatcher({ clock, failureThreshold: 3 });
    const run = (n: number) => d.dispatch(dest(t.target), msg(n), { attempt: 1, maxAttempts: 10, signal: new AbortController().signal });
    for (let i = 0; i < 3; i++) {
      const p = run(i);
      await clock.advance(20); // the limiter paces at 100/s
      await p;
    }
    expect(t.calls).toHaveLength(3);
    const openedAt = t.calls[2]!.at;
    expect(d.metrics().shop!.pausedUntil).toBe(openedAt + 1000);
    const during = run(9);
    await clock.advance(openedAt + 999 - clock.now());
    expect(t.calls).toHaveLength(3);
    await clock.advance(50);
    await during;
    expect(t.calls).toHaveLength(4);
    expect(t.calls[3]!.at).toBeGreaterThanOrEqual(openedAt + 1000);
  });

  it('caps concurrency per target', async () => {
    let active = 0;
    let peak = 0;
    const t = defineTarget({
      name: 'slow',
      version: '1.0.0',
      configSchema: z.object({}),
      async send() {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 10));
        active--;
        return { ok: true, status: 200 };
      },
    });
    const d = createDispatcher();
    await Promise.all(Array.from({ length: 20 }, (_, i) => d.dispatch(dest(t, { concurrency: 3, rateLimit: { perSecond: 10_000, burst: 100 } }), msg(i), ctx())));
    expect(peak).toBe(3);
  });
});

describe('processor (seed 004)', () => {
  it('delivers every event exactly once to an idempotent target through failures and 429s', async () => {
    const queue = createMemoryQueue();
    const seen = new Map<string, number>();
    let calls = 0;
    const target = defineTarget({
      name: 'flaky',
      version: '1.0.0',
      configSchema: z.object({}),
      async send(m) {
        calls++;
        if (calls % 7 === 0) return { ok: false, status: 500 };
        if (calls % 11 === 0) return { ok: false, status: 429, retryAfterMs: 20 };
        seen.set(m.idempotencyKey, (seen.get(m.idempotencyKey) ?? 0) + 1);
        return { ok: true, status: 200 };
      },
    });
    const dispatcher = createDispatcher({ failureThreshold: 100 });
    const sub = await startProcessor({ queue, topic: 'events', dispatcher, route: () => ({ key: 'flaky', target, config: {}, rateLimit: { perSecond: 2000, burst: 50 } }), maxAttempts: 10 });
    for (let i = 0; i < 200; i++) await queue.publish('events', msg(i));
    await expect.poll(async () => (await queue.stats('events')).depth + (await queue.stats('events')).inFlight, { timeout: 10_000 }).toBe(0);
    await sub.close();
    expect(seen.size).toBe(200);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(await queue.listDeadLetters('events')).toHaveLength(0);
    await queue.dispose();
  });
});
