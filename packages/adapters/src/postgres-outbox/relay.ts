/**
 * The relay: moves committed outbox rows to a queue.
 *
 * Each round is one transaction on the relay's own connection: take up to `batchSize` unpublished
 * rows in `id` order with `FOR UPDATE SKIP LOCKED` (rows another relay holds are skipped, so several
 * relays share the work and never take the same row at once), publish them, mark the published ones,
 * commit. Marking after publishing makes delivery at least once: a relay that dies between the two
 * leaves the rows unmarked and unlocked, and they are published again, with the same message id, which
 * a deduplicating queue drops. A failed publish marks what went out before it, records the error on
 * the row, and backs off; the failed row stays first in line, so order is kept.
 *
 * Idle relays sleep until a write's NOTIFY (sent on the host's commit) or the poll interval.
 */
import { toError } from '@tributary/core/errors';
import { publishBatch, type QueueAdapter } from '@tributary/core/queue';
import type { SqlExecutor } from '../_sql/executor.js';

/** Options of `Outbox.startRelay`. */
export interface RelayOptions {
  /** Where the rows go. */
  queue: QueueAdapter;
  /** Rows per round (one transaction). @default 100 */
  batchSize?: number;
  /** How often an idle relay looks for rows when no notification arrives. @default 1000 */
  pollIntervalMs?: number;
  /** Stops the relay (after the round in progress). */
  signal?: AbortSignal;
  /** Wake up on the NOTIFY each write sends at commit (one extra connection). @default true */
  listen?: boolean;
  /**
   * Published rows are deleted once older than this (checked about once a minute); `Infinity` keeps
   * them. @default 86_400_000 (one day)
   */
  retainPublishedMs?: number;
  /** Errors the relay recovered from (a failed publish, a lost connection). @default ignored */
  onError?: (error: Error) => void;
}

/** A running relay. */
export interface Relay {
  /** Stops taking rows and resolves once the round in progress is over. */
  stop(): Promise<void>;
  /** Resolves when the relay has stopped (after `stop()` or the signal). */
  readonly done: Promise<void>;
}

interface OutboxRow {
  id: string;
  message_id: string;
  topic: string;
  payload: unknown;
  headers: Record<string, string> | null;
  key: string | null;
}

export interface RelayContext {
  /** The outbox's executor (migrated). */
  ready(): Promise<SqlExecutor>;
  qualified: string;
  channel: string;
}

const PREPARE = { prepare: true } as const;
const PRUNE_EVERY_MS = 60_000;

/** Consecutive rows of one topic, so each run goes out with one `publishBatch`. */
function runsByTopic(rows: OutboxRow[]): OutboxRow[][] {
  const runs: OutboxRow[][] = [];
  for (const row of rows) {
    const last = runs[runs.length - 1];
    if (last && last[0]!.topic === row.topic) last.push(row);
    else runs.push([row]);
  }
  return runs;
}

export function startRelay(ctx: RelayContext, options: RelayOptions): Relay {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 100));
  const pollIntervalMs = Math.max(10, options.pollIntervalMs ?? 1000);
  const retainMs = options.retainPublishedMs ?? 86_400_000;
  const report = (error: unknown) => options.onError?.(toError(error));
  const { qualified } = ctx;
  let stopped = false;
  let wakePending = false;
  let wakeSleep: (() => void) | undefined;
  let unlisten: (() => Promise<void>) | undefined;
  let lastPrune = 0;

  const wake = () => {
    wakePending = true;
    wakeSleep?.();
  };
  const sleep = async (ms: number) => {
    if (!wakePending && !stopped) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeSleep = undefined;
          resolve();
        }
        wakeSleep = done;
      });
    }
    wakePending = false;
  };
  const onAbort = () => {
    stopped = true;
    wake();
  };
  if (options.signal?.aborted) stopped = true;
  options.signal?.addEventListener('abort', onAbort, { once: true });

  /** One round; resolves to the rows taken and whether a publish failed. */
  const round = (db: SqlExecutor) =>
    db.transaction(async (tx) => {
      const taken = await tx.query<OutboxRow>(
        `SELECT id::text AS id, message_id, topic, payload, headers, key FROM ${qualified}
         WHERE published_at IS NULL ORDER BY id LIMIT $1::int FOR UPDATE SKIP LOCKED`,
        [batchSize],
        PREPARE,
      );
      const published: string[] = [];
      let failure: { row: OutboxRow; error: Error } | undefined;
      for (const run of runsByTopic(taken.rows)) {
        try {
          await publishBatch(
            options.queue,
            run[0]!.topic,
            run.map((r) => ({ payload: r.payload, options: { id: r.message_id, headers: r.headers ?? {}, ...(r.key !== null ? { key: r.key } : {}) } })),
          );
        } catch (error) {
          failure = { row: run[0]!, error: toError(error) };
          break;
        }
        for (const r of run) published.push(r.id);
      }
      if (published.length > 0) {
        await tx.query(`UPDATE ${qualified} SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[])`, [published], PREPARE);
      }
      if (failure) {
        await tx.query(`UPDATE ${qualified} SET attempts = attempts + 1, last_error = $2 WHERE id = $1::bigint`, [failure.row.id, failure.error.message.slice(0, 2000)], PREPARE);
      }
      return { taken: taken.rows.length, failure };
    });

  const prune = async (db: SqlExecutor) => {
    if (!Number.isFinite(retainMs) || Date.now() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = Date.now();
    await db.query(
      `DELETE FROM ${qualified} WHERE id IN (
         SELECT id FROM ${qualified} WHERE published_at < now() - $1::bigint * interval '1 millisecond' ORDER BY published_at LIMIT 10000)`,
      [Math.floor(retainMs)],
    );
  };

  const loop = async () => {
    let failures = 0;
    while (!stopped) {
      let timeout = pollIntervalMs;
      try {
        const db = await ctx.ready();
        if (options.listen !== false && !unlisten && db.listen) {
          unlisten = await db.listen(ctx.channel, wake, wake).catch((error: unknown) => {
            report(error); // polling still finds the rows
            return undefined;
          });
        }
        const { taken, failure } = await round(db);
        if (failure) {
          failures++;
          report(failure.error);
          timeout = Math.min(30_000, 100 * 2 ** Math.min(failures, 9));
        } else {
          failures = 0;
          if (taken === batchSize) continue;
          await prune(db);
        }
      } catch (error) {
        failures++;
        report(error);
        timeout = Math.min(pollIntervalMs, 100 * 2 ** Math.min(failures, 5));
      }
      await sleep(timeout);
    }
  };

  const done = loop().finally(async () => {
    options.signal?.removeEventListener('abort', onAbort);
    await unlisten?.().catch(() => undefined);
  });
  return {
    async stop() {
      onAbort();
      await done;
    },
    done,
  };
}
