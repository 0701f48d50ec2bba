/**
 * @module key-rotation
 * Re-encrypts every stored secret with the primary encryption key: source credentials and webhook
 * secrets (through the pipeline's source registry, which keeps them bound to their workspace and
 * source) and destination secrets (through the destination registry, which also moves values of
 * the old field-only binding to the workspace-bound one). After a full pass nothing needs a
 * previous key, and `TRIBUTARY_SECRET_KEY_PREVIOUS` can be emptied.
 *
 * Resumable: a checkpoint document records the last workspace finished under the current primary
 * key, so an interrupted run (a stopped CLI, a batch-limited admin call) continues after it. Every
 * step is idempotent: a value already under the primary key is left alone, so running again, or two
 * runs at once, only costs reads.
 */
import type { SecretBox } from '@tributary/core/crypto';
import type { Pipeline, SourceDefinition } from '@tributary/core/pipeline';
import type { StoredDestination } from '@tributary/core/destinations';
import { DESTINATIONS, isSealedValue, SEALED } from '@tributary/core/destinations';
import { GLOBAL_SCOPE, type StorageAdapter } from '@tributary/core/storage';
import type { Clock } from '@tributary/core/clock';
import { systemClock } from '@tributary/core/clock';
import type { Workspace } from './api.js';
import { WORKSPACES } from './auth.js';

const CHECKPOINT = { collection: 'maintenance', id: 'secret-key-reencryption' } as const;

/** Counts of one kind of thing. */
export interface ItemCounts {
  scanned: number;
  /** Rewritten under the primary key (with `dryRun`: would be). */
  reencrypted: number;
  failed: number;
}

/** Where a re-encryption stands. */
export interface ReencryptionProgress {
  /** Id of the primary key everything is being moved to. */
  keyId: string;
  workspacesDone: number;
  workspacesTotal: number;
  sources: ItemCounts;
  destinations: ItemCounts;
  /** What could not be re-encrypted, and why (never a secret). */
  failures: { workspaceId: string; kind: 'source' | 'destination'; id: string; error: string }[];
  /** True when every workspace was visited. */
  done: boolean;
  /** True when this run continued a checkpoint left by an earlier one. */
  resumed: boolean;
}

/** Options of {@link reencryptSecrets}. */
export interface ReencryptionOptions {
  pipeline: Pick<Pipeline, 'storage' | 'sources' | 'destinations'>;
  secretBox: SecretBox;
  /** Count what needs re-encryption without writing anything (nor the checkpoint). */
  dryRun?: boolean;
  /** Stop after this many workspaces (the next run resumes). @default all */
  maxWorkspaces?: number;
  /** Called after each workspace. */
  onProgress?: (progress: ReencryptionProgress) => void;
  signal?: AbortSignal;
  clock?: Clock;
}

interface Checkpoint {
  keyId: string;
  /** Workspaces are visited in id order; this one and those before it are done. */
  lastWorkspaceId: string | null;
  progress: Omit<ReencryptionProgress, 'done' | 'resumed' | 'workspacesTotal'>;
  updatedAt: string;
  finishedAt: string | null;
}

