/**
 * @module config
 * The server's configuration, read from the environment once at start. Every variable is optional:
 * with none set, the server runs on the embedded default (PGlite store and queue in `./data`).
 */
import { z } from 'zod';
import { decodeKey } from '@tributary/core/crypto';
import { DEFAULT_MAX_JSON_DEPTH } from '@tributary/core/json';

/** An empty variable (`FOO=`) counts as unset, as shells and compose files often leave them. */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);
const optionalString = () => z.preprocess(unsetIfEmpty, z.string().optional());
const optionalUrl = () => z.preprocess(unsetIfEmpty, z.string().url('must be a URL').optional());
const flag = (fallback: boolean) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .optional()
      .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1' || v === 'yes')),
  );
const count = (fallback: number, max = Number.MAX_SAFE_INTEGER) => z.preprocess(unsetIfEmpty, z.coerce.number().int().min(0).max(max).default(fallback));

/** The server's configuration, read from the environment. */
export const ServerConfigSchema = z.object({
  /** Port to listen on. @default 8787 */
  PORT: count(8787, 65535),
  /** Address to bind. Loopback by default: exposing the server is a deliberate choice. @default '127.0.0.1' */
  HOST: z.preprocess(unsetIfEmpty, z.string().default('127.0.0.1')),
  /** Where the embedded engines, the generated admin token and the generated secret key live. @default './data' */
  TRIBUTARY_DATA_DIR: z.preprocess(unsetIfEmpty, z.string().default('./data')),
  /**
   * The only directory `file` sources may read. Sources are created with a workspace key, so without
   * this bound any key could read any file the server can. @default '<TRIBUTARY_DATA_DIR>/imports'
   */
  TRIBUTARY_IMPORT_DIR: z.preprocess(unsetIfEmpty, z.string().optional()),
  /** Bearer token of the admin routes. @default generated on first start and kept in the data directory */
  TRIBUTARY_ADMIN_TOKEN: z.preprocess(unsetIfEmpty, z.string().min(16, 'must be at least 16 characters').optional()),
  /** 32-byte key (hex or base64) encrypting credentials at rest. @default generated on first start and kept in the data directory */
  TRIBUTARY_SECRET_KEY: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .refine((v) => {
        try {
          decodeKey(v);
          return true;
        } catch {
          return false;
        }
        // The message never quotes the value: it is a secret.
      }, 'must be 32 bytes, as 64 hex characters or 44 base64 characters')
      .optional(),
  ),
  /**
   * Keys `TRIBUTARY_SECRET_KEY` replaced, comma-separated: they only decrypt what they encrypted until
   * `tributary keys rotate` has re-encrypted it with the current key. @default none
   */
  TRIBUTARY_SECRET_KEY_PREVIOUS: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .transform((v) => v.split(',').map((k) => k.trim()).filter(Boolean))
      .refine((keys) => keys.every((k) => { try { decodeKey(k); return true; } catch { return false; } }), 'each key must be 32 bytes, as 64 hex characters or 44 base64 characters')
      .optional(),
  ),
  /** PostgreSQL for storage (and the queue, unless a broker URL is set). */
  DATABASE_URL: optionalUrl(),
  /**
   * Connections per pool to `DATABASE_URL`; a process opens two pools (store, and queue when no broker
   * is set). Size it so that processes × pools × this stays under the server's `max_connections`.
   * @default 10
   */
  DATABASE_POOL_MAX: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).max(1000).default(10)),
  /** Redis for the queue (Redis Streams) and the shared delivery rate limiter. */
  REDIS_URL: optionalUrl(),
  /** NATS JetStream for the queue; a comma-separated server list is accepted. */
  NATS_URL: optionalString(),
  /** RabbitMQ for the queue. */
  AMQP_URL: optionalUrl(),
  /** Let connectors and destinations reach loopback, private, link-local and metadata addresses (development only). @default false */
  TRIBUTARY_ALLOW_PRIVATE_NETWORK: flag(false),
  /** Hosts (`name` or `name:port`, comma-separated) reachable even when they resolve to private addresses. @default none */
  TRIBUTARY_ALLOWED_HOSTS: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .optional()
      .transform((v) => [...new Set((v ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean))]),
  ),
  /**
   * Demo mode: a simulated Discourse forum, feedback widget, billing system and CRM feed a demo
   * workspace (see src/demo). `--demo` / `--no-demo` override it.
   * @default on when everything runs in one process on the embedded engine, off otherwise
   */
  TRIBUTARY_DEMO: z.preprocess(
    unsetIfEmpty,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes')),
  ),
  /** Embedded engine when no DATABASE_URL is set: `pglite` (durable, in the data directory) or `memory` (lost on exit). @default 'pglite' */
  TRIBUTARY_EMBEDDED: z.preprocess(unsetIfEmpty, z.enum(['pglite', 'memory']).default('pglite')),
  /**
   * The embedded engine's durable queue: `file` (a journal in `<data dir>/queue`: a publish is durable
   * after one write and fdatasync shared by concurrent publishes) or `pglite` (tables beside the store).
   * Unset: `file`, except for a data directory whose PGlite queue still holds messages from an earlier
   * version, which keeps it until it is empty.
   */
  TRIBUTARY_EMBEDDED_QUEUE: z.preprocess(unsetIfEmpty, z.enum(['file', 'pglite']).optional()),
  /**
   * The thread the embedded PGlite runs on: `worker` (a worker thread, so its work overlaps the HTTP
   * work on another core) or `main` (the thread serving HTTP).
   */
  TRIBUTARY_PGLITE_THREAD: z.preprocess(unsetIfEmpty, z.enum(['worker', 'main']).default('worker')),
  /**
   * Copies of the server to run on one port (node:cluster), each a process of the same role: one
   * process serves HTTP on one core, so an API role uses a machine's cores this way. Shared engines
   * only (the embedded ones belong to one process). `--processes N` on the command line wins.
   * @default 1
   */
  TRIBUTARY_PROCESSES: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).max(64).default(1)),
  /** The URL clients reach this server at, for the webhook URLs it hands out. @default the request's own origin */
  TRIBUTARY_PUBLIC_URL: optionalUrl(),
  /** Largest request body, in bytes. @default 1048576 (1 MiB) */
  TRIBUTARY_MAX_BODY_BYTES: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1024).default(1024 * 1024)),
  /**
   * Deepest nesting (objects and arrays) of a JSON body on the records API and the webhook endpoint;
   * deeper bodies, or records in a batch, are refused with a 400 naming where. At most 200: core
   * refuses items nested past 256 levels whatever the server allows. @default 64
   */
  TRIBUTARY_MAX_JSON_DEPTH: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(4).max(200).default(DEFAULT_MAX_JSON_DEPTH)),
  /**
   * Serve `POST /v1/workspaces/:ws/records` and `POST /v1/hooks/:ws/:source` on node:http directly
   * (same answers, a fraction of the per-request cost); `false` sends them through the Hono app like
   * every other route. @default true
   */
  TRIBUTARY_INGEST_FAST_PATH: flag(true),
  /**
   * With shared engines, how long (ms) a process trusts an API key's document without reading it
   * again: a key revoked or rotated by another process keeps working here for at most this long (the
   * process that revokes drops it at once). 0 reads the key on every request. The embedded engines
   * have one owner process and cache keys 30 s whatever this says. @default 2000
   */
  TRIBUTARY_API_KEY_CACHE_MS: count(2000, 60_000),
  /** Requests per second per workspace (API and webhooks counted apart); 0 turns the limit off. @default 100 */
  TRIBUTARY_RATE_LIMIT: count(100),
  /** Burst of the per-workspace limit. @default 2 × TRIBUTARY_RATE_LIMIT */
  TRIBUTARY_RATE_BURST: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).optional()),
  /** OTLP/HTTP collector base URL: traces are exported to `<it>/v1/traces`; unset, no traces leave the process. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl(),
  /** OTLP/HTTP traces URL, used as is (overrides the base URL's traces path). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl(),
  /** `service.name` of the spans. @default 'tributary' */
  OTEL_SERVICE_NAME: optionalString(),
  /** pino log level. @default 'info' */
  LOG_LEVEL: z.preprocess(unsetIfEmpty, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
});
export type ServerConfig = z.infer<typeof ServerConfigSchema>;

/** Reads and validates the configuration; throws naming the bad variable (never its value). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = ServerConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  return parsed.data;
}

/** The embedded default: no external database or broker configured. */
export function isEmbedded(config: ServerConfig): boolean {
  return !config.DATABASE_URL && !config.REDIS_URL && !config.NATS_URL && !config.AMQP_URL;
}
