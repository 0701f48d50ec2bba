/**
 * @module @tributary/adapters/file-queue
 * A durable queue for one process, on an append-only journal file: no database, no broker, node
 * builtins only. Every state change (publish, delivery, ack, retry, dead letter, replay) is a record
 * appended to `journal.log` in the queue's directory; a restart reads the journal back.
 *
 * Durability: `publish()` and `publishBatch()` resolve only after their records are written and
 * fdatasync'd. Group commit makes that cheap under load: every record queued while a write runs (or
 * in the same event-loop turn) goes into the next single write + fdatasync, so concurrent publishers
 * share one flush. Deliveries are on disk before the handler runs (attempts count across crashes),
 * dead letters and replays before their call resolves; acks ride with the next write, so a crash may
 * redeliver a message that was handled (at-least-once).
 *
 * Recovery: a write torn by a crash is cut off; damage before the end of the journal is an `adapter`
 * error with `context.reason === 'corrupt_journal'`, never silently dropped. Deliveries in flight at a
 * crash are redelivered at once, with their attempt counted. Delays and dead letters are kept.
 *
 * Compaction: past `compactAfterBytes` the live state is written to a new journal (temp file,
 * fdatasync, rename, directory fsync) and appending continues there.
 *
 * One process per directory: a lock file holding the pid; a second user gets a `conflict` error with
 * `context.reason === 'directory_locked'`. A lock left by a dead process is taken over.
 *
 * @example
 * ```ts
 * import { createFileQueue } from '@tributary/adapters/file-queue';
 * const queue = createFileQueue({ directory: './.tributary/queue' });
 * await queue.publish('tributary.parse', { item: 1 }); // on disk when this resolves
 * ```
 */
import { createFileQueueOn, type FileQueueAdapter } from './adapter.js';
import type { FileQueueOptions } from './options.js';

export type { FileQueueAdapter } from './adapter.js';
export type { FileQueueOptions } from './options.js';
export { CORRUPT_JOURNAL } from '../_journal/frame.js';
export { DIRECTORY_LOCKED } from '../_journal/lock.js';

/**
 * Creates the file queue. Nothing touches the disk here: the directory is created, locked and
 * recovered at the first call (or at `open()`).
 * @throws a `validation` error naming the field when the options are invalid.
 */
export function createFileQueue(options: FileQueueOptions): FileQueueAdapter {
  return createFileQueueOn(options);
}
