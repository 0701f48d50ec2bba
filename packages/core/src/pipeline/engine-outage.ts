import { isTributaryError } from '../errors/index.js';

/**
 * Errors that mean one of the pipeline's own engines (its storage or its queue) could not be
 * reached. They say nothing about the message being handled, so the stages wait for the engine
 * instead of spending the message's attempts (see `run-stage.ts`). Kept in a weak set rather than
 * written onto the error: the error stays the adapter's own, unchanged, for every other reader.
 */
const engineOutages = new WeakSet<object>();

/** True when `error` came from the pipeline's storage or queue failing to reach its engine. */
export function isEngineOutage(error: unknown): boolean {
  return typeof error === 'object' && error !== null && engineOutages.has(error);
}

function note(error: unknown): never {
  if (isTributaryError(error, 'unavailable')) engineOutages.add(error);
  throw error;
}

/**
 * Wraps a storage or queue adapter so that the `unavailable` errors its methods raise (thrown or
 * rejected) are recognised by {@link isEngineOutage}. Everything else passes through untouched;
 * wrapped methods are made once per name.
 */
export function watchEngine<T extends object>(engine: T): T {
  const wrapped = new WeakMap<(...args: unknown[]) => unknown, (...args: unknown[]) => unknown>();
  return new Proxy(engine, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const original = value as (...args: unknown[]) => unknown;
      let method = wrapped.get(original);
      if (!method) {
        method = function watched(...args: unknown[]): unknown {
          let result: unknown;
          try {
            result = original.apply(target, args);
          } catch (error) {
            note(error);
          }
          return result instanceof Promise ? result.catch(note) : result;
        };
        wrapped.set(original, method);
      }
      return method;
    },
  });
}
