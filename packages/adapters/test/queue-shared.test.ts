// The consumer plumbing the Redis, NATS, RabbitMQ and Kafka adapters share (src/_shared): the lease a
// running handler holds (reliability bug 6), the settle decision, the publish checks and the envelope.
// Driven by a manual clock, so every time below is exact.
import { createManualClock } from '@tributary/core/clock';
import { isTributaryError } from '@tributary/core/errors';
import { describe, expect, it, vi } from 'vitest';
import { envelopeToMessage, spliceEnvelope } from '../src/_shared/envelope.js';
import { checkMaxProcessingMs, LeaseKeeper, renewIntervalMs, resolveMaxProcessingMs, type LeaseKeeperOptions } from '../src/_shared/lease.js';
import { decideOutcome, exhaustedOnDelivery, runHandler } from '../src/_shared/outcome.js';
import { checkPayload, publishDelayMs } from '../src/_shared/payload.js';

const caught = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

/** One lease on a keeper of its own. */
const holdLease = ({ leaseFrom, ...o }: LeaseKeeperOptions & { leaseFrom?: number }) => new LeaseKeeper(o).hold(undefined, leaseFrom);

describe('LeaseKeeper', () => {
  it('renews every third of the lease while the handler runs, and lets go at maxProcessingMs', async () => {
    const clock = createManualClock();
    const t0 = clock.now();
    const renewals: number[] = [];
    const onExpired = vi.fn();
    const lease = holdLease({ visibilityTimeoutMs: 900, maxProcessingMs: 3000, clock, renew: () => void renewals.push(clock.now() - t0), onExpired });
    await clock.advance(2999);
    // the last renewal is the one whose lease still ends within the bound (2100 + 900 = 3000)
    expect(renewals).toEqual([300, 600, 900, 1200, 1500, 1800, 2100]);
    expect(lease.expired).toBe(false);
    await clock.advance(1);
    expect(lease.expired).toBe(true);
    expect(onExpired).toHaveBeenCalledOnce();
    await clock.advance(5000);
    expect(renewals).toHaveLength(7);
    expect(clock.pending()).toBe(0);
  });

  it('never renews when maxProcessingMs is not above the lease, and expires after one lease (noticed within a tick)', async () => {
    const clock = createManualClock();
    const renew = vi.fn();
    const lease = holdLease({ visibilityTimeoutMs: 1000, maxProcessingMs: 1000, clock, renew });
    await clock.advance(999);
    expect(lease.expired).toBe(false);
    await clock.advance(333); // ticks every third of the lease: 333, 666, 999, 1332
    expect(lease.expired).toBe(true);
    expect(renew).not.toHaveBeenCalled();
  });

  it('stop() before the end: no expiry, no more renewals, no timers left', async () => {
    const clock = createManualClock();
    const renew = vi.fn();
    const onExpired = vi.fn();
    const lease = holdLease({ visibilityTimeoutMs: 600, maxProcessingMs: 6000, clock, renew, onExpired });
    await clock.advance(450);
    expect(renew).toHaveBeenCalledTimes(2);
    lease.stop();
    await clock.advance(10_000);
    expect(clock.pending(), 'the timer stops once no lease is held').toBe(0);
    expect(renew).toHaveBeenCalledTimes(2);
    expect(onExpired).not.toHaveBeenCalled();
    expect(lease.expired).toBe(false);
  });

  it('a renewal the broker refuses (the delivery was taken by another consumer) loses the lease at once', async () => {
    const clock = createManualClock();
    const onExpired = vi.fn();
    const lease = holdLease({ visibilityTimeoutMs: 900, maxProcessingMs: 9000, clock, renew: async () => false, onExpired });
    await clock.advance(300);
    expect(lease.expired).toBe(true);
    expect(onExpired).toHaveBeenCalledOnce();
  });

  it('a failing renewal is reported, and the lease runs out at its current end', async () => {
    const clock = createManualClock();
    const errors: unknown[] = [];
    const lease = holdLease({
      visibilityTimeoutMs: 900,
      maxProcessingMs: 9000,
      clock,
      renew: () => Promise.reject(new Error('connection lost')),
      onError: (error: unknown) => errors.push(error),
    });
    await clock.advance(899);
    expect(errors).toHaveLength(2);
    expect(lease.expired).toBe(false);
    await clock.advance(1);
    expect(lease.expired).toBe(true);
  });

  it('kept by the adapter alone (no renew), the lease lasts the whole bound', async () => {
    const clock = createManualClock();
    const onExpired = vi.fn();
    holdLease({ visibilityTimeoutMs: 1000, maxProcessingMs: 10_000, clock, onExpired });
    await clock.advance(9999);
    expect(onExpired).not.toHaveBeenCalled();
    await clock.advance(333);
    expect(onExpired).toHaveBeenCalledOnce();
  });

  it('a lease that started before the handler (a message kept waiting) is renewed before it ends', async () => {
    const clock = createManualClock();
    const t0 = clock.now();
    const renewals: number[] = [];
    // received 800 ms ago on a 900 ms lease: 100 ms left, less than one tick
    const lease = holdLease({ visibilityTimeoutMs: 900, maxProcessingMs: 9000, clock, leaseFrom: t0 - 800, renew: () => void renewals.push(clock.now() - t0) });
    expect(renewals).toEqual([0]);
    await clock.advance(600);
    expect(renewals).toEqual([0, 300, 600]);
    expect(lease.expired).toBe(false);
    lease.stop();
  });

  it('one timer serves every lease of a consumer, each renewed on its own schedule', async () => {
    const clock = createManualClock();
    // what hold() is given reaches the keeper's callbacks: here, which mock to call
    const keeper = new LeaseKeeper<() => void>({ visibilityTimeoutMs: 900, maxProcessingMs: 9000, clock, renew: (renewOne) => renewOne() });
    const a = vi.fn();
    const b = vi.fn();
    const first = keeper.hold(a);
    await clock.advance(150);
    const second = keeper.hold(b);
    expect(clock.pending()).toBe(1);
    await clock.advance(750); // ticks at 300, 600, 900
    expect(a).toHaveBeenCalledTimes(3);
    expect(b).toHaveBeenCalledTimes(2); // at 600 and 900: 450 and 750 ms after it started
    first.stop();
    second.stop();
    keeper.close();
    expect(clock.pending()).toBe(0);
  });

  it('a handler that returns within a third of its lease is never renewed (issue 5: the common path costs no broker call)', async () => {
    const clock = createManualClock();
    const renew = vi.fn();
    const onExpired = vi.fn();
    const keeper = new LeaseKeeper<void>({ visibilityTimeoutMs: 900, maxProcessingMs: 9000, clock, renew, onExpired });
    // a stream of handlers over 30 ticks, one started every 7 ms, each done within 290 ms (stopped at the
    // first step past it: at most 296 ms, under the 300 ms third), so a few dozen overlap at every tick
    const running: { lease: { stop(): void }; until: number }[] = [];
    const t0 = clock.now();
    for (let at = 0; at < 9000; at += 7) {
      await clock.advance(t0 + at - clock.now());
      for (const r of running.splice(0)) {
        if (r.until <= clock.now()) r.lease.stop();
        else running.push(r);
      }
      running.push({ lease: keeper.hold(), until: clock.now() + 290 });
    }
    expect(running.length, 'leases were held across the ticks').toBeGreaterThan(40);
    await clock.advance(290);
    for (const r of running) r.lease.stop();
    await clock.advance(300);
    expect(renew).not.toHaveBeenCalled();
    expect(onExpired).not.toHaveBeenCalled();
    expect(keeper.oldestStart()).toBeUndefined();
    expect(clock.pending(), 'no timer once nothing is held').toBe(0);
  });

  it('knows when its oldest running handler started, an expired lease included until its handler returns', async () => {
    const clock = createManualClock();
    const t0 = clock.now();
    const keeper = new LeaseKeeper<void>({ visibilityTimeoutMs: 300, maxProcessingMs: 300, clock, renew: () => true });
    expect(keeper.oldestStart()).toBeUndefined();
    const first = keeper.hold();
    await clock.advance(50);
    const second = keeper.hold();
    await clock.advance(50);
    const third = keeper.hold();
    second.stop();
    expect(keeper.oldestStart()).toBe(t0);
    await clock.advance(250); // the first lease ended at 300, the third ends at 400
    expect([first.expired, third.expired]).toEqual([true, false]);
    expect(keeper.oldestStart(), 'the first handler still runs').toBe(t0);
    first.stop();
    expect(keeper.oldestStart()).toBe(t0 + 100);
    third.stop();
    expect(keeper.oldestStart()).toBeUndefined();
    await clock.advance(100);
    expect(clock.pending(), 'the timer stops at its next tick, not at every stop()').toBe(0);
  });

  it('a callback that stops its own lease during a tick does not skip the other leases', async () => {
    const clock = createManualClock();
    const renewed: string[] = [];
    const leases = new Map<string, { stop(): void }>();
    const keeper = new LeaseKeeper<string>({
      visibilityTimeoutMs: 900,
      maxProcessingMs: 9000,
      clock,
      renew: (name) => {
        renewed.push(name);
        if (name === 'a') leases.get(name)!.stop();
      },
    });
    for (const name of ['a', 'b', 'c']) leases.set(name, keeper.hold(name));
    await clock.advance(300);
    expect(renewed).toEqual(['a', 'b', 'c']);
    await clock.advance(300);
    expect(renewed).toEqual(['a', 'b', 'c', 'b', 'c']);
    keeper.close();
    expect(clock.pending()).toBe(0);
  });

  it('derives the interval and the default bound, and checks the option', () => {
    expect(renewIntervalMs(30_000)).toBe(10_000);
    expect(renewIntervalMs(9)).toBe(10);
    expect(resolveMaxProcessingMs(undefined, 30_000)).toBe(300_000);
    expect(resolveMaxProcessingMs(5000, 30_000)).toBe(5000);
    expect(checkMaxProcessingMs('queue:test', undefined)).toBeUndefined();
    expect(checkMaxProcessingMs('queue:test', 0)).toBe(0);
    for (const bad of [-1, Number.NaN, Infinity, '100']) expect(isTributaryError(caught(() => checkMaxProcessingMs('queue:test', bad)), 'config'), String(bad)).toBe(true);
  });
});

