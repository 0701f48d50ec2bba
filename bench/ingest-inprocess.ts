/**
 * The reference server's two ingest routes without sockets: the server is assembled in this process
 * (`--role api`, as bench/ingest.ts runs it) and its node:http fast path is handed requests made in
 * memory — a readable stream with the same headers and body autocannon would send — by 50 callers at
 * once. What it prints is the CPU the server's own code spends per request (this process's utime +
 * stime over the timed requests, all threads), with no load generator and no HTTP parsing or socket
 * writes to share the machine with: a far steadier figure than a loaded HTTP run, to compare two
 * builds of the request path. It is not a throughput figure for operators (bench/ingest.ts is).
 *
 *   node --conditions=@tributary/source --import tsx bench/ingest-inprocess.ts [--engine embedded|postgres|memory] [--route records|webhook] [--requests 40000] [--concurrency 50] [--allocations N]
 *
 * `--engine postgres` uses BENCH_DATABASE_URL and BENCH_REDIS_URL (bench/ingest.ts's defaults) and
 * leaves their data in place; `embedded` uses a temporary data directory, removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Session } from 'node:inspector';
import { parseArgs } from 'node:util';
import { generateKey } from '@tributary/core/crypto';
import { signDiscourse } from '@tributary/core/webhooks';
import { loadConfig } from '../examples/server/src/config.js';
import { createServer } from '../examples/server/src/server.js';

const { values: opts } = parseArgs({
  options: {
    engine: { type: 'string', default: 'embedded' },
    route: { type: 'string', default: 'records' },
    requests: { type: 'string', default: '40000' },
    concurrency: { type: 'string', default: '50' },
    /**
     * Also counts the bytes the process allocates per request over the timed requests (V8's sampling
     * heap profiler, objects already collected included), and prints the N functions that allocate
     * most. Unlike CPU time, it hardly moves with the machine's load. The profiler slows the run, so
     * the CPU figure printed beside it is not comparable with a run without it.
     */
    allocations: { type: 'string' },
  },
});
const REQUESTS = Number(opts.requests);
const CONCURRENCY = Number(opts.concurrency);
const WARMUP = 2000;
if (!(Number.isInteger(REQUESTS) && REQUESTS > 0)) throw new Error(`--requests must be a whole number > 0, not ${opts.requests}`);
if (!(Number.isInteger(CONCURRENCY) && CONCURRENCY > 0)) throw new Error(`--concurrency must be a whole number > 0, not ${opts.concurrency}`);
if (!['embedded', 'postgres', 'memory'].includes(opts.engine!)) throw new Error(`--engine must be embedded, postgres or memory, not ${opts.engine}`);
if (!['records', 'webhook'].includes(opts.route!)) throw new Error(`--route must be records or webhook, not ${opts.route}`);
const TOP_ALLOCATORS = opts.allocations === undefined ? undefined : Number(opts.allocations);
if (TOP_ALLOCATORS !== undefined && !(Number.isInteger(TOP_ALLOCATORS) && TOP_ALLOCATORS >= 0)) throw new Error(`--allocations must be a whole number ≥ 0, not ${opts.allocations}`);

/** A node of V8's sampling heap profile (the fields read here). */
interface SamplingHeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: SamplingHeapNode[];
}

/**
 * Counts allocations with V8's sampling heap profiler (every 512 bytes on average), keeping the
 * samples of objects already collected: what was allocated, not what is still alive.
 */
