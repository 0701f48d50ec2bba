/**
 * The machine's services for the reliability suites: the CI gate (a missing service fails in CI,
 * skips elsewhere), a database and a Redis logical database of a run's own, SQL counts, and restarts
 * of PostgreSQL, Redis and NATS that wait until the service answers again. Other engineers use these
 * services at the same time: every restart brings the service back with the project's documented
 * command and waits for it, and every run works under its own names.
 */
import { exec as execCallback } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireService, tcpReachable, type ServiceCheck } from '../../../packages/adapters/test/services.js';

export { requireService, type ServiceCheck };

const exec = promisify(execCallback);

export const POSTGRES_URL = process.env.RELIABILITY_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.RELIABILITY_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const NATS_URL = process.env.RELIABILITY_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Minimal shapes of the clients (loaded from the adapters package, which depends on them). */
interface PgClient {
  connect(): Promise<unknown>;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): void;
}
interface RedisClient {
  select(db: number): Promise<unknown>;
  dbsize(): Promise<number>;
  flushdb(): Promise<unknown>;
  set(key: string, value: string, ...args: (string | number)[]): Promise<unknown>;
  ping(): Promise<string>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: 'error', listener: (error: Error) => void): void;
}

const adaptersRequire = createRequire(join(import.meta.dirname, '../../../packages/adapters/package.json'));

async function pgClient(url: string): Promise<PgClient> {
  const pg = adaptersRequire('pg') as { Client: new (o: { connectionString: string; connectionTimeoutMillis?: number }) => PgClient };
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Runs one query on a short-lived connection. */
export async function sql<R = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = await pgClient(url);
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A PostgreSQL database of this run's own (dropped by `drop`). */
export async function createDatabase(label: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `rel_${label}_${randomUUID().slice(0, 8)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await sql(POSTGRES_URL, `CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      await waitUntil(() => tcpReachable('127.0.0.1', 5432), 60_000, 'PostgreSQL to answer').catch(() => undefined);
      await sql(POSTGRES_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((error: Error) => console.warn(`[reliability] could not drop database ${name}: ${error.message}`));
    },
  };
}

async function redisClient(url = REDIS_URL): Promise<RedisClient> {
  const mod = adaptersRequire('ioredis') as { Redis: new (url: string, o: Record<string, unknown>) => RedisClient };
  const client = new mod.Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  client.on('error', () => undefined);
  return client;
}

/**
 * Claims an empty Redis logical database (1–15) for this run, marked with a key so two runs never pick
 * the same one; `release` flushes it. The server takes it through its REDIS_URL (`redis://…/N`).
 */
