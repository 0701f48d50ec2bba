/**
 * The program of the PGlite worker thread, as plain JavaScript in a string, started with
 * `new Worker(PGLITE_WORKER_PROGRAM, { eval: true, workerData })`. A string rather than a file of its
 * own because the worker must load in every way the package runs: built (`dist/`), from the
 * TypeScript sources under vitest (whose transform never reaches a worker's own module loader) and
 * under tsx. It imports PGlite from the file URL resolved by the calling thread
 * (`workerData.pgliteUrl`), so both threads use the same installed copy.
 *
 * Protocol (every request carries an `id`; the worker answers `{ kind: 'reply', id, ok, value | error }`):
 * - `query` — one statement outside any transaction;
 * - `begin` / `txQuery` / `copyIn` / `end` — a transaction held open in the worker between the
 *   statements the calling thread sends, ended by `end` with `commit: true` (COMMIT) or `false`
 *   (ROLLBACK). The statements of one transaction run in the order they were sent;
 * - `listen` / `unlisten` — NOTIFY payloads come back as `{ kind: 'notify', listener, payload }`;
 * - `close` — closes PGlite (its data flushed); the calling thread then ends the worker.
 * At start the worker posts `{ kind: 'ready' }`, or `{ kind: 'failed', error }`.
 *
 * Top-level requests run one at a time (PGlite has a single session: a statement sent while a
 * transaction is open would otherwise run inside it). Errors cross with their PostgreSQL fields
 * (`code`, `detail`, `constraint`, …) so the SQL layer maps them as it does on the main thread.
 */
export const PGLITE_WORKER_PROGRAM = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');

let db;
/** Names of the statements prepared with PREPARE in this session. */
const prepared = new Set();
/** Open transactions by id: { tx, finish, opened, done, last }. */
const transactions = new Map();
/** Unsubscribe functions of LISTEN subscriptions, by listener id. */
const unlisteners = new Map();

let tail = Promise.resolve();
function exclusive(fn) {
  const run = tail.then(fn, fn);
  tail = run.catch(() => undefined);
  return run;
}

const ERROR_FIELDS = ['code', 'severity', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine'];
function serializeError(error) {
  if (typeof error !== 'object' || error === null) return { name: 'Error', message: String(error) };
  const out = { name: typeof error.name === 'string' ? error.name : 'Error', message: String(error.message) };
  for (const key of ERROR_FIELDS) {
    const value = error[key];
    if (typeof value === 'string' || typeof value === 'number') out[key] = value;
  }
  return out;
}

const normalize = (r) => ({ rows: r.rows, rowCount: r.affectedRows ?? r.rows.length });

// The same rule as run() in pglite/index.ts: a hot parameter-free statement goes through PREPARE
// once per session and EXECUTE afterwards (PGlite's query() plans every call).
async function run(runner, text, params, prepare) {
  if (!prepare || (params !== undefined && params.length > 0)) return normalize(await runner.query(text, params));
  const name = 'tributary_' + createHash('sha1').update(text).digest('hex').slice(0, 20);
  if (!prepared.has(name)) {
    const existing = await runner.query('SELECT 1 FROM pg_prepared_statements WHERE name = $1', [name]);
    if (existing.rows.length === 0) await runner.query('PREPARE ' + name + ' AS ' + text);
    prepared.add(name);
  }
  return normalize(await runner.query('EXECUTE ' + name));
}

async function answer(id, work) {
  let message;
  try {
    message = { kind: 'reply', id, ok: true, value: await work() };
  } catch (error) {
    message = { kind: 'reply', id, ok: false, error: serializeError(error) };
  }
  try {
    parentPort.postMessage(message);
  } catch (error) {
    // A value the structured clone refuses: the caller still gets an answer.
    parentPort.postMessage({ kind: 'reply', id, ok: false, error: serializeError(error) });
  }
}

const ROLLBACK = Symbol('rollback');

function begin(txId) {
  const entry = { tx: undefined, finish: undefined };
  let markOpened;
  const opened = new Promise((resolve) => { markOpened = resolve; });
  // The whole transaction holds the session: no other request runs until it ends.
  entry.done = exclusive(() => db.transaction((tx) => new Promise((resolve, reject) => {
    entry.tx = tx;
    entry.finish = { resolve, reject };
    markOpened();
  })));
  entry.done.catch(() => undefined);
  // Settles when BEGIN ran (or rejects with the reason it could not).
  entry.opened = Promise.race([opened, entry.done.then(() => { throw new Error('the transaction ended before it began'); })]);
  entry.opened.catch(() => undefined);
  entry.last = entry.opened.catch(() => undefined);
  transactions.set(txId, entry);
  return entry.opened;
}

/** Runs work in a transaction after the statements sent before it, whatever became of them. */
function inTransaction(txId, work) {
  const entry = transactions.get(txId);
  if (!entry) return Promise.reject(new Error('no open transaction ' + txId));
  const result = entry.last.then(() => entry.opened).then(() => work(entry));
  entry.last = result.then(() => undefined, () => undefined);
  return result;
}

async function end(txId, commit) {
  const entry = transactions.get(txId);
  if (!entry) throw new Error('no open transaction ' + txId);
  await entry.last;
  transactions.delete(txId);
  await entry.opened;
  if (commit) {
    entry.finish.resolve();
    await entry.done;
    return;
  }
  entry.finish.reject(ROLLBACK);
  try {
    await entry.done;
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
}

function onMessage(message) {
  switch (message.op) {
    case 'query':
      return answer(message.id, () => exclusive(() => run(db, message.text, message.params, message.prepare)));
    case 'begin':
      return answer(message.id, () => begin(message.tx));
    case 'txQuery':
      return answer(message.id, () => inTransaction(message.tx, (entry) => run(entry.tx, message.text, message.params, message.prepare)));
    case 'copyIn':
      return answer(message.id, () =>
        inTransaction(message.tx, async (entry) => {
          await entry.tx.query('COPY ' + message.target + " FROM '/dev/blob' (FORMAT binary)", [], { blob: new Blob([message.data]) });
        }),
      );
    case 'end':
      return answer(message.id, () => end(message.tx, message.commit));
    case 'listen':
      return answer(message.id, () =>
        exclusive(async () => {
          const unlisten = await db.listen(message.channel, (payload) => parentPort.postMessage({ kind: 'notify', listener: message.listener, payload }));
          unlisteners.set(message.listener, unlisten);
        }),
      );
    case 'unlisten':
      return answer(message.id, () =>
        exclusive(async () => {
          const unlisten = unlisteners.get(message.listener);
          unlisteners.delete(message.listener);
          if (unlisten) await unlisten();
        }),
      );
    case 'close':
      return answer(message.id, () => exclusive(() => db.close()));
    default:
      return answer(message.id, async () => { throw new Error('unknown request ' + String(message.op)); });
  }
}

(async () => {
  try {
    const loaded = await import(workerData.pgliteUrl);
    const PGlite = loaded.PGlite ?? (loaded.default && loaded.default.PGlite);
    db = await PGlite.create(workerData.dataDir ? { dataDir: workerData.dataDir } : {});
  } catch (error) {
    parentPort.postMessage({ kind: 'failed', error: serializeError(error) });
    return;
  }
  parentPort.on('message', onMessage);
  parentPort.postMessage({ kind: 'ready' });
})();
`;
