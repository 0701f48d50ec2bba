import { z } from 'zod';

/** Where value records are pulled from: a Redis list (a work queue) or a stream (a log). */
export const RecordsRedisSchema = z
  .strictObject({
    /** `redis://host:6379/0` or `rediss://…`. No password here: the config is stored in clear, put it in the credentials. */
    url: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }),
    /** The list or stream holding the records (JSON text per list entry). */
    key: z.string().min(1),
    /**
     * `list`: entries are moved (`LMOVE`) into a processing list and removed from it only after their
     * page was handed over, so the list itself is the position. `stream`: entries are read with
     * `XRANGE` after the last stream id, kept in the checkpoint; the stream is never modified.
     */
    mode: z.enum(['list', 'stream']),
    /**
     * List mode: the end entries are taken from. `right` suits producers that `LPUSH` (oldest first).
     * @default 'right'
     */
    popFrom: z.enum(['left', 'right']).default('right'),
    /**
     * List mode: the list holding entries between the move and the hand-over.
     * @default `{<key>}:tributary:processing:<workspaceId>:<sourceId>` (the hash tag keeps it on the key's cluster slot)
     */
    processingKey: z.string().min(1).optional(),
    /**
     * Stream mode: the entry field holding the record as JSON. Unset: an entry with a single field
     * holding a JSON object is that object; otherwise the entry's fields are the record's fields.
     */
    field: z.string().min(1).optional(),
    /** Stream mode: where a first run starts. `-` is the beginning, `$` only entries added from now on. @default '-' */
    startId: z.union([z.literal('-'), z.literal('$'), z.string().regex(/^\d+(-\d+)?$/, 'must be a stream id such as 1700000000000-0, "-" or "$"')]).default('-'),
  })
  .superRefine((redis, ctx) => {
    const url = new URL(redis.url);
    if (url.password) ctx.addIssue({ code: 'custom', path: ['url'], message: 'must not hold a password: put it in credentials.redisPassword, which is encrypted' });
    if (redis.mode === 'stream' && redis.processingKey) ctx.addIssue({ code: 'custom', path: ['processingKey'], message: 'only applies to mode "list"' });
    if (redis.mode === 'list' && redis.field) ctx.addIssue({ code: 'custom', path: ['field'], message: 'only applies to mode "stream"' });
  });
export type RecordsRedis = z.output<typeof RecordsRedisSchema>;

/**
 * Configuration of a value records source (seed 003). Pushes need none; pulls from Redis need `redis`.
 * @example
 * ```ts
 * { redis: { url: 'redis://127.0.0.1:6379', key: 'records', mode: 'list' } }
 * ```
 */
export const RecordsConfigSchema = z.strictObject({
  /** Pull from Redis. Without it the source only takes pushes. */
  redis: RecordsRedisSchema.optional(),
  /** Entries per page (one checkpoint each). @default 500 */
  pageSize: z.number().int().min(1).max(10_000).default(500),
  /** Most pages one run takes; the rest waits for the next run. @default 100 */
  maxPages: z.number().int().positive().default(100),
});
export type RecordsConfig = z.output<typeof RecordsConfigSchema>;
export type RecordsConfigInput = z.input<typeof RecordsConfigSchema>;

/** Secrets of a records source: the Redis ACL user and password, if the server wants them. */
export const RecordsCredentialsSchema = z
  .strictObject({ redisUsername: z.string().min(1).optional(), redisPassword: z.string().min(1).optional() })
  .optional();
export type RecordsCredentials = z.output<typeof RecordsCredentialsSchema>;

/**
 * Sync position. Stream mode: the id of the last entry handed over (the next run reads after it).
 * List mode: the list is its own position (see the module documentation); the checkpoint only counts
 * the entries handed over, for monitoring.
 */
export const RecordsCheckpointSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('stream'), key: z.string(), lastId: z.string().regex(/^\d+-\d+$/) }),
  z.strictObject({ mode: z.literal('list'), key: z.string(), handedOver: z.number().int().min(0) }),
]);
export type RecordsCheckpoint = z.output<typeof RecordsCheckpointSchema>;
