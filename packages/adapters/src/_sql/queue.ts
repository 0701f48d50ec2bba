/**
 * The queue port on PostgreSQL SQL, shared by the `postgres` and `pglite` adapters.
 *
 * - `queue_messages` holds each message once (deduplicated by id per topic).
 * - `queue_deliveries` holds one row per message and consumer group, so each group sees every
 *   message. A consumer claims ready rows with `FOR UPDATE SKIP LOCKED`, which sets a lease
 *   (`visible_at` = now + visibility timeout, a fresh `lease_token`) and counts the attempt; a
 *   consumer that dies without answering loses the lease when `visible_at` passes, and the row is
 *   claimed again. Results carrying an old token (a lease that expired meanwhile) are ignored.
 * - A message row is deleted when its last delivery is acknowledged or dead-lettered.
 * - `queue_dead_letters` keeps failed messages with their reason; replay re-delivers to the group
 *   that gave up on it.
 * - Publishes are group-committed (`group-commit.ts`): those arriving while a commit runs share the
 *   next transaction, and each resolves only once its own messages are committed.
 * - Publishing NOTIFYs a channel so idle consumers wake at once; consumers also poll (every
 *   `pollIntervalMs`, and exactly when the next delayed message or lease falls due), so a lost
 *   notification or a lost listening connection only delays delivery.
 *
 * Time (availability, leases) comes from the adapter's clock in epoch milliseconds.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '@tributary/core/clock';
import { createError, isTributaryError, toError } from '@tributary/core/errors';
import {
  handlerAction,
  resolveConsumeOptions,
  type ConsumeOptions,
  type DeadLetter,
  type MessageHandler,
  type PublishOptions,
  type QueueAdapter,
  type QueueMessage,
  type QueueStats,
  type Subscription,
} from '@tributary/core/queue';
import { advisoryKey, dbError, withRetry, type ExecutorHandle, type SqlExecutor, type SqlQueryable } from './executor.js';
import { createGroupCommitter, type GroupCommitOptions, type PublishRequest } from './group-commit.js';
import { appliedVersions, LATEST_VERSION, runMigrations } from './migrations.js';

export type { GroupCommitOptions };

export interface SqlQueueOptions {
  name: string;
  handle: ExecutorHandle;
  schema: string;
  migrate: boolean;
  durable: boolean;
  pollIntervalMs: number;
  maxPayloadBytes: number;
  /** LISTEN/NOTIFY wake-ups. */
  notify: boolean;
  clock?: Clock;
  /** Called with errors a consumer recovered from (lost connection, failed claim…). */
  onError?: (error: Error) => void;
  /**
   * Coalesce concurrent publishes into shared transactions (see `group-commit.ts`); `false` commits
   * every publish in its own transaction.
   * @default {} (on, with its defaults)
   */
  groupCommit?: GroupCommitOptions | false;
}

/** A message ready to insert. */
interface PreparedMessage {
  id: string;
  payload: string;
  headers: Record<string, string>;
  key?: string;
  /** Counted from the insert, so time spent waiting for a commit never shortens a delay. */
  delayMs: number;
}

/** The queue adapter plus engine extras. */
export interface SqlQueueAdapter extends QueueAdapter {
  /** Connects and migrates now instead of on first use. */
  connect(): Promise<void>;
}

interface ClaimedRow {
  message_id: string;
  attempts: number;
  lease_token: string;
  payload: unknown;
  headers: Record<string, string>;
  key: string | null;
  published_at: string;
}

interface Consumer {
  topic: string;
  group: string;
  handler: MessageHandler;
  options: Required<ConsumeOptions>;
  inFlight: Set<Promise<void>>;
  closed: boolean;
  controller: AbortController;
  wake: () => void;
  sleep: (ms: number) => Promise<void>;
  loop?: Promise<void>;
}

