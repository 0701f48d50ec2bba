/**
 * @module cli/context
 * What the commands that work on the configured engines share: the server assembled from the same
 * environment as `tributary serve` (engines, secrets, registry, pipeline), in the `api` role so it
 * consumes nothing until a command starts the stages it needs, with logs on stderr.
 *
 * On the embedded default the database lives in the data directory and belongs to one process at a
 * time: stop the server before running these commands on it.
 */
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { GLOBAL_SCOPE } from '@tributary/core/storage';
import type { Workspace } from '../api.js';
import { WORKSPACES } from '../auth.js';
import { isEmbedded, loadConfig, type ServerConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createServer, type TributaryServer } from '../server.js';
import { UsageError } from './args.js';

/** Loads the configuration; a bad variable is a usage error. */
export function cliConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Refuses to open the embedded database while a server of the same configuration runs on it: PGlite
 * takes no lock, and two processes writing one data directory corrupt it. Asks the server at the
 * configured address which engines it runs (`/readyz`).
 * @throws Error naming the server to stop
 */
export async function refuseIfServed(config: ServerConfig): Promise<void> {
  if (!isEmbedded(config) || config.TRIBUTARY_EMBEDDED !== 'pglite') return;
  const mine = `pglite ${join(resolve(config.TRIBUTARY_DATA_DIR), 'pglite')}`;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.PORT}`;
  let storage: unknown;
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
    storage = ((await res.json()) as { engines?: { storage?: unknown } }).engines?.storage;
  } catch {
    // Nothing answers there (or not a Tributary server): the directory is free as far as we can tell.
    return;
  }
  if (storage === mine) throw new Error(`the server at ${url} is running on ${config.TRIBUTARY_DATA_DIR}: stop it first (the embedded database has one owner at a time), or use its HTTP API`);
}

/** The server of the configured engines, logging warnings (or `LOG_LEVEL`) as JSON on stderr. */
export async function openServer(env: NodeJS.ProcessEnv = process.env, options: { fileRoot?: string } = {}): Promise<TributaryServer> {
  const config = cliConfig(env);
  await refuseIfServed(config);
  const logger = createLogger({ level: env.LOG_LEVEL ? config.LOG_LEVEL : 'warn', destination: pino.destination({ fd: 2, sync: true }) });
  return createServer({ config, role: 'api', logger, ...(options.fileRoot ? { fileRoot: options.fileRoot } : {}) });
}

/** Every workspace. */
export async function listWorkspaces(server: TributaryServer): Promise<Workspace[]> {
  const out: Workspace[] = [];
  let cursor: string | undefined;
  do {
    const page = await server.engines.storage.listDocuments<Workspace>(WORKSPACES, GLOBAL_SCOPE, { limit: 1000, cursor });
    out.push(...page.items.map((i) => i.document));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/**
 * The workspace a command works on: the one named (by id or name), or the only one there is.
 * @throws UsageError when it is ambiguous or unknown
 */
export async function resolveWorkspace(server: TributaryServer, wanted: string | undefined, command: string): Promise<Workspace> {
  const all = await listWorkspaces(server);
  if (wanted !== undefined) {
    const found = all.find((w) => w.id === wanted) ?? all.filter((w) => w.name === wanted);
    if (!Array.isArray(found)) return found;
    if (found.length === 1) return found[0]!;
    if (found.length > 1) throw new UsageError(`several workspaces are named ${JSON.stringify(wanted)}: give its id (${found.map((w) => w.id).join(', ')})`, command);
    throw new UsageError(`no workspace ${JSON.stringify(wanted)}${all.length ? ` (there are: ${all.map((w) => `${w.id} "${w.name}"`).join(', ')})` : ''}`, command);
  }
  if (all.length === 1) return all[0]!;
  if (all.length === 0) throw new UsageError('there is no workspace yet: create one with POST /v1/workspaces', command);
  throw new UsageError(`several workspaces exist: choose one with --workspace (${all.map((w) => `${w.id} "${w.name}"`).join(', ')})`, command);
}

/** Resolves when the given topics are empty and idle twice in a row (the work queued on them is done). */
export async function waitIdle(server: Pick<TributaryServer, 'pipeline'>, topics: readonly string[], options: { pollMs?: number; onPoll?: () => void | Promise<void> } = {}): Promise<void> {
  let quiet = 0;
  while (quiet < 2) {
    await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
    await options.onPoll?.();
    const stats = await Promise.all(topics.map((t) => server.pipeline.queue.stats(t)));
    quiet = stats.every((s) => s.depth === 0 && s.inFlight === 0) ? quiet + 1 : 0;
  }
}
