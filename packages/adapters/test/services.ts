// Gate for integration suites that need a service on this machine (PostgreSQL, Redis, NATS, RabbitMQ…).
// In CI (CI=true) an unreachable service throws, so the suite FAILS instead of silently skipping —
// the trap db0 fell into, whose PostgreSQL suite skipped in CI for years. Elsewhere the suite is
// skipped and the reason printed. A TCP connect with a timeout is the whole check: the suite's own
// first statements show any deeper problem.
import { connect } from 'node:net';

/** What {@link requireService} found. */
export interface ServiceCheck {
  /** True when the service accepted a TCP connection. */
  available: boolean;
  /** Why a suite skips (set when not available). */
  reason?: string;
  host: string;
  port: number;
}

const DEFAULT_PORTS: Record<string, number> = {
  'postgres:': 5432,
  'postgresql:': 5432,
  'redis:': 6379,
  'rediss:': 6379,
  'nats:': 4222,
  'amqp:': 5672,
  'amqps:': 5671,
  'kafka:': 9092,
  'http:': 80,
  'https:': 443,
};

/** Host and port of a service URL (`postgres://…`, `redis://…`, `nats://…`, `amqp://…`) or `host:port`. */
export function serviceAddress(url: string): { host: string; port: number } {
  const parsed = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? new URL(url) : new URL(`tcp://${url}`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = parsed.port ? Number(parsed.port) : (DEFAULT_PORTS[parsed.protocol] ?? NaN);
  if (!Number.isInteger(port)) throw new Error(`[tributary] [test] no port in service URL ${url}`);
  return { host, port };
}

/** True when `host:port` accepts a TCP connection within `timeoutMs`. */
export function tcpReachable(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(ok: boolean) {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    }
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const inCi = () => /^(1|true|yes)$/i.test(process.env.CI ?? '');

/**
 * Checks that the service `name` at `url` is reachable. In CI an unreachable service throws (the
 * suite fails); elsewhere it resolves `{ available: false, reason }` and prints the reason, for the
 * suite to skip with `describe.skipIf(!check.available)`.
 *
 * @example
 * const pg = await requireService('PostgreSQL', process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test');
 * describe.skipIf(!pg.available)('postgres adapter', () => { … });
 */
export async function requireService(name: string, url: string, options: { timeoutMs?: number } = {}): Promise<ServiceCheck> {
  const { host, port } = serviceAddress(url);
  if (await tcpReachable(host, port, options.timeoutMs ?? 2000)) return { available: true, host, port };
  const reason = `${name} is not reachable at ${host}:${port}`;
  if (inCi()) {
    throw new Error(`[tributary] [test] ${reason}; in CI (CI=${process.env.CI}) every service must be running, so this suite fails instead of skipping`);
  }
  console.warn(`[tributary] [test] skipping the ${name} suite: ${reason} (start it to run the suite; see DEVELOPERS.md)`);
  return { available: false, reason, host, port };
}
