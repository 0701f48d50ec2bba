/**
 * @module embedded-queue
 * Which durable queue the embedded engine uses: the file queue (`@tributary/adapters/file-queue`, a
 * journal in `<data dir>/queue`) or the PGlite queue (tables beside the store, in `<data dir>/pglite`).
 *
 * The file queue is the default: a publish is durable after one write and fdatasync shared by every
 * concurrent publish (well under a millisecond here), where a PGlite transaction costs several, which
 * capped HTTP ingest (bench/README.md, "Ingest"). A data directory written by an earlier version may
 * still hold messages in its PGlite queue: those are never stranded. Such a directory keeps its PGlite
 * queue, with a warning, until that queue is empty; the next start after that moves to the file queue.
 * `TRIBUTARY_EMBEDDED_QUEUE` forces either choice.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { STAGES } from '@tributary/core/pipeline';
import type { QueueAdapter } from '@tributary/core/queue';

/** What the embedded engine was told or found. */
export type EmbeddedQueueKind = 'file' | 'pglite';

/** The choice and why it was made (for the startup line). */
export interface EmbeddedQueueChoice {
  kind: EmbeddedQueueKind;
  reason: string;
}

/** Options of {@link chooseEmbeddedQueue}. */
export interface ChooseEmbeddedQueueOptions {
  /** The server's data directory (`TRIBUTARY_DATA_DIR`, resolved). */
  dataDir: string;
  /** `TRIBUTARY_EMBEDDED_QUEUE`, when set. */
  forced?: EmbeddedQueueKind | undefined;
  /** Opens the directory's PGlite queue, to look for messages left in it. */
  openPgliteQueue: () => QueueAdapter;
  /** Topics of the pipeline's stages. @default tributary.<stage> */
  topics?: readonly string[];
}

/** Where the file queue keeps its journal in a data directory. */
export const fileQueueDirectory = (dataDir: string) => join(dataDir, 'queue');

/**
 * Picks the embedded queue. When the directory has a PGlite store but no file queue yet, reads the
 * PGlite queue's stats: anything waiting, in flight or dead-lettered keeps it (and the queue it
 * opened is returned, to be used as is); otherwise that queue is disposed and the file queue chosen.
 */
export async function chooseEmbeddedQueue(options: ChooseEmbeddedQueueOptions): Promise<EmbeddedQueueChoice & { pgliteQueue?: QueueAdapter }> {
  if (options.forced) return { kind: options.forced, reason: 'TRIBUTARY_EMBEDDED_QUEUE' };
  if (existsSync(fileQueueDirectory(options.dataDir))) return { kind: 'file', reason: 'the data directory has a file queue' };
  if (!existsSync(join(options.dataDir, 'pglite'))) return { kind: 'file', reason: 'a new data directory' };
  const queue = options.openPgliteQueue();
  const topics = options.topics ?? STAGES.map((stage) => `tributary.${stage}`);
  const stats = await Promise.all(topics.map((topic) => queue.stats(topic)));
  const left = stats.reduce((sum, s) => sum + s.depth + s.inFlight + s.deadLetters, 0);
  if (left > 0) return { kind: 'pglite', reason: `its PGlite queue still holds ${left} message(s) (waiting, in flight or dead-lettered); the file queue takes over once it is empty`, pgliteQueue: queue };
  await queue.dispose();
  return { kind: 'file', reason: "the data directory's PGlite queue is empty" };
}