describe('settling a handler result', () => {
  const o = { maxAttempts: 3, retryDelayMs: (attempt: number) => attempt * 1000 };

  it('acks, retries with the backoff or the asked delay, and dead-letters when asked or out of attempts', () => {
    expect(decideOutcome({ action: 'ack' }, 1, o)).toEqual({ kind: 'ack' });
    expect(decideOutcome({ action: 'retry' }, 2, o)).toEqual({ kind: 'retry', delayMs: 2000 });
    expect(decideOutcome({ action: 'retry', delayMs: 12.6 }, 1, o)).toEqual({ kind: 'retry', delayMs: 13 });
    expect(decideOutcome({ action: 'retry', delayMs: -5 }, 1, o)).toEqual({ kind: 'retry', delayMs: 0 });
    expect(decideOutcome({ action: 'dead-letter', reason: 'bad input' }, 1, o)).toEqual({ kind: 'dead-letter', reason: 'bad input' });
    expect(decideOutcome({ action: 'retry', reason: 'boom' }, 3, o)).toEqual({ kind: 'dead-letter', reason: 'max attempts (3) reached: boom' });
    expect(decideOutcome({ action: 'retry' }, 3, o)).toEqual({ kind: 'dead-letter', reason: 'max attempts (3) reached: retry requested' });
  });

  it('dead-letters a delivery past maxAttempts before its handler runs', () => {
    expect(exhaustedOnDelivery(3, o)).toBeUndefined();
    expect(exhaustedOnDelivery(4, o)).toBe('max attempts (3) reached: not acknowledged within the visibility timeout');
  });

  it('runs a handler: nothing returned acknowledges, a throw becomes a retry with its message', async () => {
    const message = { id: 'm', topic: 't', payload: 1, headers: {}, attempt: 1, publishedAt: 0 };
    const signal = new AbortController().signal;
    expect(await runHandler(() => undefined, message, signal)).toEqual({ action: 'ack' });
    expect(await runHandler(async () => ({ action: 'retry', delayMs: 5 }), message, signal)).toEqual({ action: 'retry', delayMs: 5 });
    expect(await runHandler(() => {
      throw new Error('boom');
    }, message, signal)).toEqual({ action: 'retry', reason: 'boom' });
  });
});

