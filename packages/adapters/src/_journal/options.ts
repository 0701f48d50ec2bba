// The options every journal owner takes (directory, clock, fsync, compaction, error listener): one
// zod shape and one resolution, so the file queue and the file dedup store validate them alike.
import { resolve } from 'node:path';
import { systemClock, type Clock } from '@tributary/core/clock';
import { z } from 'zod';

const isFunction = (value: unknown) => typeof value === 'function';

/** The zod fields of the shared options; an owner spreads them into its own schema. */
export const journalOptionsShape = {
  directory: z.string().min(1),
  clock: z
    .custom<Clock>((value) => typeof value === 'object' && value !== null && isFunction((value as Clock).now) && isFunction((value as Clock).setTimeout) && isFunction((value as Clock).clearTimeout), 'must be a Clock')
    .optional(),
  compactAfterBytes: z.number().int().positive().optional(),
  fsync: z.enum(['always', 'never']).optional(),
  onError: z.custom<(error: Error) => void>(isFunction, 'must be a function').optional(),
};

/** The shared options with their defaults. */
export interface ResolvedJournalOptions {
  directory: string;
  clock: Clock;
  compactAfterBytes: number;
  fsync: boolean;
  onError: (error: Error) => void;
}

/** Fills in the defaults of the shared options (already validated against {@link journalOptionsShape}). */
export function resolveJournalOptions(o: { directory: string; clock?: Clock | undefined; compactAfterBytes?: number | undefined; fsync?: 'always' | 'never' | undefined; onError?: ((error: Error) => void) | undefined }): ResolvedJournalOptions {
  return {
    directory: resolve(o.directory),
    clock: o.clock ?? systemClock,
    compactAfterBytes: o.compactAfterBytes ?? 64 * 1024 * 1024,
    fsync: (o.fsync ?? 'always') === 'always',
    // A throwing listener must not break the writer loop it is called from.
    onError: (error) => {
      try {
        o.onError?.(error);
      } catch {
        // the listener's own problem
      }
    },
  };
}
