/**
 * The SQL executor on a PGlite instance that lives in a `node:worker_threads` worker (option
 * `thread: 'worker'`): PGlite's WebAssembly work (parsing, planning, executing, writing the data
 * directory) runs on the worker's thread, so it overlaps with the calling thread's own work (an
 * HTTP server's) on another core instead of blocking its event loop.
 *
 * Every statement is one message round trip. A transaction's function runs here and sends its
 * statements one by one; the worker holds the PGlite transaction open between them (see
 * `worker-program.ts`). A worker that stops (it crashed, or was terminated) rejects every pending
 * call with an `unavailable` error, and every later call the same way: nothing waits forever.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createError, missingDependency, type TributaryError } from '@tributary/core/errors';
import type { QueryOptions, SqlExecutor, SqlResult, SqlTransaction } from '../_sql/executor.js';
import { PGLITE_WORKER_PROGRAM } from './worker-program.js';

const PGLITE_PACKAGE = '@electric-sql/pglite';
const COMPONENT = 'pglite';

/** An error as the worker sends it: name, message and the PostgreSQL fields it had. */
interface SerializedError {
  name: string;
  message: string;
  code?: string;
  [field: string]: string | number | undefined;
}

type FromWorker =
  | { kind: 'ready' }
  | { kind: 'failed'; error: SerializedError }
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; error: SerializedError }
  | { kind: 'notify'; listener: number; payload: string };

type Request =
  | { op: 'query'; text: string; params: unknown[] | undefined; prepare: boolean }
  | { op: 'begin'; tx: number }
  | { op: 'txQuery'; tx: number; text: string; params: unknown[] | undefined; prepare: boolean }
  | { op: 'copyIn'; tx: number; target: string; data: Uint8Array }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'listen'; listener: number; channel: string }
  | { op: 'unlisten'; listener: number }
  | { op: 'close' };

/** The executor, with its worker (tests end it to check how a crash is handled). */
export interface PgliteWorkerExecutor extends SqlExecutor {
  /** The thread PGlite runs on. */
  readonly worker: Worker;
}

/**
 * The file URL of PGlite's entry point as this module resolves it, for the worker to `import()`
 * (an eval'd worker has no location to resolve a bare name from).
 */
function resolvePglite(): string {
  try {
    const meta = import.meta as ImportMeta & { resolve?: (specifier: string) => string };
    if (typeof meta.resolve === 'function') {
      try {
        return meta.resolve(PGLITE_PACKAGE);
      } catch {
        // Some module runners define import.meta.resolve without supporting it: resolve as CommonJS does.
      }
    }
    // The CommonJS build (whose import.meta.url tsup fills in) resolves the package's CommonJS entry.
    return pathToFileURL(createRequire(meta.url).resolve(PGLITE_PACKAGE)).href;
  } catch (error) {
    throw missingDependency(COMPONENT, PGLITE_PACKAGE, error);
  }
}

/** A worker's error as an Error of this thread, with its PostgreSQL fields (`code`, …). */
function reviveError(serialized: SerializedError): Error {
  const { name, message, ...fields } = serialized;
  const error = Object.assign(new Error(message), fields);
  error.name = name;
  return error;
}

/**
 * Starts a worker holding a PGlite instance on `dataDir` (in memory without one) and resolves to its
 * executor once PGlite is ready.
 */
