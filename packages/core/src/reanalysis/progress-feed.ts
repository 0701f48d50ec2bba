import type { ReanalysisProgress } from './types.js';

/**
 * Fans progress snapshots out to a callback and to any number of async iterators. Each iterator
 * starts from the latest snapshot and then sees every later one, so a slow reader misses nothing.
 */
export class ProgressFeed {
  private latest: ReanalysisProgress;
  private ended = false;
  private readonly readers = new Set<{ queue: ReanalysisProgress[]; wake: (() => void) | null }>();

  constructor(
    initial: ReanalysisProgress,
    private readonly callback?: (progress: ReanalysisProgress) => void,
  ) {
    this.latest = initial;
  }

  current(): ReanalysisProgress {
    return structuredClone(this.latest);
  }

  publish(progress: ReanalysisProgress, final = false): void {
    this.latest = structuredClone(progress);
    try {
      this.callback?.(this.current());
    } catch {
      // A host's progress callback failing must not stop the re-analysis it is watching.
    }
    for (const reader of this.readers) {
      reader.queue.push(this.current());
      reader.wake?.();
    }
    if (final) this.ended = true;
  }

  async *iterate(): AsyncGenerator<ReanalysisProgress> {
    const reader: { queue: ReanalysisProgress[]; wake: (() => void) | null } = { queue: [this.current()], wake: null };
    if (!this.ended) this.readers.add(reader);
    try {
      for (;;) {
        const next = reader.queue.shift();
        if (next) {
          yield next;
          if (next.status !== 'running') return;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((resolve) => (reader.wake = resolve));
        reader.wake = null;
      }
    } finally {
      this.readers.delete(reader);
    }
  }
}
