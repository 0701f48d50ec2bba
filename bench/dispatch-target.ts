// A strict downstream target on loopback for the dispatch benchmark: a token bucket of `perSecond`
// with `burst` (429 above it, with Retry-After), a share of random 500s, and a share of answers slower
// than the dispatcher's timeout. It records what it accepted by idempotency key.
import { createServer, type Server } from 'node:http';

export interface TargetStats {
  requests: number;
  accepted: number;
  rejected429: number;
  errors500: number;
  slow: number;
  /** Idempotency keys accepted, with how many times each. */
  keys: Map<string, number>;
  firstAt: number;
  lastAt: number;
  /** Requests admitted (not answered 429) per whole second since the first request. */
  admittedPerSecond: number[];
}

export function startStrictTarget(o: { perSecond: number; burst: number; errorRate: number; slowRate: number; slowMs: number }): Promise<{ url: string; stats: TargetStats; server: Server }> {
  const stats: TargetStats = { requests: 0, accepted: 0, rejected429: 0, errors500: 0, slow: 0, keys: new Map(), firstAt: 0, lastAt: 0, admittedPerSecond: [] };
  let tokens = o.burst;
  let last = performance.now();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const now = performance.now();
      tokens = Math.min(o.burst, tokens + ((now - last) / 1000) * o.perSecond);
      last = now;
      stats.requests++;
      if (!stats.firstAt) stats.firstAt = Date.now();
      stats.lastAt = Date.now();
      if (tokens < 1) {
        stats.rejected429++;
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"error":"rate limited"}');
        return;
      }
      tokens -= 1;
      const second = Math.floor((Date.now() - stats.firstAt) / 1000);
      stats.admittedPerSecond[second] = (stats.admittedPerSecond[second] ?? 0) + 1;
      const roll = Math.random();
      if (roll < o.errorRate) {
        stats.errors500++;
        res.writeHead(500).end('{"error":"boom"}');
        return;
      }
      const accept = () => {
        const key = String(req.headers['idempotency-key'] ?? '');
        stats.accepted++;
        stats.keys.set(key, (stats.keys.get(key) ?? 0) + 1);
        if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      };
      if (roll < o.errorRate + o.slowRate) {
        stats.slow++;
        setTimeout(accept, o.slowMs);
        return;
      }
      accept();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/events`, stats, server })));
}
