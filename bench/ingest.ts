/**
 * Ingest load on loopback (issue 7): autocannon against `POST /v1/workspaces/:ws/records` and the
 * webhook endpoint `POST /v1/hooks/:ws/:source` of the reference server — each request authenticated
 * (API key) or signature-checked (Discourse HMAC), validated and durably enqueued before its 202 —
 * beside a bare node:http server that parses the same JSON and answers 202, in the same run (read
 * before the first server and after each one; a server's baseline is the higher of the two readings
 * beside it). Prints req/s, p99 and the server's CPU per request for each, and the server's share of
 * its baseline. Goals: ≥ 50% on the embedded default (PGlite store, file queue), ≥ 60% with
 * PostgreSQL + Redis. `--rounds N` repeats every case N times and judges the goals on the median
 * share; `--rate N` loads at a fixed rate instead, to compare CPU per request between two builds.
 *
 *   node --conditions=@tributary/source --import tsx bench/ingest.ts [--duration 10] [--connections 50] [--engines floor,embedded,postgres] [--role api] [--processes 1] [--log-level warn] [--endpoints records,webhook] [--rate N] [--rounds 1] [--cpu-prof dir]
 *
 * `--processes N` runs the PostgreSQL + Redis server as N copies on one port (its `--processes`), and
 * the bare server as N copies too, measured beside its one-process figure.
 *
 * Each server runs in its own process as `pnpm start` runs it, `--role api` by default (the ingest path
 * alone; `--role all` adds the workers in the same process, competing for the same core). Every record
 * and webhook body is unique (id, delivery id, signature). The PostgreSQL + Redis case runs when both
 * answer on loopback: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tributary_bench,
 * created when missing; its `tributary` schema is dropped first) and BENCH_REDIS_URL (default
 * redis://127.0.0.1:6379/13; its `tributary:*` keys are deleted first). The `floor` case
 * (bench/ingest-floor.ts, on by default) is the least a server can do and still verify, validate,
 * dedup and durably write before its 202, with nothing of the SDK: what no server with the same
 * guarantees can beat on this machine, measured in the same run. Every server, the baselines
 * included, gets the same requests (bodies, headers and signatures). Each case is bounded:
 * `--warmup` seconds untimed, then `--duration` seconds timed. `--engines` may also name `memory` (the
 * in-memory engine: the HTTP path without a database) and `hono` (the bare handler on Hono over
 * @hono/node-server, the server's framework), to tell where the time goes; and `memory-hono`,
 * `embedded-hono`, `postgres-hono`: those servers with the node:http ingest fast path turned off
 * (TRIBUTARY_INGEST_FAST_PATH=false); and `embedded-pglite-queue`, the embedded server with PGlite as
 * its queue too (TRIBUTARY_EMBEDDED_QUEUE=pglite), as it was before the file queue. `--cpu-prof <dir>` writes a CPU profile of each server;
 * `--endpoints records` (or `webhook`) loads one route only, for a profile of that route alone.
 * `BENCH_SERVER_NODE_OPTIONS` is handed to the servers as NODE_OPTIONS (e.g. `--import` of a
 * script counting statements), since they otherwise get a clean environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon, { type Request as CannonRequest } from 'autocannon';
import { generateKey } from '@tributary/core/crypto';
import { signDiscourse } from '@tributary/core/webhooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const serverDir = join(root, 'examples/server');
const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    engines: { type: 'string', default: 'floor,embedded,postgres' },
    role: { type: 'string', default: 'api' },
    'log-level': { type: 'string', default: 'warn' },
    /** Which routes to load: `records`, `webhook` or both (for profiling one route alone). */
    endpoints: { type: 'string', default: 'records,webhook' },
    /**
     * Copies of the server on shared engines (`--processes N`, node:cluster); the embedded case stays
     * one process (its engines belong to one). With N > 1 the bare server is also measured as N
     * copies, and each share is taken against the higher of the two bare figures.
     */
    processes: { type: 'string', default: '1' },
    /**
     * A fixed request rate (all connections together) instead of as fast as they go: the servers are
     * then not saturated, and their CPU per request is the figure to compare between two builds (it
     * moves far less with the machine's load than a saturated req/s does). Shares of bare mean
     * nothing in this mode and are not printed against the goals.
     */
    rate: { type: 'string' },
    /**
     * Runs every case this many times (each between two bare readings) and adds a summary: the
     * median share of each case decides its goal, with the lowest and highest beside it.
     */
    rounds: { type: 'string', default: '1' },
    /** Writes a V8 CPU profile of each server process into this directory (`node --cpu-prof`). */
    'cpu-prof': { type: 'string' },
  },
});
const DURATION = Number(opts.duration);
const WARMUP = Number(opts.warmup);
const CONNECTIONS = Number(opts.connections);
const ENGINES = new Set(opts.engines!.split(','));
const ENDPOINTS = new Set(opts.endpoints!.split(','));
const PROCESSES = Number(opts.processes);
const ROUNDS = Number(opts.rounds);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error(`--rounds must be a whole number ≥ 1, not ${opts.rounds}`);
const RATE = opts.rate === undefined ? undefined : Number(opts.rate);
if (RATE !== undefined && !(Number.isInteger(RATE) && RATE > 0)) throw new Error(`--rate must be a whole number > 0, not ${opts.rate}`);
if (!(Number.isInteger(PROCESSES) && PROCESSES >= 1)) throw new Error(`--processes must be a whole number ≥ 1, not ${opts.processes}`);
const GOALS: Record<string, number> = { embedded: 0.5, postgres: 0.6 };
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tributary_bench';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/13';

