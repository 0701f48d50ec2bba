/**
 * A controllable delivery target on loopback for fault injection: it takes the JSON requests of the
 * `http` destination kind, deduplicates them on `Idempotency-Key` (as a well-behaved receiver does)
 * and counts what it saw. Faults are switched at run time:
 * - `down()` / `up()`: the port refuses connections (the listener is closed), then listens again;
 * - `mode({ kind: 'error', status })`: that status to everything; `mode({ kind: 'slow', delayMs })`:
 *   answers after `delayMs` (past the dispatcher's timeout) and keeps the request only if the client
 *   is still there (a receiver rolls back what its caller gave up on); `mode({ kind: 'throttle',
 *   retryAfterSeconds })`: 429 with `Retry-After` (a storm); `mode({ kind: 'ok' })`;
 * - `poison(predicate)`: 400 (a permanent refusal) for the keys it matches, until `cure()`.
 * Only accepted (2xx) requests count as delivered; a key accepted twice counts as a duplicate.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type TargetMode = { kind: 'ok' } | { kind: 'error'; status: number } | { kind: 'slow'; delayMs: number } | { kind: 'throttle'; retryAfterSeconds: number };

export interface TargetCounts {
  /** Requests that arrived (answered or not). */
  received: number;
  /** Requests answered, whatever the answer. */
  requests: number;
  /** Distinct idempotency keys accepted (2xx). */
  delivered: number;
  /** Accepted requests whose key had been accepted before (redeliveries the receiver dropped). */
  duplicates: number;
  /** Answers by status. */
  byStatus: Record<string, number>;
}

export interface Target {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  /** Keys accepted (2xx), each once. */
  readonly keys: ReadonlySet<string>;
  counts(): TargetCounts;
  mode(mode: TargetMode): void;
  /** Refuses connections until {@link up}: the listener closes and open connections are dropped. */
  down(): Promise<void>;
  up(): Promise<void>;
  /** Answers 400 (permanently) for the keys `match` accepts. */
  poison(match: (key: string) => boolean): void;
  /** Accepts the poisoned keys again (as after a fix on the receiver's side). */
  cure(): void;
  /** Keys refused as poison at least once. */
  readonly poisoned: ReadonlySet<string>;
  /** Resolves when `predicate(counts)` holds, polling; rejects after `timeoutMs` with the counts. */
  waitFor(predicate: (t: Target) => boolean, timeoutMs: number, what: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts a target on 127.0.0.1 (a free port unless one is given). */
export async function startTarget(options: { port?: number } = {}): Promise<Target> {
  let current: TargetMode = { kind: 'ok' };
  let poisonMatch: ((key: string) => boolean) | undefined;
  const keys = new Set<string>();
  const poisoned = new Set<string>();
  const byStatus: Record<string, number> = {};
  let requests = 0;
  let received = 0;
  let duplicates = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const answer = (res: ServerResponse, status: number, headers: Record<string, string> = {}, body = '{}') => {
    requests++;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    received++;
    // The body is read (and dropped) so the connection can be kept alive.
    req.resume();
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? '');
      const mode = current;
      if (mode.kind === 'error') return answer(res, mode.status);
      if (mode.kind === 'throttle') return answer(res, 429, { 'retry-after': String(mode.retryAfterSeconds) });
      if (poisonMatch && key && poisonMatch(key)) {
        poisoned.add(key);
        return answer(res, 400, {}, JSON.stringify({ error: 'poison' }));
      }
      const accept = () => {
        if (!key) return answer(res, 400, {}, JSON.stringify({ error: 'no idempotency key' }));
        if (keys.has(key)) duplicates++;
        else keys.add(key);
        answer(res, 200);
      };
      if (mode.kind === 'slow') {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (res.destroyed || req.socket.destroyed) {
            byStatus.abandoned = (byStatus.abandoned ?? 0) + 1;
            return;
          }
          accept();
        }, mode.delayMs);
        timers.add(timer);
        return;
      }
      accept();
    });
  };

  let server: Server | undefined;
  let port = options.port ?? 0;
  const listen = async () => {
    const s = createServer(handle);
    s.keepAliveTimeout = 5000;
    s.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  await listen();

  const target: Target = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    keys,
    poisoned,
    counts: () => ({ received, requests, delivered: keys.size, duplicates, byStatus: { ...byStatus } }),
    mode(mode) {
      current = mode;
    },
    down: stop,
    async up() {
      if (server) return;
      // The port was ours a moment ago; another process could take it meanwhile, so retry briefly.
      for (let i = 0; ; i++) {
        try {
          await listen();
          return;
        } catch (error) {
          if (i >= 50) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    poison(match) {
      poisonMatch = match;
    },
    cure() {
      poisonMatch = undefined;
    },
    async waitFor(predicate, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(target)) {
        if (Date.now() > deadline) throw new Error(`target: timed out after ${timeoutMs} ms waiting for ${what}; counts ${JSON.stringify(target.counts())}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      await stop();
    },
  };
  return target;
}