async function startAllocationSampling(): Promise<() => Promise<{ bytes: number; byFunction: Map<string, number> }>> {
  const session = new Session();
  session.connect();
  const post = <R>(method: string, params?: object) =>
    new Promise<R>((resolve, reject) => session.post(method, params ?? {}, (error: Error | null, result: unknown) => (error ? reject(error) : resolve(result as R))));
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return async () => {
    const { profile } = await post<{ profile: { head: SamplingHeapNode } }>('HeapProfiler.stopSampling');
    session.disconnect();
    const byFunction = new Map<string, number>();
    let bytes = 0;
    const stack = [profile.head];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const { functionName, url, lineNumber, columnNumber } = node.callFrame;
      // Sources run through tsx are one line each: the column tells functions apart.
      const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(packages|examples|bench|node_modules)\//, '$1/') || '(native)'}:${lineNumber + 1}:${columnNumber + 1}`;
      bytes += node.selfSize;
      byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
      stack.push(...node.children);
    }
    return { bytes, byFunction };
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'tributary-bench-inprocess-'));
const env: Record<string, string> = {
  TRIBUTARY_DATA_DIR: dataDir,
  TRIBUTARY_ADMIN_TOKEN: `bench-admin-${generateKey().slice(0, 24)}`,
  TRIBUTARY_SECRET_KEY: generateKey(),
  TRIBUTARY_RATE_LIMIT: '0',
  TRIBUTARY_DEMO: 'false',
  LOG_LEVEL: 'warn',
  ...(opts.engine === 'memory' ? { TRIBUTARY_EMBEDDED: 'memory' } : {}),
  ...(opts.engine === 'embedded' ? { TRIBUTARY_EMBEDDED: 'pglite' } : {}),
  ...(opts.engine === 'postgres'
    ? { DATABASE_URL: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tributary_bench', REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/13' }
    : {}),
};
const server = await createServer({ config: loadConfig(env), role: 'api' });
try {
  const post = async (path: string, token: string, body: unknown) => {
    const res = await server.app.request(path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, string>;
  };
  const ws = await post('/v1/workspaces', env.TRIBUTARY_ADMIN_TOKEN!, { name: 'bench-inprocess' });
  const secret = 'bench-webhook-secret';
  const source = await post(`/v1/workspaces/${ws.id}/sources`, ws.apiKey!, { name: 'Forum', connector: 'discourse', config: { baseUrl: 'https://forum.example.com' }, webhook: { secret }, check: false });

  // The bodies of bench/ingest.ts, every one unique, made before the clock starts.
  const TEXT = 'The new release is excellent: the export is twice as fast and the dashboard finally loads on my phone.';
  let sequence = 0;
  const next = () => {
    const common = { host: '127.0.0.1:8787', 'content-type': 'application/json' };
    if (opts.route === 'records') {
      const body = JSON.stringify({ externalId: `bench-${++sequence}`, itemType: 'review', occurredAt: new Date().toISOString(), content: { text: TEXT }, author: { username: 'ada' } });
      return { url: `/v1/workspaces/${ws.id}/records`, body: Buffer.from(body), headers: { ...common, 'content-length': String(Buffer.byteLength(body)), authorization: `Bearer ${ws.apiKey}` } };
    }
    const id = 1_000_000 + ++sequence;
    const at = new Date().toISOString();
    const body = JSON.stringify({ post: { id, username: 'ada', name: 'Ada', created_at: at, updated_at: at, cooked: `<p>${TEXT}</p>`, raw: TEXT, post_number: 1, topic_id: 8, topic_slug: 'release', topic_title: 'Release', user_id: 20, topic_archetype: 'regular' } });
    return {
      url: `/v1/hooks/${ws.id}/${source.id}`,
      body: Buffer.from(body),
      headers: { ...common, 'content-length': String(Buffer.byteLength(body)), 'x-discourse-event': 'post_created', 'x-discourse-event-id': String(sequence), ...signDiscourse(body, secret) },
    };
  };
  const prepared = Array.from({ length: REQUESTS + WARMUP }, next);
  let taken = 0;
  const statuses = new Map<number, number>();

  /** One request through the fast path; resolves when its answer was written. */
  const send = (): Promise<void> => {
    const r = prepared[taken++]!;
    return new Promise((resolve) => {
      // A stream buffers its body until the route reads it, as a socket's request does.
      const req = Object.assign(new Readable({ read() {} }), { method: 'POST', url: r.url, headers: r.headers, socket: {}, complete: false });
      const res = {
        headersSent: false,
        statusCode: 0,
        writeHead(status: number) {
          this.statusCode = status;
          return this;
        },
        setHeader() {},
        end() {
          statuses.set(this.statusCode, (statuses.get(this.statusCode) ?? 0) + 1);
          resolve();
        },
        destroy() {},
      };
      if (!server.fastPath.claim(req as unknown as IncomingMessage, res as unknown as ServerResponse)) throw new Error(`the fast path did not take ${r.url}`);
      // The body arrives a turn later, as it would from a socket.
      setImmediate(() => {
        req.push(r.body);
        req.complete = true;
        req.push(null);
      });
    });
  };
  const run = async (count: number) => {
    let left = count;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await send();
    }));
  };

  await run(WARMUP);
  statuses.clear();
  const stopSampling = TOP_ALLOCATORS === undefined ? undefined : await startAllocationSampling();
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await run(REQUESTS);
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - startedAt) / 1000;
  const allocations = await stopSampling?.();
  const answered = [...statuses].map(([status, count]) => `${count} × ${status}`).join(', ');
  console.log(`bench/ingest-inprocess: ${opts.engine} ${opts.route}, ${REQUESTS.toLocaleString('en-US')} requests, ${CONCURRENCY} at once`);
  console.log(`  server CPU ${((cpu.user + cpu.system) / REQUESTS).toFixed(1)} µs/request (user ${(cpu.user / REQUESTS).toFixed(1)}, system ${(cpu.system / REQUESTS).toFixed(1)}); ${Math.round(REQUESTS / seconds).toLocaleString('en-US')} requests/s on this process alone; answers: ${answered}`);
  if (allocations) {
    // The harness's own requests and answers are counted too (`bench/ingest-inprocess.ts` below).
    console.log(`  allocated ${Math.round(allocations.bytes / REQUESTS).toLocaleString('en-US')} bytes/request (sampled, harness included)`);
    for (const [where, bytes] of [...allocations.byFunction].sort((a, b) => b[1] - a[1]).slice(0, TOP_ALLOCATORS)) {
      console.log(`  ${Math.round(bytes / REQUESTS).toLocaleString('en-US').padStart(7)}  ${where}`);
    }
  }
  if ((statuses.get(202) ?? 0) !== REQUESTS) process.exitCode = 1;
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
