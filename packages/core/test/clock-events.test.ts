import { describe, expect, it, vi } from 'vitest';
import { createManualClock } from '@tributary/core/clock';
import { createEventBus } from '@tributary/core/events';
import { createError, isTributaryError, TributaryError, fromZodError } from '@tributary/core/errors';
import { z } from 'zod';

describe('manual clock', () => {
  it('fires timers in order only when advanced', async () => {
    const clock = createManualClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 200);
    clock.setTimeout(() => fired.push('a'), 100);
    const h = clock.setTimeout(() => fired.push('never'), 150);
    clock.clearTimeout(h);
    await clock.advance(99);
    expect(fired).toEqual([]);
    await clock.advance(101);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(200);
  });

  it('sleeps and aborts', async () => {
    const clock = createManualClock(0);
    const done = vi.fn();
    void clock.sleep(1000).then(done);
    await clock.advance(999);
    expect(done).not.toHaveBeenCalled();
    await clock.advance(1);
    expect(done).toHaveBeenCalled();
    const controller = new AbortController();
    const p = clock.sleep(1000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
});

describe('event bus', () => {
  it('delivers typed events and isolates failing listeners', () => {
    const bus = createEventBus();
    const seen: string[] = [];
    const errors: string[] = [];
    bus.on('listener.error', (e) => errors.push(e.event));
    bus.on('fetch.run.skipped', () => {
      throw new Error('boom');
    });
    bus.on('fetch.run.skipped', (e) => seen.push(e.reason));
    bus.onAny((name) => seen.push(name));
    expect(() => bus.emit('fetch.run.skipped', { workspaceId: 'w', sourceId: 's', reason: 'locked' })).not.toThrow();
    expect(seen).toEqual(['locked', 'fetch.run.skipped']);
    expect(errors).toEqual(['fetch.run.skipped']);
  });

  it('waits for a matching event', async () => {
    const bus = createEventBus();
    const p = bus.waitFor('fetch.run.skipped', (e) => e.sourceId === 'b');
    bus.emit('fetch.run.skipped', { workspaceId: 'w', sourceId: 'a', reason: 'locked' });
    bus.emit('fetch.run.skipped', { workspaceId: 'w', sourceId: 'b', reason: 'disabled' });
    await expect(p).resolves.toMatchObject({ sourceId: 'b' });
  });
});

describe('errors', () => {
  it('carry code, cause and context, and are recognised by code', () => {
    const cause = new Error('socket hang up');
    const e = createError('discourse', 'unavailable', 'fetch failed', { cause, context: { status: 503 } });
    expect(e).toBeInstanceOf(TributaryError);
    expect(e.message).toBe('[tributary] [discourse] fetch failed');
    expect(e.cause).toBe(cause);
    expect(e.retryable).toBe(true);
    expect(isTributaryError(e, 'unavailable')).toBe(true);
    expect(isTributaryError(e, 'validation')).toBe(false);
    expect(isTributaryError(new Error('x'))).toBe(false);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ error: { code: 'unavailable', message: '[tributary] [discourse] fetch failed' } });
  });

  it('turn zod errors into field issues', () => {
    const result = z.object({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: 'x' } });
    if (result.success) throw new Error('parsed');
    const e = fromZodError('api', 'body', result.error, ['records', 3]);
    expect(e.code).toBe('validation');
    expect(e.issues[0]?.path).toBe('records.3.a.b');
    expect(e.message).toContain('records.3.a.b');
  });
});
