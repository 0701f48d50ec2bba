// The options of the file queue, validated with zod when the adapter is created (no I/O then), so a
// typo fails at startup with the field named rather than at the first publish.
import type { Clock } from '@tributary/core/clock';
import { fromZodError } from '@tributary/core/errors';
import { z } from 'zod';
import { journalOptionsShape, resolveJournalOptions, type ResolvedJournalOptions } from '../_journal/options.js';

/** Options of `createFileQueue`. */
export interface FileQueueOptions {
  /**
   * Directory holding the journal and the lock; created if missing. One process at a time may use
   * it: a second one (or a second queue in this process) is refused with a `conflict` error.
   * @example './.tributary/queue'
   */
  directory: string;
  /** Time for publish dates, delays, leases and retries. @default systemClock */
  clock?: Clock;
  /** Largest JSON payload accepted, in bytes. @default 1 MiB */
  maxPayloadBytes?: number;
  /**
   * Rewrite the journal as the live state once it passes this many bytes (and twice the size of the
   * state last written), so acknowledged messages stop taking disk space and restart time.
   * @default 64 MiB
   */
  compactAfterBytes?: number;
  /**
   * `'always'`: a publish resolves only after its journal record is on disk (fdatasync), shared by
   * every publish of the same group commit. `'never'`: the record is handed to the operating system
   * and nothing more; it survives the process crashing but NOT a power loss or kernel crash (which
   * may lose acknowledged publishes, or leave a journal that opens as `corrupt_journal`). For tests
   * and benchmarks only.
   * @default 'always'
   */
  fsync?: 'always' | 'never';
  /** Errors the queue recovered from or stopped on (a failed compaction, a failed write). @default ignored */
  onError?: (error: Error) => void;
}

const schema = z.object({
  ...journalOptionsShape,
  maxPayloadBytes: z.number().int().positive().optional(),
});

/** The options with their defaults. */
export interface ResolvedFileQueueOptions extends ResolvedJournalOptions {
  maxPayloadBytes: number;
}

/** Validates the options and fills in the defaults; throws a `validation` error naming the field. */
export function resolveFileQueueOptions(options: FileQueueOptions, component: string): ResolvedFileQueueOptions {
  const parsed = schema.safeParse(options);
  if (!parsed.success) throw fromZodError(component, 'file queue options', parsed.error);
  const o = parsed.data;
  return {
    ...resolveJournalOptions(o),
    maxPayloadBytes: o.maxPayloadBytes ?? 1024 * 1024,
  };
}
