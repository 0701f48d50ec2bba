// Known bug 7 (docs/reliability.md): every delivery left something on the consumer's long-lived
// signal — `AbortSignal.any([signal, …])` registers each dependent signal on its parent, which on
// Node 20 keeps them all, and their listeners, for as long as the parent lives. The check here counts
// what hangs off the parent after many deliveries instead of timing or heap sizes.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '@tributary/core/clock';
import { createDispatcher } from '@tributary/core/dispatcher';
import { defineTarget, type DeliveryResult, type OutboundMessage } from '@tributary/core/target';

const msg = (n: number): OutboundMessage => ({ id: `m${n}`, idempotencyKey: `k${n}`, type: 'test', workspaceId: 'w', payload: { n }, createdAt: '2026-01-01T00:00:00Z' });

/**
 * What a signal holds on to: its abort listeners, and the dependent signals Node registers on it for
 * `AbortSignal.any` (an internal set, found by its symbol's description; absent on runtimes that do
 * not keep one, where that part counts 0).
 */
function attached(signal: AbortSignal): { listeners: number; dependents: number } {
  const key = Object.getOwnPropertySymbols(signal).find((s) => s.description === 'kDependantSignals');
  const dependents = key ? ((signal as unknown as Record<symbol, Set<unknown> | undefined>)[key]?.size ?? 0) : 0;
  return { listeners: getEventListeners(signal, 'abort').length, dependents };
}

describe('dispatcher: nothing accumulates on the long-lived consumer signal', () => {
  it('after 2,000 deliveries (accepted, refused, timed out, deferred) the signal holds what it held after one', async () => {
    const clock = createManualClock(0);
    // Cycles through the outcomes a delivery can have: accepted, refused (500), no answer (timeout).
    const target = defineTarget({
      name: 'mixed',
      version: '1.0.0',
      configSchema: z.object({}),
      send(m): Promise<DeliveryResult> {
        const n = (m.payload as { n: number }).n % 3;
        if (n === 0) return Promise.resolve({ ok: true, status: 200 });
        if (n === 1) return Promise.resolve({ ok: false, status: 500 });
        return new Promise<DeliveryResult>(() => undefined);
      },
    });
    const d = createDispatcher({ clock, timeoutMs: 50, maxWaitMs: 20, failureThreshold: 1_000_000 });
    const consumer = new AbortController();
    const dest = { key: 'mixed', target, config: {}, rateLimit: { perSecond: 1_000_000, burst: 1000 }, concurrency: 1 };
    const run = async (n: number) => {
      const outcome = d.dispatch(dest, msg(n), { attempt: 1, maxAttempts: 5, signal: consumer.signal });
      await clock.advance(200);
      return outcome;
    };
    // With one request slot, a dispatch next to a hanging one is deferred: every outcome is met.
    const pair = async (n: number) => {
      const outcomes = [d.dispatch(dest, msg(n), { attempt: 1, maxAttempts: 5, signal: consumer.signal }), d.dispatch(dest, msg(n + 3), { attempt: 1, maxAttempts: 5, signal: consumer.signal })];
      await clock.advance(200);
      return Promise.all(outcomes);
    };

    await run(0);
    const afterOne = attached(consumer.signal);
    const actions = new Set<string>();
    for (let i = 0; i < 2000; i += 2) for (const r of await pair(i)) actions.add(r.action);
    expect([...actions].sort()).toEqual(['ack', 'defer', 'retry']);
    expect(d.metrics().mixed).toMatchObject({ inFlight: 0 });
    expect(d.metrics().mixed!.requests).toBeGreaterThan(1000);

    const after = attached(consumer.signal);
    expect(after).toEqual(afterOne);
    expect(after.dependents).toBe(0);
    expect(after.listeners).toBeLessThanOrEqual(1);
  });

  it('aborting the consumer signal still abandons a send in progress, and the target sees its signal abort', async () => {
    const clock = createManualClock(0);
    let seen: AbortSignal | undefined;
    const target = defineTarget({
      name: 'hang',
      version: '1.0.0',
      configSchema: z.object({}),
      send(_m, { signal }) {
        seen = signal;
        return new Promise<DeliveryResult>(() => undefined);
      },
    });
    const d = createDispatcher({ clock, timeoutMs: 60_000 });
    const consumer = new AbortController();
    const outcome = d.dispatch({ key: 'hang', target, config: {}, rateLimit: { perSecond: 10 } }, msg(1), { attempt: 1, maxAttempts: 5, signal: consumer.signal });
    await clock.advance(1);
    expect(seen?.aborted).toBe(false);
    consumer.abort(new Error('consumer closing'));
    await expect(outcome).rejects.toThrow('consumer closing');
    expect(seen?.aborted).toBe(true);
    expect(d.metrics().hang).toMatchObject({ inFlight: 0 });
  });
});