export function createSqlQueue(options: SqlQueueOptions): SqlQueueAdapter {
  const { schema: s, handle } = options;
  const component = `queue:${options.name}`;
  const clock = options.clock ?? systemClock;
  const channel = `${s.slice(0, 48)}_queue`;
  const consumers = new Set<Consumer>();
  let state: Promise<SqlExecutor> | undefined;
  let acquired = false;
  let disposed = false;
  let listening: Promise<(() => Promise<void>) | undefined> | undefined;

  const start = async () => {
    const db = await handle.acquire();
    try {
      if (options.migrate) await withRetry(() => runMigrations(db, s, ['queue']));
      else {
        const versions = await appliedVersions(db, s);
        if (versions.queue < LATEST_VERSION.queue) {
          throw createError(component, 'config', `schema "${s}" is at queue version ${versions.queue}, this adapter needs ${LATEST_VERSION.queue}: run migrate() or pass migrate: true`);
        }
      }
      acquired = true;
      return db;
    } catch (error) {
      await handle.release();
      throw error;
    }
  };

  const ready = () => {
    if (disposed) return Promise.reject(createError(component, 'unavailable', 'queue was disposed'));
    if (!state) {
      state = start();
      state.catch(() => {
        state = undefined;
      });
    }
    return state;
  };

  const op = async <T>(operation: string, fn: (db: SqlExecutor) => Promise<T>, retry = true): Promise<T> => {
    try {
      const db = await ready();
      return await (retry ? withRetry(() => fn(db)) : fn(db));
    } catch (error) {
      throw dbError(component, operation, error);
    }
  };

  const PREPARE = { prepare: true } as const;
  const topicLock = (topic: string) => advisoryKey(`tributary:queue:${s}:${topic}`);

  const encode = (payload: unknown): { json: string; bytes: number } => {
    const json = JSON.stringify(payload);
    if (json === undefined) throw createError(component, 'validation', 'payload must be JSON-serializable');
    const bytes = Buffer.byteLength(json);
    if (bytes > options.maxPayloadBytes) throw createError(component, 'payload_too_large', `payload over ${options.maxPayloadBytes} bytes`);
    return { json, bytes };
  };

  /** Inserts messages and one delivery per existing group; NOTIFYs on commit. */
  async function insertMessages(tx: SqlQueryable, topic: string, messages: PreparedMessage[], onlyGroup?: string) {
    const now = clock.now();
    // Shared with other publishers, exclusive with a group being created (see registerGroup).
    await tx.query('SELECT pg_advisory_xact_lock_shared($1::text::bigint)', [topicLock(topic)]);
    const seen = new Set<string>(); // the first of a repeated id wins, as a second publish would
    const rows = messages.filter((m) => !seen.has(m.id) && seen.add(m.id)).map((m) => ({ i: m.id, p: m.payload, h: m.headers, k: m.key ?? null, v: now + m.delayMs }));
    await tx.query(
      `WITH m AS (
         INSERT INTO ${s}.queue_messages (topic, id, payload, headers, key, published_at, available_at)
         SELECT $1, x.i, x.p::jsonb, x.h, x.k, $3::text::bigint, x.v FROM jsonb_to_recordset($2::text::jsonb) AS x(i text, p text, h jsonb, k text, v bigint)
         ON CONFLICT (topic, id) DO NOTHING
         RETURNING id, seq)
       INSERT INTO ${s}.queue_deliveries (topic, group_name, message_id, seq, visible_at)
       SELECT $1, g.group_name, m.id, m.seq, x.v FROM m
       JOIN jsonb_to_recordset($2::text::jsonb) AS x(i text, v bigint) ON x.i = m.id
       JOIN ${s}.queue_groups g ON g.topic = $1 ${onlyGroup !== undefined ? 'AND g.group_name = $4' : ''}`,
      onlyGroup !== undefined ? [topic, JSON.stringify(rows), String(now), onlyGroup] : [topic, JSON.stringify(rows), String(now)],
      PREPARE,
    );
    if (options.notify) await tx.query('SELECT pg_notify($1, $2)', [channel, topic]);
  }

  /**
   * One transaction for the requests of several publishers, in arrival order: per topic, in the
   * order its first request came, so one publisher's messages keep their order (ids are sequenced
   * at insert). One NOTIFY per topic.
   */
  const commitPublishes = (requests: PublishRequest<PreparedMessage>[]) =>
    op('publish', (db) =>
      db.transaction(async (tx) => {
        const byTopic = new Map<string, PreparedMessage[]>();
        for (const r of requests) {
          const list = byTopic.get(r.topic);
          if (list) list.push(...r.messages);
          else byTopic.set(r.topic, [...r.messages]);
        }
        for (const [topic, messages] of byTopic) await insertMessages(tx, topic, messages);
      }),
    );

  const committer =
    options.groupCommit === false
      ? undefined
      : createGroupCommitter<PreparedMessage>({
          commit: commitPublishes,
          // Unreachable database: retrying each caller alone would only fail each again.
          sharedFailure: (error) => isTributaryError(error, 'unavailable'),
          clock,
          options: options.groupCommit,
        });

  /** Creates a group and gives it every message still retained (as the memory queue does). */
  async function registerGroup(db: SqlExecutor, topic: string, group: string) {
    await db.transaction(async (tx) => {
      const existing = await tx.query(`SELECT 1 FROM ${s}.queue_groups WHERE topic = $1 AND group_name = $2`, [topic, group]);
      if (existing.rows.length > 0) return;
      await tx.query('SELECT pg_advisory_xact_lock($1::text::bigint)', [topicLock(topic)]);
      const inserted = await tx.query(`INSERT INTO ${s}.queue_groups (topic, group_name, created_at) VALUES ($1, $2, $3::text::bigint) ON CONFLICT DO NOTHING RETURNING 1`, [topic, group, String(clock.now())]);
      if (inserted.rows.length === 0) return;
      // FOR SHARE: a message being deleted by a concurrent final ack is skipped, not resurrected.
      await tx.query(
        `INSERT INTO ${s}.queue_deliveries (topic, group_name, message_id, seq, visible_at)
         SELECT m.topic, $2, m.id, m.seq, m.available_at FROM ${s}.queue_messages m WHERE m.topic = $1 FOR SHARE OF m
         ON CONFLICT DO NOTHING`,
        [topic, group],
      );
    });
  }

  /** Deletes a message once no group has a delivery of it left. */
  async function forgetIfDone(tx: SqlQueryable, topic: string, id: string) {
    // Lock the message first so two groups finishing at once cannot both miss each other's delete.
    await tx.query(`SELECT 1 FROM ${s}.queue_messages WHERE topic = $1 AND id = $2 FOR UPDATE`, [topic, id]);
    await tx.query(
      `DELETE FROM ${s}.queue_messages m WHERE m.topic = $1 AND m.id = $2
       AND NOT EXISTS (SELECT 1 FROM ${s}.queue_deliveries d WHERE d.topic = $1 AND d.message_id = $2)`,
      [topic, id],
    );
  }

  async function claim(db: SqlExecutor, c: Consumer, limit: number): Promise<ClaimedRow[]> {
    const now = clock.now();
    const result = await db.query<ClaimedRow>(
      `WITH ready AS (
         SELECT message_id FROM ${s}.queue_deliveries
         WHERE topic = $1 AND group_name = $2 AND visible_at <= $3::text::bigint
         ORDER BY visible_at, seq
         LIMIT $4::int
         FOR UPDATE SKIP LOCKED)
       UPDATE ${s}.queue_deliveries d
       SET attempts = d.attempts + 1, visible_at = $3::text::bigint + $5::int, lease_token = $6
       FROM ready, ${s}.queue_messages m
       WHERE d.topic = $1 AND d.group_name = $2 AND d.message_id = ready.message_id AND m.topic = $1 AND m.id = d.message_id
       RETURNING d.message_id, d.attempts, d.lease_token, m.payload, m.headers, m.key, m.published_at::text AS published_at`,
      [c.topic, c.group, String(now), limit, c.options.visibilityTimeoutMs, randomUUID()],
      PREPARE,
    );
    return result.rows;
  }

  /** Epoch ms when the group's next delivery becomes ready (delayed message or lease), if any. */
  async function nextDue(db: SqlExecutor, c: Consumer): Promise<number | null> {
    const result = await db.query<{ at: string | null }>(`SELECT min(visible_at)::text AS at FROM ${s}.queue_deliveries WHERE topic = $1 AND group_name = $2`, [c.topic, c.group], PREPARE);
    const at = result.rows[0]?.at;
    return at === null || at === undefined ? null : Number(at);
  }

  async function settle(c: Consumer, row: ClaimedRow, message: QueueMessage, result: { action: 'ack' } | { action: 'retry'; delayMs?: number; reason?: string } | { action: 'dead-letter'; reason: string }) {
    const db = await ready();
    const key = [c.topic, c.group, row.message_id, row.lease_token];
    if (result.action === 'retry' && row.attempts < c.options.maxAttempts) {
      const delay = Math.max(0, result.delayMs ?? c.options.retryDelayMs(row.attempts));
      await withRetry(() =>
        db.query(
          `UPDATE ${s}.queue_deliveries SET visible_at = $5::text::bigint, lease_token = NULL WHERE topic = $1 AND group_name = $2 AND message_id = $3 AND lease_token = $4`,
          [...key, String(clock.now() + delay)],
        ),
      );
      return;
    }
    const reason =
      result.action === 'dead-letter' ? result.reason : result.action === 'retry' ? `max attempts (${c.options.maxAttempts}) reached: ${result.reason ?? 'retry requested'}` : undefined;
    await withRetry(() =>
      db.transaction(async (tx) => {
        const removed = await tx.query(`DELETE FROM ${s}.queue_deliveries WHERE topic = $1 AND group_name = $2 AND message_id = $3 AND lease_token = $4`, key);
        if (removed.rowCount === 0) return; // the lease expired and someone else has it now
        if (reason !== undefined) await insertDeadLetter(tx, c, message, reason);
        await forgetIfDone(tx, c.topic, row.message_id);
      }),
    );
  }

  async function insertDeadLetter(tx: SqlQueryable, c: Consumer, message: QueueMessage, reason: string) {
    await tx.query(
      `INSERT INTO ${s}.queue_dead_letters (topic, group_name, message_id, payload, headers, key, attempt, published_at, reason, failed_at)
       SELECT topic, $2, id, payload, headers, key, $3, published_at, $4, $5::text::bigint FROM ${s}.queue_messages WHERE topic = $1 AND id = $6`,
      [c.topic, c.group, message.attempt, reason, String(clock.now()), message.id],
    );
  }

  const toMessage = (topic: string, row: ClaimedRow): QueueMessage => ({
    id: row.message_id,
    topic,
    payload: row.payload,
    headers: row.headers ?? {},
    attempt: row.attempts,
    publishedAt: Number(row.published_at),
    ...(row.key !== null ? { key: row.key } : {}),
  });

  function deliver(c: Consumer, row: ClaimedRow) {
    const message = toMessage(c.topic, row);
    const run = (async () => {
      if (row.attempts > c.options.maxAttempts) {
        // Delivered maxAttempts times already without an answer: its consumers keep dying on it.
        await settle(c, row, message, { action: 'dead-letter', reason: `max attempts (${c.options.maxAttempts}) reached: no acknowledgement before the visibility timeout` });
        return;
      }
      let result: Exclude<Awaited<ReturnType<MessageHandler>>, void>;
      try {
        result = handlerAction(await c.handler(message, { signal: c.controller.signal }));
      } catch (error) {
        result = { action: 'retry', reason: toError(error).message };
      }
      await settle(c, row, message, result);
    })().catch((error: unknown) => options.onError?.(toError(error)));
    c.inFlight.add(run);
    void run.finally(() => {
      c.inFlight.delete(run);
      c.wake();
    });
  }

  async function runConsumer(c: Consumer) {
    let failures = 0;
    while (!c.closed && !disposed) {
      let timeout = options.pollIntervalMs;
      try {
        const db = await ready();
        const free = c.options.concurrency - c.inFlight.size;
        if (free > 0) {
          const rows = await claim(db, c, free);
          failures = 0;
          if (c.closed) {
            // Closed while claiming: hand them back rather than run them after close().
            await release(db, c, rows);
            break;
          }
          for (const row of rows) deliver(c, row);
          if (rows.length === free) continue;
          const due = await nextDue(db, c);
          // At least 10 ms: a due row may be locked for a moment by a peer settling it.
          if (due !== null) timeout = Math.min(timeout, Math.max(10, due - clock.now() + 1));
        }
      } catch (error) {
        failures++;
        options.onError?.(toError(error));
        timeout = Math.min(options.pollIntervalMs, 100 * 2 ** Math.min(failures, 5));
      }
      await c.sleep(timeout);
    }
  }

  async function release(db: SqlExecutor, c: Consumer, rows: ClaimedRow[]) {
    if (rows.length === 0) return;
    await db
      .query(
        `UPDATE ${s}.queue_deliveries SET visible_at = $3::text::bigint, lease_token = NULL, attempts = attempts - 1
         WHERE topic = $1 AND group_name = $2 AND message_id = ANY($4::text[]) AND lease_token = $5`,
        [c.topic, c.group, String(clock.now()), rows.map((r) => r.message_id), rows[0]!.lease_token],
      )
      .catch((error: unknown) => options.onError?.(toError(error)));
  }

  /** Wake-ups of a consumer loop: a wake while it is busy is remembered for its next sleep. */
  function sleeper(): Pick<Consumer, 'wake' | 'sleep'> {
    let pending = false;
    let resolveSleep: (() => void) | undefined;
    return {
      wake() {
        pending = true;
        resolveSleep?.();
      },
      async sleep(ms: number) {
        if (!pending) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, ms);
            function done() {
              clearTimeout(timer);
              resolve();
            }
            resolveSleep = done;
          });
          resolveSleep = undefined;
        }
        pending = false;
      },
    };
  }

  async function ensureListening(db: SqlExecutor) {
    if (!options.notify || !db.listen || listening) return;
    listening = db
      .listen(
        channel,
        (topic) => {
          for (const c of consumers) if (c.topic === topic) c.wake();
        },
        () => {
          for (const c of consumers) c.wake();
        },
      )
      .catch((error: unknown) => {
        // Polling still delivers; try LISTEN again with the next consumer.
        options.onError?.(toError(error));
        listening = undefined;
        return undefined;
      });
    await listening;
  }

  const queue: SqlQueueAdapter = {
    name: options.name,
    capabilities: { durable: options.durable, nativeDelay: true, deduplicatesById: true, maxPayloadBytes: options.maxPayloadBytes },

    async connect() {
      await op('connect', async () => undefined);
    },

    async publish(topic, payload, publishOptions) {
      const [id] = await queue.publishBatch!(topic, [{ payload, options: publishOptions }]);
      return id!;
    },

    async publishBatch<T>(topic: string, messages: { payload: T; options?: PublishOptions }[]) {
      if (messages.length === 0) return [];
      let bytes = 0;
      // Encoded here, so a bad payload fails its own caller before joining a shared commit.
      const prepared = messages.map((m): PreparedMessage => {
        const encoded = encode(m.payload);
        bytes += encoded.bytes;
        return {
          id: m.options?.id ?? `msg_${randomUUID()}`,
          payload: encoded.json,
          headers: { ...(m.options?.headers ?? {}) },
          key: m.options?.key,
          delayMs: Math.max(0, m.options?.delayMs ?? 0),
        };
      });
      if (committer) await committer.submit({ topic, messages: prepared, bytes });
      else await commitPublishes([{ topic, messages: prepared, bytes }]);
      return prepared.map((m) => m.id);
    },

    async consume<T>(topic: string, handler: MessageHandler<T>, consumeOptions: ConsumeOptions): Promise<Subscription> {
      const resolved = resolveConsumeOptions(consumeOptions);
      await op('consume', async (db) => {
        await registerGroup(db, topic, resolved.group);
        await ensureListening(db);
      });
      const consumer: Consumer = {
        topic,
        group: resolved.group,
        handler: handler as MessageHandler,
        options: resolved,
        inFlight: new Set(),
        closed: false,
        controller: new AbortController(),
        ...sleeper(),
      };
      consumers.add(consumer);
      consumer.loop = runConsumer(consumer);
      return {
        async close() {
          if (consumer.closed) return;
          consumer.closed = true;
          consumers.delete(consumer);
          consumer.wake();
          consumer.controller.abort(new Error('consumer closed'));
          await consumer.loop;
          await Promise.allSettled([...consumer.inFlight]);
        },
      };
    },

    async listDeadLetters<T>(topic: string, listOptions: { limit?: number } = {}) {
      const limit = Math.max(1, Math.floor(listOptions.limit ?? 100));
      return op('listDeadLetters', async (db) => {
        const result = await db.query<{ id: string; message_id: string; payload: T; headers: Record<string, string>; key: string | null; attempt: number; published_at: string; reason: string; failed_at: string }>(
          `SELECT id::text AS id, message_id, payload, headers, key, attempt, published_at::text AS published_at, reason, failed_at::text AS failed_at
           FROM ${s}.queue_dead_letters WHERE topic = $1 ORDER BY id LIMIT $2::int`,
          [topic, limit],
        );
        return result.rows.map(
          (r): DeadLetter<T> => ({
            id: `dl_${r.id}`,
            topic,
            message: { id: r.message_id, topic, payload: r.payload, headers: r.headers ?? {}, attempt: r.attempt, publishedAt: Number(r.published_at), ...(r.key !== null ? { key: r.key } : {}) },
            reason: r.reason,
            failedAt: Number(r.failed_at),
          }),
        );
      });
    },

    async replayDeadLetter(topic, deadLetterId) {
      const match = /^dl_(\d+)$/.exec(deadLetterId);
      if (!match) return false;
      return op('replayDeadLetter', (db) =>
        db.transaction(async (tx) => {
          const removed = await tx.query<{ group_name: string; message_id: string; payload: unknown; headers: Record<string, string>; key: string | null }>(
            `DELETE FROM ${s}.queue_dead_letters WHERE topic = $1 AND id = $2::text::bigint RETURNING group_name, message_id, payload, headers, key`,
            [topic, match[1]],
          );
          const dl = removed.rows[0];
          if (!dl) return false;
          // A new message id, so it is not taken for a duplicate of the original; only the group
          // that gave up on it gets it again.
          await insertMessages(
            tx,
            topic,
            [{ id: `${dl.message_id}~replay${match[1]}`, payload: JSON.stringify(dl.payload), headers: dl.headers ?? {}, key: dl.key ?? undefined, delayMs: 0 }],
            dl.group_name,
          );
          return true;
        }),
      );
    },

    async stats(topic): Promise<QueueStats> {
      const now = String(clock.now());
      return op('stats', async (db) => {
        const result = await db.query<{ depth: number; in_flight: number; dead: number; oldest: string | null }>(
          `SELECT
             CASE WHEN EXISTS (SELECT 1 FROM ${s}.queue_groups WHERE topic = $1)
               THEN coalesce((SELECT max(w) FROM (SELECT count(*) FILTER (WHERE lease_token IS NULL OR visible_at <= $2::text::bigint) AS w
                                                 FROM ${s}.queue_deliveries WHERE topic = $1 GROUP BY group_name) g), 0)
               ELSE (SELECT count(*) FROM ${s}.queue_messages WHERE topic = $1) END::int AS depth,
             (SELECT count(*) FROM ${s}.queue_deliveries WHERE topic = $1 AND lease_token IS NOT NULL AND visible_at > $2::text::bigint)::int AS in_flight,
             (SELECT count(*) FROM ${s}.queue_dead_letters WHERE topic = $1)::int AS dead,
             (SELECT min(published_at) FROM ${s}.queue_messages WHERE topic = $1)::text AS oldest`,
          [topic, now],
        );
        const row = result.rows[0]!;
        return { depth: row.depth, inFlight: row.in_flight, deadLetters: row.dead, oldestAgeMs: row.oldest === null ? null : Number(now) - Number(row.oldest) };
      });
    },

    async dispose() {
      if (disposed) return;
      // Publishes already accepted still commit (their callers are waiting on them).
      await committer?.idle();
      const closing = [...consumers].map(async (c) => {
        c.closed = true;
        c.wake();
        c.controller.abort(new Error('queue disposed'));
        await c.loop;
        await Promise.allSettled([...c.inFlight]);
      });
      consumers.clear();
      await Promise.allSettled(closing);
      disposed = true;
      const unlisten = await listening?.catch(() => undefined);
      listening = undefined;
      await unlisten?.().catch(() => undefined);
      const pending = state;
      state = undefined;
      await pending?.catch(() => undefined);
      if (acquired) {
        acquired = false;
        await handle.release();
      }
    },
  };
  return queue;
}
