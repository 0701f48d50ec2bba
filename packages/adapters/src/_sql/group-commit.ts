/**
 * Group commit for the SQL queues' publishes and the SQL storage's document writes. A publish costs
 * one transaction, and a transaction's fixed cost (round trips, the commit's flush to disk, PGlite's
 * one-at-a-time lock) dwarfs inserting one more row. So publishes that arrive while a commit runs
 * wait and go together into the next one: under load each commit carries many callers' messages;
 * alone, a publish commits at once as before.
 *
 * Each caller's promise settles with its own outcome: it resolves only after the transaction holding
 * its messages committed (a resolved publish is durable), and a failed commit rejects the callers of
 * that commit only. When a shared commit fails for a reason that may belong to one caller (a payload
 * the database refuses), its callers are committed again one by one, so only the culprit fails; when
 * the database is unreachable, everyone in the commit gets the error at once.
 */
import type { Clock } from '@tributary/core/clock';

/** Options of group commit. */
export interface GroupCommitOptions {
  /** Most messages in one commit; a single publish larger than this still commits whole. @default 1000 */
  maxMessages?: number;
  /** Most payload bytes in one commit; a single publish larger than this still commits whole. @default 4 MiB */
  maxBytes?: number;
  /**
   * How long a publish arriving at an idle queue waits for company before its commit starts. The
   * default, 0, adds no timed wait: the commit starts after one turn of the event loop, so the
   * publishes of every request whose data already arrived join it, and those made while the previous
   * commit ran go into the next one.
   * @default 0
   */
  lingerMs?: number;
}

/** What one caller asked to commit: its messages (or writes), committed all together or not at all. */
export interface CommitRequest<M> {
  messages: M[];
  /** Payload bytes, for the batch bound. */
  bytes: number;
}

/** What one caller asked to publish: messages of one topic. */
export interface PublishRequest<M> extends CommitRequest<M> {
  topic: string;
}

interface Waiting<R> {
  request: R;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Submits requests for group commit. */
export interface GroupCommitter<R> {
  /** Resolves once the request's messages are committed; rejects with the error of its commit. */
  submit(request: R): Promise<void>;
  /** Resolves when nothing is waiting or committing (for an orderly dispose). */
  idle(): Promise<void>;
}

/**
 * Creates a group committer. `commit` runs one transaction holding every given request, in order;
 * `sharedFailure` tells errors that no single request can have caused (so retrying requests alone is
 * pointless).
 */
export function createGroupCommitter<M, R extends CommitRequest<M> = PublishRequest<M>>(deps: {
  commit: (requests: R[]) => Promise<void>;
  sharedFailure: (error: unknown) => boolean;
  clock: Clock;
  options?: GroupCommitOptions;
}): GroupCommitter<R> {
  const maxMessages = Math.max(1, deps.options?.maxMessages ?? 1000);
  const maxBytes = Math.max(1, deps.options?.maxBytes ?? 4 * 1024 * 1024);
  const lingerMs = Math.max(0, deps.options?.lingerMs ?? 0);
  const waiting: Waiting<R>[] = [];
  let running: Promise<void> | undefined;

  /** The longest prefix of the waiting requests within the bounds (at least one request). */
  const takeBatch = (): Waiting<R>[] => {
    let messages = 0;
    let bytes = 0;
    let count = 0;
    for (const w of waiting) {
      const nextMessages = messages + w.request.messages.length;
      const nextBytes = bytes + w.request.bytes;
      if (count > 0 && (nextMessages > maxMessages || nextBytes > maxBytes)) break;
      messages = nextMessages;
      bytes = nextBytes;
      count++;
    }
    return waiting.splice(0, count);
  };

  const commitBatch = async (batch: Waiting<R>[]) => {
    try {
      await deps.commit(batch.map((w) => w.request));
      for (const w of batch) w.resolve();
      return;
    } catch (error) {
      if (batch.length === 1 || deps.sharedFailure(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
    }
    // Nothing of the failed commit was kept (it rolled back), so each request can go again alone;
    // message ids make a repeat harmless anyway (a second insert of an id is ignored).
    for (const w of batch) {
      try {
        await deps.commit([w.request]);
        w.resolve();
      } catch (error) {
        w.reject(error);
      }
    }
  };

  const drain = async () => {
    if (lingerMs > 0) await new Promise<void>((resolve) => deps.clock.setTimeout(resolve, lingerMs));
    // One turn of the event loop, not a microtask: with an engine that runs on this thread (PGlite),
    // a whole transaction completes in microtasks, so requests already waiting on their sockets would
    // otherwise never be read before it, and each commit would carry a single publish (measured under
    // bench/ingest.ts: one transaction per request). setImmediate runs after the pending I/O
    // callbacks and takes no time of its own, so it is not a timer the clock should own.
    else await new Promise<void>((resolve) => setImmediate(resolve));
    while (waiting.length > 0) await commitBatch(takeBatch());
  };

  const kick = () => {
    if (running) return;
    running = drain().finally(() => {
      running = undefined;
      // A request that arrived between the last batch and this point starts a new round.
      if (waiting.length > 0) kick();
    });
  };

  return {
    submit(request) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ request, resolve, reject });
        kick();
      });
    },
    async idle() {
      while (running) await running;
    },
  };
}
