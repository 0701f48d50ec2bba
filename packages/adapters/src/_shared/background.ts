// Small pieces every queue adapter's background loops share: where their errors go, how long they back
// off after a failure, and a sleep that a closing consumer can cut short.
import { createError } from '@tributary/core/errors';

/** The default `onError` of an adapter: background errors are logged, and the loops keep running. */
export function logErrors(component: string): (error: Error) => void {
  return (error) => console.error(`[tributary] [${component}]`, error.message);
}

/** Wait after `failures` failures in a row: 200 ms doubling to 5 s, so a broker that is down is not hammered. */
export function failureBackoffMs(failures: number): number {
  return Math.min(5000, 100 * 2 ** Math.min(failures, 6));
}

/** Resolves after `ms`, or at once when the signal aborts (never rejects: the loop checks why it woke). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Checks a topic or group name: a non-empty string, else a `validation` error. */
export function requireName(component: string, what: 'topic' | 'group', value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw createError(component, 'validation', `${what} must be a non-empty string`);
  return value;
}
