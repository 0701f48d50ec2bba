// The options of the file dedup store, validated with zod when the store is created (no I/O then),
// so a typo fails at startup with the field named rather than at the first webhook.
import type { Clock } from '@tributary/core/clock';
import { fromZodError } from '@tributary/core/errors';
import { z } from 'zod';
import { journalOptionsShape, resolveJournalOptions, type ResolvedJournalOptions } from '../_journal/options.js';

/** Options of `createFileDedupStore`. */
export interface FileDedupStoreOptions {
  /**
   * Directory holding the journal and the lock; created if missing. One process at a time may use
   * it: a second one (or a second store in this process) is refused with a `conflict` error. Not
   * the directory of a file queue: each keeps its own.
   * @example './.tributary/dedup'
   */
  directory: string;
  /** Time for claim leases and record expiry. @default systemClock */
  clock?: Clock;
  /**
   * `'always'`: `remember()` resolves only after its record is on disk (fdatasync), shared by every
   * `remember()` of the same group commit. `'never'`: the record is handed to the operating system
   * and nothing more; it survives the process crashing but NOT a power loss or kernel crash (which
   * may forget remembered deliveries, or leave a journal that opens as `corrupt_journal`). For tests
   * and benchmarks only.
   * @default 'always'
   */
  fsync?: 'always' | 'never';
  /**
   * `true`: `remember()` resolves as soon as the record is in memory, where it already answers
   * redeliveries; its journal write rides with the store's next one, within 20 ms, fdatasync'd as
   * `fsync` says. A crash in that window forgets the record, so one redelivery of that delivery is
   * enqueued again, which downstream absorbs (records are upserted by id): the trade the webhook
   * handler's `rememberAfterAnswer` already makes, and with it the store's writes stop competing
   * with the queue's for the disk on every delivery (one fdatasync per 20 ms at most).
   * @default false
   */
  lazyRecords?: boolean;
  /**
   * Most delivery records held (in memory, and in the journal after its next compaction). Past it,
   * the oldest remembered records are forgotten before their `expiresAt`: a redelivery of one of
   * them is then accepted again (downstream upserts by id absorb it). Counted in
   * `journal().evictions`; size it above the deliveries received within the handler's
   * `dedupRetentionMs`. Each record costs a few hundred bytes of memory.
   * @default 1000000
   */
  maxRecords?: number;
  /**
   * Rewrite the journal as the live records once it passes this many bytes (and twice the size of
   * the records last written), so expired and replaced records stop taking disk space and restart time.
   * @default 64 MiB
   */
  compactAfterBytes?: number;
  /** Errors the store recovered from or stopped on (a failed compaction, a failed write). @default ignored */
  onError?: (error: Error) => void;
}

const schema = z.object({
  ...journalOptionsShape,
  maxRecords: z.number().int().positive().optional(),
  lazyRecords: z.boolean().optional(),
});

/** The options with their defaults. */
export interface ResolvedFileDedupStoreOptions extends ResolvedJournalOptions {
  maxRecords: number;
  lazyRecords: boolean;
}

/** Validates the options and fills in the defaults; throws a `validation` error naming the field. */
export function resolveFileDedupStoreOptions(options: FileDedupStoreOptions, component: string): ResolvedFileDedupStoreOptions {
  const parsed = schema.safeParse(options);
  if (!parsed.success) throw fromZodError(component, 'file dedup store options', parsed.error);
  const o = parsed.data;
  return {
    ...resolveJournalOptions(o),
    maxRecords: o.maxRecords ?? 1_000_000,
    lazyRecords: o.lazyRecords ?? false,
  };
}
