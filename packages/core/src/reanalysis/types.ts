import type { Analyzer } from '../analysis/index.js';
import type { Clock } from '../clock/index.js';
import type { EventBus, TributaryEvents } from '../events/index.js';
import type { StorageAdapter } from '../storage/index.js';

/** Options of {@link startReanalysis}. */
export interface ReanalysisOptions {
  storage: StorageAdapter;
  /** The current analyzers, in the order the pipeline runs them. Records analyzed by other versions are re-analyzed. */
  analyzers: readonly Analyzer[];
  /** Receives `record.analyzed` for each record re-analyzed, as the analyze stage emits it. */
  bus?: EventBus<TributaryEvents>;
  /** The workspace to walk. Without it, every workspace in the `workspaces` document collection. */
  workspaceId?: string;
  /** Only records of these sources. */
  sourceIds?: string[];
  /**
   * Records read (and their position saved) per batch.
   * @default 100
   */
  batchSize?: number;
  /**
   * Records analyzed at once within a batch.
   * @default 4
   */
  concurrency?: number;
  /**
   * At most this many records analyzed per second, to leave CPU to ingestion; records already up to
   * date do not count. Unlimited when absent.
   */
  ratePerSecond?: number;
  /** Stops the job after the records in flight; the position of the last whole batch is kept. */
  signal?: AbortSignal;
  /** Time for `analyzedAt`, the rate limit and leases. @default systemClock */
  clock?: Clock;
  /** Called with a snapshot after every batch and at the end. Throwing in it does not stop the job. */
  onProgress?: (progress: ReanalysisProgress) => void;
  /**
   * Ignores a saved position (even a finished one) and walks again from the oldest record. Records
   * already analyzed by the current versions are still skipped.
   * @default false
   */
  restart?: boolean;
  /**
   * Lease held per workspace while walking it, so two processes do not walk the same records. It is
   * renewed before each batch: keep it above the time one batch takes.
   * @default 60000
   */
  leaseTtlMs?: number;
}

/** Where a job is. */
export type ReanalysisStatus = 'running' | 'done' | 'aborted' | 'busy' | 'failed';

/** A snapshot of a job's progress. Counts include those saved by earlier runs of the same job. */
export interface ReanalysisProgress {
  /** Names the job: a hash of the analyzer versions and source filter, the key of its saved position. */
  jobId: string;
  /** The workspace being walked (the last one when finished); null before the first. */
  workspaceId: string | null;
  /** Records read. */
  scanned: number;
  /** Records whose analysis was replaced. */
  reanalyzed: number;
  /**
   * Records left as they were: already analyzed by the current versions, or edited while being
   * re-analyzed (the edit wins; the pipeline analyzes the new revision).
   */
  skipped: number;
  /** Records an analyzer threw on; they keep their old analysis. */
  failed: number;
  /** Every selected record has been walked. */
  done: boolean;
  status: ReanalysisStatus;
  /** The last analyzer or storage error, for a human to read. */
  lastError?: { recordId: string | null; message: string };
  /** Workspaces left alone because another process holds their lease. */
  busyWorkspaces: string[];
}

/** A running re-analysis. */
export interface ReanalysisJob extends AsyncIterable<ReanalysisProgress> {
  readonly id: string;
  /** The latest snapshot. */
  progress(): ReanalysisProgress;
  /** Resolves with the last snapshot when the job ends, whatever its status; never rejects. */
  readonly finished: Promise<ReanalysisProgress>;
}

/** The position saved in storage documents (`reanalysis` collection, scoped by workspace). */
export interface SavedReanalysis {
  jobId: string;
  analyzers: { name: string; version: string }[];
  sourceIds: string[] | null;
  /** Cursor after the last whole batch; null before the first. */
  cursor: string | null;
  scanned: number;
  reanalyzed: number;
  skipped: number;
  failed: number;
  done: boolean;
  updatedAt: string;
}