export async function claimRedisDatabase(): Promise<{ url: string; db: number; release(): Promise<void> }> {
  const client = await redisClient();
  try {
    const start = 1 + Math.floor(Math.random() * 15);
    for (let i = 0; i < 15; i++) {
      const db = 1 + ((start - 1 + i) % 15);
      await client.select(db);
      // An empty database, claimed atomically (SET NX) before anything else is written to it.
      if ((await client.dbsize()) !== 0) continue;
      const claimed = await client.set('tributary-reliability:claim', String(process.pid), 'EX', 3600, 'NX');
      if (claimed !== 'OK') continue;
      const base = new URL(REDIS_URL);
      base.pathname = `/${db}`;
      return {
        url: base.toString(),
        db,
        async release() {
          await waitUntil(() => tcpReachable('127.0.0.1', 6379), 60_000, 'Redis to answer').catch(() => undefined);
          const c = await redisClient();
          try {
            await c.select(db);
            await c.flushdb();
          } finally {
            await c.quit().catch(() => c.disconnect());
          }
        },
      };
    }
    throw new Error('[reliability] no empty Redis logical database (1-15) to claim');
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
}

/** Polls `check` until it resolves true. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 200): Promise<number> {
  const started = Date.now();
  for (;;) {
    let ok = false;
    try {
      ok = await check();
    } catch {
      ok = false;
    }
    if (ok) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`[reliability] timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const sh = async (command: string) => {
  await exec(command, { timeout: 120_000, shell: '/bin/bash' });
};

const postgresReady = async () => {
  try {
    await exec('pg_isready -q -h 127.0.0.1 -p 5432 -t 2', { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
};

/**
 * Restarts PostgreSQL and waits until it answers queries again: the documented `restart`, or with
 * `downForMs` a stop, that long a pause (an outage long enough to observe), and a start.
 */
export async function restartPostgres(options: { downForMs?: number } = {}): Promise<{ downMs: number }> {
  const started = Date.now();
  if (options.downForMs) {
    try {
      await sh('pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main stop -m fast');
      await new Promise((r) => setTimeout(r, options.downForMs));
    } finally {
      await sh('pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start');
    }
  } else {
    await sh('pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main restart');
  }
  await waitUntil(async () => (await postgresReady()) && (await sql(POSTGRES_URL, 'SELECT 1')).length === 1, 90_000, 'PostgreSQL to answer after the restart');
  return { downMs: Date.now() - started };
}

const redisAnswers = async () => {
  const { stdout } = await exec('redis-cli -h 127.0.0.1 -p 6379 ping', { timeout: 3000 });
  return stdout.trim() === 'PONG';
};

/**
 * Restarts Redis with the project's documented command. The server on this machine runs without
 * persistence (`--save "" --appendonly no`), so a plain `shutdown nosave` would empty every stream:
 * this restart saves a snapshot on the way down (`SHUTDOWN SAVE`, as a maintenance restart of a
 * persistent deployment would), Redis loads it on the way up, and the snapshot file is then removed
 * so a later `shutdown nosave` restart by anyone else does not resurrect it.
 */
export async function restartRedis(options: { downForMs?: number } = {}): Promise<{ downMs: number }> {
  const started = Date.now();
  await exec('redis-cli -h 127.0.0.1 -p 6379 shutdown save', { timeout: 60_000 }).catch(() => undefined);
  try {
    await waitUntil(async () => !(await redisAnswers().catch(() => false)), 30_000, 'Redis to stop');
    if (options.downForMs) await new Promise((r) => setTimeout(r, options.downForMs));
  } finally {
    await sh('redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log').catch(() => undefined);
  }
  await waitUntil(async () => {
    if (!(await redisAnswers().catch(() => false))) return false;
    const { stdout } = await exec('redis-cli -h 127.0.0.1 -p 6379 info persistence', { timeout: 3000 });
    return /loading:0/.test(stdout);
  }, 60_000, 'Redis to answer after the restart');
  await exec('rm -f /var/lib/redis/dump.rdb', { timeout: 5000 }).catch(() => undefined);
  return { downMs: Date.now() - started };
}

const natsAnswers = () =>
  exec(`timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/4222 || exit 1; IFS= read -r -t 4 line <&3; printf "%s" "$line"'`, { timeout: 6000 }).then(
    ({ stdout }) => /^INFO .*"jetstream":true/.test(stdout),
    () => false,
  );

/** Restarts NATS (stop, an optional pause, then the documented start command) and waits for JetStream to answer. */
export async function restartNats(options: { downForMs?: number } = {}): Promise<{ downMs: number }> {
  const started = Date.now();
  try {
    await exec('start-stop-daemon --stop --oknodo --retry TERM/20/KILL/5 --exec /usr/sbin/nats-server', { timeout: 60_000 }).catch(() => undefined);
    if (options.downForMs) await new Promise((r) => setTimeout(r, options.downForMs));
  } finally {
    await sh('start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log');
  }
  await waitUntil(natsAnswers, 60_000, 'NATS to answer after the restart');
  return { downMs: Date.now() - started };
}

/** Deletes the JetStream streams whose names start with `prefix` (the run's own). */
export async function deleteNatsStreams(prefix: string): Promise<void> {
  const { connect } = (await import(pathOf('nats'))) as { connect: (o: { servers: string }) => Promise<{ jetstreamManager(): Promise<{ streams: { list(): AsyncIterable<{ config: { name: string } }> & { next(): Promise<{ config: { name: string } }[]> }; delete(name: string): Promise<boolean> } }>; close(): Promise<void> }> };
  const nc = await connect({ servers: NATS_URL.replace(/^nats:\/\//, '') });
  try {
    const jsm = await nc.jetstreamManager();
    const names: string[] = [];
    for (const s of await jsm.streams.list().next()) if (s.config.name.startsWith(prefix)) names.push(s.config.name);
    for (const name of names) await jsm.streams.delete(name).catch(() => false);
  } finally {
    await nc.close().catch(() => undefined);
  }
}

function pathOf(name: string): string {
  return `file://${adaptersRequire.resolve(name)}`;
}
