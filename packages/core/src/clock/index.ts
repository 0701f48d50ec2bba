/**
 * @module @tributary/core/clock
 * Time as a dependency. The dispatcher, scheduler, retries and locks read time and set timers through a
 * {@link Clock}, so tests drive them exactly with {@link createManualClock} instead of sleeping.
 */

/** An opaque timer handle. */
export type TimerHandle = { readonly __timer: unique symbol } | ReturnType<typeof setTimeout>;

/** Reads time and schedules callbacks. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock. Its timers keep the process alive like any `setTimeout`: a caller awaiting a
 * limiter or a retry must not see the process exit under it. Components stop their timers on
 * `stop()`/`dispose()`.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    return setTimeout(callback, Math.max(0, ms));
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
  sleep(ms, signal) {
    return sleepWith(systemClock, ms, signal);
  },
};

function sleepWith(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A clock that only moves when told to. */
export interface ManualClock extends Clock {
  /** Moves time forward, firing due timers in order (and awaiting microtasks between them). */
  advance(ms: number): Promise<void>;
  /** Sets the current time without firing timers. */
  set(epochMs: number): void;
  /** Number of timers still pending. */
  pending(): number;
}

/**
 * Creates a manual clock for tests.
 * @param start epoch milliseconds the clock starts at
 * @default start 2026-01-01T00:00:00Z
 */
export function createManualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let current = start;
  let seq = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const clock: ManualClock = {
    now: () => current,
    setTimeout(callback, ms) {
      const id = ++seq;
      timers.set(id, { at: current + Math.max(0, ms), callback });
      return id as unknown as TimerHandle;
    },
    clearTimeout(handle) {
      timers.delete(handle as unknown as number);
    },
    sleep(ms, signal) {
      return sleepWith(clock, ms, signal);
    },
    async advance(ms) {
      const target = current + ms;
      for (;;) {
        await flushMicrotasks();
        let nextId: number | undefined;
        let nextAt = Infinity;
        for (const [id, t] of timers) {
          if (t.at <= target && (t.at < nextAt || (t.at === nextAt && id < (nextId ?? Infinity)))) {
            nextAt = t.at;
            nextId = id;
          }
        }
        if (nextId === undefined) break;
        const timer = timers.get(nextId)!;
        timers.delete(nextId);
        current = Math.max(current, timer.at);
        timer.callback();
      }
      current = target;
      await flushMicrotasks();
    },
    set(epochMs) {
      current = epochMs;
    },
    pending: () => timers.size,
  };
  return clock;
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