// The servers' clients are dependencies of the example server (their types, of the adapters package).
const requireFromServer = createRequire(join(serverDir, 'package.json'));
type Pg = typeof import('../packages/adapters/node_modules/@types/pg');
type IoRedis = typeof import('../packages/adapters/node_modules/ioredis');

// --- bodies: the same JSON for the server and the bare baseline ---------------------------------
const TEXT = 'The new release is excellent: the export is twice as fast and the dashboard finally loads on my phone.';
let sequence = 0;
const recordBody = () => JSON.stringify({ externalId: `bench-${process.pid}-${++sequence}`, itemType: 'review', occurredAt: new Date().toISOString(), content: { text: TEXT }, author: { username: 'ada' } });
const webhookBody = () => {
  const id = 1_000_000 + ++sequence;
  const at = new Date().toISOString();
  return JSON.stringify({ post: { id, username: 'ada', name: 'Ada', created_at: at, updated_at: at, cooked: `<p>${TEXT}</p>`, raw: TEXT, post_number: 1, topic_id: 8, topic_slug: 'release', topic_title: 'Release', user_id: 20, topic_archetype: 'regular' } });
};

interface Endpoint {
  name: 'records' | 'webhook';
  path: string;
  /** A fresh request: unique ids, headers signed for its body. */
  next(): { body: string; headers: Record<string, string> };
}

/**
 * The credentials the baselines' requests carry. The bare and Hono servers ignore them; the floor
 * checks them. Every server gets the same requests (bodies, headers, signatures; only the path's ids
 * differ), so the load generator does the same work for each: an unsigned baseline spared it the
 * signing a server's load pays for, on the cores the servers share with it.
 */
const BASELINE = { id: 'bench', apiKey: `bench-key-${generateKey().slice(0, 24)}`, sourceId: 'bench-source', secret: 'bench-webhook-secret' };

function endpoints(ws: { id: string; apiKey: string; sourceId: string; secret: string }): Endpoint[] {
  return [
    { name: 'records', path: `/v1/workspaces/${ws.id}/records`, next: () => ({ body: recordBody(), headers: { 'content-type': 'application/json', authorization: `Bearer ${ws.apiKey}` } }) },
    {
      name: 'webhook',
      path: `/v1/hooks/${ws.id}/${ws.sourceId}`,
      next: () => {
        const body = webhookBody();
        return { body, headers: { 'content-type': 'application/json', 'x-discourse-event': 'post_created', 'x-discourse-event-id': String(sequence), ...signDiscourse(body, ws.secret) } };
      },
    },
  ];
}