describe('publish checks and the envelope', () => {
  it('refuse what is not JSON, too large, or an empty id, with typed errors', () => {
    expect(isTributaryError(caught(() => checkPayload('queue:test', undefined, {}, 100)), 'validation')).toBe(true);
    expect(isTributaryError(caught(() => checkPayload('queue:test', 'x'.repeat(200), {}, 100)), 'payload_too_large')).toBe(true);
    expect(isTributaryError(caught(() => checkPayload('queue:test', 1, { id: '' }, 100)), 'validation')).toBe(true);
    expect(checkPayload('queue:test', { a: 1 }, { id: 'given' }, 100)).toEqual({ json: '{"a":1}', id: 'given' });
    expect(checkPayload('queue:test', { a: 1 }, {}, 100).id).toMatch(/^[0-9a-f-]{36}$/);
    expect(publishDelayMs({ delayMs: 10.4 })).toBe(10);
    expect(publishDelayMs({ delayMs: -3 })).toBe(0);
    expect(publishDelayMs({})).toBe(0);
  });

  it('write the payload JSON as given, with headers, key and extra fields, and read back as a message', () => {
    const text = spliceEnvelope('m-1', 1700, '{"n":1}', { traceparent: '00-x' }, 'k', { nb: 1800 });
    const e = JSON.parse(text);
    expect(e).toEqual({ id: 'm-1', t: 1700, h: { traceparent: '00-x' }, k: 'k', nb: 1800, p: { n: 1 } });
    expect(JSON.parse(spliceEnvelope('m-2', 1, 'null', {}, undefined))).toEqual({ id: 'm-2', t: 1, p: null });
    expect(envelopeToMessage('orders', e, 2)).toEqual({ id: 'm-1', topic: 'orders', payload: { n: 1 }, headers: { traceparent: '00-x' }, attempt: 2, publishedAt: 1700, key: 'k' });
  });
});
