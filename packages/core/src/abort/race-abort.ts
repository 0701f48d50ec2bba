// Internal (no index.ts, so no subpath): shared by the dispatcher and the token cache.

/**
 * Settles as `work` does, or rejects with `signal`'s reason if it aborts first — so work that ignores
 * its signal still ends on time. The abort listener is removed as soon as either happens.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      // The work goes on unobserved; keep its eventual rejection from being reported as unhandled.
      work.catch(() => undefined);
      reject(signal.reason);
      return;
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