// --- processes ----------------------------------------------------------------------------------
const children = new Set<ChildProcess>();
/** Starts a process and resolves with the port it prints. */
function startProcess(args: string[], cwd: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...(process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {}), ...(process.env.TRIBUTARY_PGLITE_THREAD ? { TRIBUTARY_PGLITE_THREAD: process.env.TRIBUTARY_PGLITE_THREAD } : {}), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`did not start in 90 s:\n${out}`)), 90_000);
    const onData = (chunk: Buffer) => {
      if (out.length < 100_000) out += chunk.toString();
      const match = /listening on (?:http:\/\/[^:]+:)?(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${out}`));
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(force);
      children.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

const reachable = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port, timeout: 500 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });

// --- load ---------------------------------------------------------------------------------------
interface Measure {
  engine: string;
  endpoint: string;
  rps: number;
  p99: number;
  ok: number;
  bad: number;
  /** The server process's CPU time (all its threads) per answered request, in µs; null off Linux. */
  cpuPerRequestUs: number | null;
  /** Cores the server kept busy over the timed window (1 = one core all the time). */
  cores: number | null;
  /**
   * Share of the timed window the server's main threads (their event loops, summed over the copies
   * of `--processes`) were on a core; null off Linux. Near 1 per process, the event loop is the
   * bound, whatever the other threads (the collector's helpers, libuv's pool) add to `cores`.
   */
  mainThreadCores: number | null;
}

/**
 * utime + stime of one process (all its threads), in clock ticks, or null when it is gone. With
 * `mainThread`, of its main thread alone (the thread whose id is the process id: the event loop).
 */
function processTicks(pid: number, mainThread = false): { ticks: number; ppid: number } | null {
  try {
    const stat = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // ppid is field 4 of the file; utime and stime are 14 and 15 (2, 12 and 13 after the name).
    return { ticks: Number(fields[11]) + Number(fields[12]), ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by a process and every process under it (the copies of `--processes`).
 * Beside req/s it tells what a request costs the server, which moves far less with the machine's
 * load than req/s does (the load generator shares the cores). With `mainThreads`, of their main
 * threads only. Null where /proc is missing.
 */
function cpuSeconds(pid: number | undefined, mainThreads = false): number | null {
  if (pid === undefined) return null;
  const root = processTicks(pid, mainThreads);
  if (!root) return null;
  let ticks = root.ticks;
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const p = processTicks(Number(entry));
    if (p) children.set(p.ppid, [...(children.get(p.ppid) ?? []), Number(entry)]);
  }
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const child = stack.pop()!;
    ticks += processTicks(child, mainThreads)?.ticks ?? 0;
    stack.push(...(children.get(child) ?? []));
  }
  // Clock ticks are 100 per second on Linux.
  return ticks / 100;
}

async function load(port: number, endpoint: Endpoint, seconds: number): Promise<autocannon.Result> {
  const request: CannonRequest = {
    method: 'POST',
    path: endpoint.path,
    setupRequest: (req) => {
      const { body, headers } = endpoint.next();
      return { ...req, body, headers };
    },
  };
  return autocannon({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: seconds, requests: [request], timeout: 10, ...(RATE ? { overallRate: RATE } : {}) });
}

async function measure(engine: string, port: number, list: Endpoint[], pid: number | undefined): Promise<Measure[]> {
  const out: Measure[] = [];
  for (const endpoint of list.filter((e) => ENDPOINTS.has(e.name))) {
    if (WARMUP > 0) await load(port, endpoint, WARMUP);
    const cpuBefore = cpuSeconds(pid);
    const mainBefore = cpuSeconds(pid, true);
    const startedAt = performance.now();
    const r = await load(port, endpoint, DURATION);
    const cpuAfter = cpuSeconds(pid);
    const mainAfter = cpuSeconds(pid, true);
    const elapsed = (performance.now() - startedAt) / 1000;
    const cpu = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
    const mainThreadCores = mainBefore === null || mainAfter === null ? null : (mainAfter - mainBefore) / elapsed;
    const bad = r.non2xx + r.errors + r.timeouts;
    const cpuPerRequestUs = cpu === null || r['2xx'] === 0 ? null : (cpu * 1e6) / r['2xx'];
    const cores = cpu === null ? null : cpu / elapsed;
    out.push({ engine, endpoint: endpoint.name, rps: r['2xx'] / DURATION, p99: r.latency.p99, ok: r['2xx'], bad, cpuPerRequestUs, cores, mainThreadCores });
    const mainText = mainThreadCores === null ? '' : `, main thread ${mainThreadCores.toFixed(2)}`;
    const cpuText = cpuPerRequestUs === null ? '' : `  server CPU ${Math.round(cpuPerRequestUs)} µs/req (${cores!.toFixed(2)} cores${mainText})`;
    console.error(`  ${engine.padEnd(18)} ${endpoint.name.padEnd(8)} ${Math.round(r['2xx'] / DURATION).toLocaleString('en-US').padStart(7)} req/s  p99 ${r.latency.p99} ms${cpuText}${bad ? `  (${bad} failed: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts)` : ''}`);
  }
  return out;
}

// --- the reference server -----------------------------------------------------------------------
const ADMIN_TOKEN = `bench-admin-${generateKey().slice(0, 24)}`;

async function serverCase(engine: string, env: Record<string, string>): Promise<Measure[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-bench-ingest-'));
  try {
    // One directory per case: each thread (tsx's loader has its own) writes its own profile there.
    const profile = opts['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${join(opts['cpu-prof'], engine)}`] : [];
    // Shared engines may run as several copies; the embedded and memory engines belong to one process.
    const copies = engine.startsWith('postgres') ? PROCESSES : 1;
    const { child, port } = await startProcess([...profile, '--conditions=@tributary/source', '--import', 'tsx', 'src/main.ts', '--role', opts.role!, '--processes', String(copies)], serverDir, {
      PORT: '0',
      TRIBUTARY_DATA_DIR: dataDir,
      TRIBUTARY_ADMIN_TOKEN: ADMIN_TOKEN,
      TRIBUTARY_SECRET_KEY: generateKey(),
      TRIBUTARY_RATE_LIMIT: '0',
      TRIBUTARY_DEMO: 'false',
      LOG_LEVEL: opts['log-level']!,
      ...env,
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      const post = async (path: string, token: string, body: unknown) => {
        const res = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
        return (await res.json()) as Record<string, string>;
      };
      const ws = await post('/v1/workspaces', ADMIN_TOKEN, { name: `bench-${engine}` });
      const secret = 'bench-webhook-secret';
      const source = await post(`/v1/workspaces/${ws.id}/sources`, ws.apiKey!, { name: 'Forum', connector: 'discourse', config: { baseUrl: 'https://forum.example.com' }, webhook: { secret }, check: false });
      return await measure(engine, port, endpoints({ id: ws.id!, apiKey: ws.apiKey!, sourceId: source.id!, secret }), child.pid);
    } finally {
      await stopProcess(child);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A clean database and Redis index for the PostgreSQL + Redis case. */
async function preparePostgresRedis(): Promise<boolean> {
  const db = new URL(DATABASE_URL);
  const redis = new URL(REDIS_URL);
  if (!(await reachable(db.hostname, Number(db.port || 5432))) || !(await reachable(redis.hostname, Number(redis.port || 6379)))) return false;
  const { Client } = requireFromServer('pg') as Pg;
  const admin = new Client({ connectionString: Object.assign(new URL(DATABASE_URL), { pathname: '/postgres' }).toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${db.pathname.slice(1).replace(/[^a-z0-9_]/gi, '')}`);
  } catch (error) {
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await admin.end();
  }
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS tributary CASCADE');
  await client.end();
  const { Redis } = requireFromServer('ioredis') as IoRedis;
  const r = new Redis(REDIS_URL, { lazyConnect: true });
  await r.connect();
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', 'tributary:*', 'COUNT', 1000);
    cursor = next;
    if (keys.length) await r.del(...keys);
  } while (cursor !== '0');
  await r.quit();
  return true;
}

// --- run ----------------------------------------------------------------------------------------
console.error(`bench/ingest: ${CONNECTIONS} connections${RATE ? ` at a fixed ${RATE} req/s` : ''}, ${WARMUP} s warm-up + ${DURATION} s per case, server --role ${opts.role}, LOG_LEVEL=${opts['log-level']}`);
const results: Measure[] = [];
/**
 * The bare baseline, one process and (with --processes N) N copies. It is measured before the first
 * server and again after every server, and each server's share is taken against the higher of the
 * two bare readings beside it: the bare server is bound by the load generator, whose speed moves
 * with the machine's load more than anything else in the run (readings a few minutes apart differed
 * by 1.8× on a shared machine), so a baseline read far from its case, or a single low reading, could
 * flatter a server or wrong it.
 */
async function measureBare(round: number, reading: number): Promise<Measure[]> {
  const out: Measure[] = [];
  const tag = ` #${reading}${ROUNDS > 1 ? ` (round ${round})` : ''}`;
  const bare = await startProcess(['--import', 'tsx', join(root, 'bench/ingest-bare.ts')], root, {});
  out.push(...(await measure(`bare node:http${tag}`, bare.port, endpoints(BASELINE), bare.child.pid)));
  await stopProcess(bare.child);
  if (PROCESSES > 1) {
    const copies = await startProcess(['--import', 'tsx', join(root, 'bench/ingest-bare.ts')], root, { BARE_PROCESSES: String(PROCESSES) });
    out.push(...(await measure(`bare node:http ×${PROCESSES}${tag}`, copies.port, endpoints(BASELINE), copies.child.pid)));
    await stopProcess(copies.child);
  }
  return out;
}

// `<engine>-hono`: the same server with the ingest fast path off (TRIBUTARY_INGEST_FAST_PATH=false),
// both routes through Hono like every other route: what the fast path gains, in the same run.
const HONO_PATH = { TRIBUTARY_INGEST_FAST_PATH: 'false' };
/** The cases asked for, in the order they run; each is measured between two bare readings. */
const cases: { engine: string; run: () => Promise<Measure[] | null> }[] = [];
if (ENGINES.has('hono')) {
  cases.push({
    engine: 'bare Hono',
    run: async () => {
      const hono = await startProcess(['--import', 'tsx', join(root, 'bench/ingest-hono.ts')], root, {});
      try {
        return await measure('bare Hono', hono.port, endpoints(BASELINE), hono.child.pid);
      } finally {
        await stopProcess(hono.child);
      }
    },
  });
}
if (ENGINES.has('floor')) {
  cases.push({
    engine: 'floor',
    run: async () => {
      const floor = await startProcess(['--import', 'tsx', join(root, 'bench/ingest-floor.ts')], root, { FLOOR_API_KEY: BASELINE.apiKey, FLOOR_WEBHOOK_SECRET: BASELINE.secret });
      try {
        return await measure('floor', floor.port, endpoints(BASELINE), floor.child.pid);
      } finally {
        await stopProcess(floor.child);
      }
    },
  });
}
const embeddedCases: [string, Record<string, string>][] = [
  ['memory-hono', { TRIBUTARY_EMBEDDED: 'memory', ...HONO_PATH }],
  ['memory', { TRIBUTARY_EMBEDDED: 'memory' }],
  ['embedded-hono', { TRIBUTARY_EMBEDDED: 'pglite', ...HONO_PATH }],
  ['embedded', { TRIBUTARY_EMBEDDED: 'pglite' }],
  // The embedded engine as it was before the file queue: PGlite as the queue too.
  ['embedded-pglite-queue', { TRIBUTARY_EMBEDDED: 'pglite', TRIBUTARY_EMBEDDED_QUEUE: 'pglite' }],
];
for (const [engine, env] of embeddedCases) if (ENGINES.has(engine)) cases.push({ engine, run: () => serverCase(engine, env) });
let postgresNote = '';
for (const engine of ['postgres-hono', 'postgres'].filter((e) => ENGINES.has(e))) {
  cases.push({
    engine,
    run: async () => {
      if (await preparePostgresRedis()) return serverCase(engine, { DATABASE_URL, REDIS_URL, ...(engine.endsWith('-hono') ? HONO_PATH : {}) });
      postgresNote = `PostgreSQL + Redis: skipped (${DATABASE_URL} or ${REDIS_URL} not reachable)`;
      return null;
    },
  });
}

/** The baseline of each measured case: the higher bare figure of the readings just before and after it. */
const baselineOf = new Map<Measure, number>();
let reading = 0;
// The reading after a round's last case is also the one before the next round's first.
let before = await measureBare(1, ++reading);
results.push(...before);
for (let round = 1; round <= ROUNDS; round++) {
  for (const c of cases) {
    const measured = await c.run();
    if (!measured) continue;
    results.push(...measured);
    const after = await measureBare(round, ++reading);
    results.push(...after);
    for (const m of measured) {
      baselineOf.set(m, Math.max(...[...before, ...after].filter((b) => b.endpoint === m.endpoint).map((b) => b.rps)));
    }
    before = after;
  }
}

const isBare = (engine: string) => engine.startsWith('bare node:http');
const label: Record<string, string> = {
  'bare Hono': 'bare Hono (node-server)',
  floor: 'floor (bench/ingest-floor.ts)',
  memory: 'memory (not durable)',
  'memory-hono': 'memory, fast path off',
  embedded: 'embedded (PGlite store, file queue)',
  'embedded-hono': 'embedded, fast path off',
  'embedded-pglite-queue': 'embedded, PGlite queue (before the file queue)',
  postgres: 'PostgreSQL + Redis',
  'postgres-hono': 'PostgreSQL + Redis, fast path off',
};
const nameOf = (engine: string) => (label[engine] ?? engine) + (engine.startsWith('postgres') && PROCESSES > 1 ? `, ${PROCESSES} processes` : '');
const shareOf = (r: Measure) => (isBare(r.engine) || RATE ? null : r.rps / baselineOf.get(r)!);
const goalText = (engine: string, share: number | null) => {
  const goal = RATE ? undefined : GOALS[engine];
  return goal === undefined ? '' : `≥ ${goal * 100} % ${share !== null && share >= goal ? 'met' : 'NOT met'}`;
};
const rows = results.map((r) => {
  const share = shareOf(r);
  return [nameOf(r.engine), r.endpoint, Math.round(r.rps).toLocaleString('en-US'), `${r.p99}`, r.cpuPerRequestUs === null ? '—' : `${Math.round(r.cpuPerRequestUs)} (${r.cores!.toFixed(2)}${r.mainThreadCores === null ? '' : `; ${r.mainThreadCores.toFixed(2)}`})`, share === null ? '—' : `${(share * 100).toFixed(0)} %`, goalText(r.engine, share), r.bad ? String(r.bad) : '0'];
});
const header = ['server', 'endpoint', 'req/s', 'p99 ms', 'server CPU µs/req (cores; main thread)', 'of bare beside it', 'goal', 'failed'];
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);

if (ROUNDS > 1 && !RATE) {
  // Over the rounds: the median share decides the goal; the spread says how much to trust it.
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const keys = [...new Set(results.filter((r) => !isBare(r.engine)).map((r) => `${r.engine}\u0000${r.endpoint}`))];
  const summary = ['server', 'endpoint', 'rounds', 'median req/s', 'median CPU µs/req', 'median main-thread cores', 'median of bare', 'lowest – highest', 'goal (median)'];
  console.log(`\nOver ${ROUNDS} rounds:\n`);
  console.log(`| ${summary.join(' | ')} |`);
  console.log(`|${summary.map(() => '---').join('|')}|`);
  for (const key of keys) {
    const [engine, endpoint] = key.split('\u0000') as [string, string];
    const of = results.filter((r) => r.engine === engine && r.endpoint === endpoint);
    const shares = of.map((r) => shareOf(r)!).filter((x) => x !== null);
    const cpu = of.map((r) => r.cpuPerRequestUs).filter((x): x is number => x !== null);
    const main = of.map((r) => r.mainThreadCores).filter((x): x is number => x !== null);
    const mid = median(shares);
    console.log(`| ${[nameOf(engine), endpoint, String(of.length), Math.round(median(of.map((r) => r.rps))).toLocaleString('en-US'), cpu.length ? String(Math.round(median(cpu))) : '—', main.length ? median(main).toFixed(2) : '—', `${(mid * 100).toFixed(0)} %`, `${(Math.min(...shares) * 100).toFixed(0)}–${(Math.max(...shares) * 100).toFixed(0)} %`, goalText(engine, mid)].join(' | ')} |`);
  }
}
if (postgresNote) console.log(`\n${postgresNote}`);