async function* documents<T>(storage: StorageAdapter, collection: string, scope: string): AsyncGenerator<{ id: string; document: T }> {
  let cursor: string | undefined;
  do {
    const page = await storage.listDocuments<T>(collection, scope, { limit: 500, cursor });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

const stale = (box: SecretBox, value: string | null | undefined) => typeof value === 'string' && box.needsReencryption(value);

/** True when a stored source holds a secret not under the primary key. */
export function sourceNeedsReencryption(source: SourceDefinition, box: SecretBox): boolean {
  return stale(box, source.credentials) || stale(box, source.webhook?.secret);
}

/** True when a stored destination holds a secret not under the primary key or not bound to it. */
export function destinationNeedsReencryption(destination: StoredDestination, box: SecretBox): boolean {
  const config = (destination.config ?? {}) as Record<string, unknown>;
  return Object.values(config).some((v) => isSealedValue(v) && (!(SEALED in v) || box.needsReencryption((v as Record<string, string>)[SEALED]!)));
}

/** Re-encrypts one source's secrets with the current key (a writer that got there first already used it). */
async function reencryptSource(pipeline: ReencryptionOptions['pipeline'], workspaceId: string, source: SourceDefinition, box: SecretBox): Promise<void> {
  const resolved = await pipeline.sources.resolve(workspaceId, source.id);
  if (stale(box, source.credentials)) {
    // Compare-and-set: a token refresh that wrote meanwhile already used the current key.
    await pipeline.sources.updateCredentials(workspaceId, source.id, resolved.credentials, { expectedVersion: source.credentialsVersion ?? 1 });
  }
  if (stale(box, source.webhook?.secret) && resolved.webhookSecret !== null) {
    await pipeline.sources.update(workspaceId, source.id, { webhook: { scheme: resolved.source.webhook!.scheme, secret: resolved.webhookSecret } });
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs (or continues) the re-encryption of every workspace's secrets with the primary key.
 * Failures of single items are reported and the run goes on; they stay stale, so a later run
 * retries them.
 */
export async function reencryptSecrets(options: ReencryptionOptions): Promise<ReencryptionProgress> {
  const { pipeline, secretBox: box } = options;
  const { storage } = pipeline;
  const clock = options.clock ?? systemClock;
  const iso = () => new Date(clock.now()).toISOString();
  const keyId = box.currentKeyId;

  const saved = await storage.getDocument<Checkpoint>(CHECKPOINT.collection, GLOBAL_SCOPE, CHECKPOINT.id);
  // A finished run, or one toward another primary key, is not continued: everything is checked again.
  const resume = !options.dryRun && saved?.keyId === keyId && saved.finishedAt === null ? saved : null;
  const progress: ReencryptionProgress = {
    keyId,
    workspacesDone: resume?.progress.workspacesDone ?? 0,
    workspacesTotal: 0,
    sources: { ...(resume?.progress.sources ?? { scanned: 0, reencrypted: 0, failed: 0 }) },
    destinations: { ...(resume?.progress.destinations ?? { scanned: 0, reencrypted: 0, failed: 0 }) },
    failures: [...(resume?.progress.failures ?? [])],
    done: false,
    resumed: resume !== null,
  };
  let lastWorkspaceId = resume?.lastWorkspaceId ?? null;
  const ids: string[] = [];
  for await (const { id } of documents<Workspace>(storage, WORKSPACES, GLOBAL_SCOPE)) ids.push(id);
  progress.workspacesTotal = ids.length;
  const todo = ids.filter((id) => lastWorkspaceId === null || id > lastWorkspaceId);

  const save = async (finished: boolean) => {
    if (options.dryRun) return;
    const { done: _done, resumed: _resumed, workspacesTotal: _total, ...rest } = progress;
    const checkpoint: Checkpoint = { keyId, lastWorkspaceId, progress: { ...rest, failures: rest.failures.slice(-1000) }, updatedAt: iso(), finishedAt: finished ? iso() : null };
    await storage.putDocument(CHECKPOINT.collection, GLOBAL_SCOPE, CHECKPOINT.id, checkpoint);
  };

  let visited = 0;
  for (const workspaceId of todo) {
    if (options.signal?.aborted || (options.maxWorkspaces !== undefined && visited >= options.maxWorkspaces)) break;
    for await (const { id, document } of documents<SourceDefinition>(storage, 'sources', workspaceId)) {
      progress.sources.scanned++;
      if (!sourceNeedsReencryption(document, box)) continue;
      try {
        if (!options.dryRun) await reencryptSource(pipeline, workspaceId, document, box);
        progress.sources.reencrypted++;
      } catch (error) {
        progress.sources.failed++;
        progress.failures.push({ workspaceId, kind: 'source', id, error: message(error) });
      }
    }
    for await (const { id, document } of documents<StoredDestination>(storage, DESTINATIONS, workspaceId)) {
      progress.destinations.scanned++;
      if (!destinationNeedsReencryption(document, box)) continue;
      try {
        if (!options.dryRun) await pipeline.destinations.reencrypt(workspaceId, id);
        progress.destinations.reencrypted++;
      } catch (error) {
        progress.destinations.failed++;
        progress.failures.push({ workspaceId, kind: 'destination', id, error: message(error) });
      }
    }
    lastWorkspaceId = workspaceId;
    visited++;
    progress.workspacesDone++;
    await save(false);
    options.onProgress?.({ ...progress });
  }
  progress.done = lastWorkspaceId === null ? todo.length === 0 : !ids.some((id) => id > lastWorkspaceId!);
  if (progress.done) await save(true);
  return progress;
}