export async function startPgliteWorker(dataDir?: string): Promise<PgliteWorkerExecutor> {
  const pgliteUrl = resolvePglite();
  const worker = new Worker(PGLITE_WORKER_PROGRAM, { eval: true, workerData: { pgliteUrl, dataDir } });

  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  const listeners = new Map<number, (payload: string) => void>();
  /** `sessionOnce` keys committed in this worker's session (it has one). */
  const sessionSetups = new Set<string>();
  let nextId = 1;
  let nextTransaction = 1;
  let nextListener = 1;
  let closing = false;
  let crash: Error | undefined;
  /** Set once the worker is gone: the error every call fails with from then on. */
  let stopped: TributaryError | undefined;
  let started!: { resolve: () => void; reject: (error: unknown) => void };
  const ready = new Promise<void>((resolve, reject) => {
    started = { resolve, reject };
  });

  worker.on('message', (message: FromWorker) => {
    switch (message.kind) {
      case 'reply': {
        const call = pending.get(message.id);
        if (!call) return;
        pending.delete(message.id);
        // Idle, the worker does not keep the process alive (an in-thread PGlite does not either).
        if (pending.size === 0) worker.unref();
        if (message.ok) call.resolve(message.value);
        else call.reject(reviveError(message.error));
        return;
      }
      case 'notify':
        listeners.get(message.listener)?.(message.payload);
        return;
      case 'ready':
        if (pending.size === 0) worker.unref();
        started.resolve();
        return;
      case 'failed': {
        const error = reviveError(message.error);
        const code = (error as { code?: unknown }).code;
        started.reject(code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' ? missingDependency(COMPONENT, PGLITE_PACKAGE, error) : error);
        void worker.terminate();
        return;
      }
    }
  });
  worker.on('error', (error) => {
    crash = error;
  });
  // A reply that cannot be read would leave its caller waiting: treat it as the worker failing.
  worker.on('messageerror', (error) => {
    crash = error;
    void worker.terminate();
  });
  worker.on('exit', (exitCode) => {
    stopped = closing
      ? createError(COMPONENT, 'unavailable', 'the PGlite worker is closed')
      : createError(COMPONENT, 'unavailable', `the PGlite worker stopped (exit code ${exitCode})${crash ? `: ${crash.message}` : ''}; reopen the adapters`, { cause: crash });
    for (const call of pending.values()) call.reject(stopped);
    pending.clear();
    started.reject(stopped);
  });

  function call<T>(request: Request, transfer?: ArrayBuffer[]): Promise<T> {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      if (pending.size === 1) worker.ref();
      try {
        worker.postMessage({ ...request, id }, transfer);
      } catch (error) {
        // Parameters the structured clone refuses.
        pending.delete(id);
        if (pending.size === 0) worker.unref();
        reject(error);
      }
    });
  }

  const statement = <R>(text: string, params: unknown[] | undefined, options: QueryOptions | undefined) =>
    call<SqlResult<R>>({ op: 'query', text, params, prepare: options?.prepare === true });

  try {
    await ready;
  } catch (error) {
    await worker.terminate();
    throw error;
  }

  return {
    engine: 'pglite',
    worker,
    query: statement,
    async transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
      const tx = nextTransaction++;
      // Not awaited: the worker runs the statements after BEGIN, and a failed BEGIN fails them.
      call({ op: 'begin', tx }).catch(() => undefined);
      const setups: string[] = [];
      let value: T;
      try {
        value = await fn({
          query: <R>(text: string, params?: unknown[], options?: QueryOptions) => call<SqlResult<R>>({ op: 'txQuery', tx, text, params, prepare: options?.prepare === true }),
          async copyIn(target, data) {
            // A copy of exactly these bytes (a view may sit on a larger buffer), moved, not cloned again.
            const bytes = data.slice();
            await call({ op: 'copyIn', tx, target, data: bytes }, [bytes.buffer]);
          },
          async sessionOnce(key, setup) {
            if (sessionSetups.has(key) || setups.includes(key)) return;
            await setup();
            setups.push(key);
          },
        });
      } catch (error) {
        await call({ op: 'end', tx, commit: false }).catch(() => undefined);
        throw error;
      }
      await call({ op: 'end', tx, commit: true });
      for (const key of setups) sessionSetups.add(key);
      return value;
    },
    async listen(channel, onPayload) {
      const listener = nextListener++;
      listeners.set(listener, onPayload);
      try {
        await call({ op: 'listen', listener, channel });
      } catch (error) {
        listeners.delete(listener);
        throw error;
      }
      return async () => {
        listeners.delete(listener);
        await call({ op: 'unlisten', listener }).catch(() => undefined);
      };
    },
    async close() {
      if (stopped) return;
      closing = true;
      try {
        await call({ op: 'close' });
      } finally {
        await worker.terminate();
      }
    },
  };
}
