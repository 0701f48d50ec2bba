/**
 * @module @tributary/adapters/file-dedup
 * Webhook delivery dedup (`DedupStore` of `@tributary/core/webhooks`) on an append-only journal file, for a single process
 * that owns its directory (the embedded engine): no database, no service, node builtins only. A new
 * delivery costs no I/O to claim and one shared fdatasync to remember, where a storage-backed store
 * pays a database transaction per delivery.
 *
 * Claims live in memory only: no other process can use the directory, and a crash ends the claims
 * together with the requests holding them. They are exclusive, lapse after their lease (by the
 * injected clock), and a holder whose lease lapsed cannot release the claim that replaced it.
 *
 * Records: `remember()` journals the record and resolves only after it is written and fdatasync'd;
 * concurrent calls share one write and one fdatasync (group commit). Records are kept in memory,
 * keyed by workspace and key, until their `expiresAt`; expired ones read as absent and are dropped
 * at compaction and at recovery. At most `maxRecords` are kept: past it the oldest are forgotten
 * early (counted in `journal().evictions`), so a redelivery of one is accepted again.
 *
 * Recovery, at the first call or `open()`: a write torn by a crash is cut off; damage before the end
 * of the journal is an `adapter` error with `context.reason === 'corrupt_journal'`. Compaction:
 * past `compactAfterBytes` the live records are written to a new journal (temp file, fdatasync,
 * rename, directory fsync). One process per directory: a second user gets a `conflict` error with
 * `context.reason === 'directory_locked'`. A journal that cannot be written makes every later call
 * `unavailable` (the handler answers 503) until the store is reopened.
 *
 * @example
 * ```ts
 * import { createFileDedupStore } from '@tributary/adapters/file-dedup';
 * const dedup = createFileDedupStore({ directory: './.tributary/dedup' });
 * const webhooks = createWebhookHandler({ pipeline, dedup });
 * // at shutdown
 * await dedup.dispose();
 * ```
 */
import type { FileDedupStoreOptions } from './options.js';
import { createFileDedupStoreOn, type FileDedupStore } from './store.js';

export type { FileDedupJournalStats, FileDedupStore } from './store.js';
export type { FileDedupStoreOptions } from './options.js';
export { CORRUPT_JOURNAL } from '../_journal/frame.js';
export { DIRECTORY_LOCKED } from '../_journal/lock.js';

/**
 * Creates the file dedup store. Nothing touches the disk here: the directory is created, locked and
 * recovered at the first call (or at `open()`).
 * @throws a `validation` error naming the field when the options are invalid.
 */
export function createFileDedupStore(options: FileDedupStoreOptions): FileDedupStore {
  return createFileDedupStoreOn(options);
}
