import type { FetchFunction, RateBudget } from '../connector/index.js';

/**
 * The simplest connector fetch: the host's fetch with a per-request timeout. `createPipeline` uses it
 * unless given `connectorFetch` (the throttling, retrying client from `@tributary/core/http`).
 */
export function timeoutFetchFactory(fetch: FetchFunction, timeoutMs = 30_000): (sourceKey: string, budget: RateBudget | undefined) => FetchFunction {
  return () => (input, init) => {
    const signals = [AbortSignal.timeout(timeoutMs), ...(init?.signal ? [init.signal] : [])];
    return fetch(input, { ...init, signal: AbortSignal.any(signals) });
  };
}
