import { randomUUID } from 'node:crypto';
import { vi } from 'vitest';

/** A short random suffix, so kits can share a real server with earlier and parallel runs. */
export function uniqueId(prefix = 'kit'): string {
  return `${prefix}-${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** Resolves after `ms` of real time. Kits wait for real because they also run against real brokers. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Retries `check` until it stops throwing, or fails with its last error after `timeoutMs`.
 * Polling (rather than exact timers) keeps the same case valid for in-memory and networked adapters.
 */
export function eventually<T>(check: () => T | Promise<T>, timeoutMs: number, intervalMs = 10): Promise<T> {
  return vi.waitFor(check, { timeout: timeoutMs, interval: intervalMs });
}

/** A promise a case releases by hand (a handler that "hangs" until told otherwise). */
export interface Gate {
  readonly promise: Promise<void>;
  readonly released: boolean;
  release(): void;
}

/** Creates a {@link Gate}. */
export function createGate(): Gate {
  let release!: () => void;
  let released = false;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    promise,
    get released() {
      return released;
    },
    release() {
      released = true;
      release();
    },
  };
}

/** Rejects when `promise` takes longer than `ms`, so a hanging close() fails the case instead of the whole run. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`[tributary] [testing] ${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
