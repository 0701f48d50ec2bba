import { z } from 'zod';

/**
 * What a user configures for one feed. Everything the connector reads from outside goes through a
 * zod schema, so a bad value is refused with the field named before any request is made.
 */
export const JsonFeedConfigSchema = z.strictObject({
  /** The feed's address, e.g. `https://forum.example.com/feed.json`. */
  feedUrl: z.url({ protocol: /^https?$/ }),
  /**
   * Most pages (`next_url` hops) one run follows. A longer walk is resumed by the next run.
   * @default 20
   */
  maxPages: z.number().int().positive().default(20),
});
/** Configuration, defaults applied. */
export type JsonFeedConfig = z.output<typeof JsonFeedConfigSchema>;

const isoDateTime = z.iso.datetime({ offset: true });

/** Where the next run starts. Saved by the runtime after each page, and only then. */
export const JsonFeedCheckpointSchema = z.strictObject({
  /** The newest item time of the last walk that completed; null before one completes. */
  newest: isoDateTime.nullable(),
  /** A walk that stopped part-way (maxPages, or a failed run): the next run continues it. */
  pending: z.strictObject({ nextUrl: z.url(), newest: isoDateTime.nullable() }).optional(),
});
export type JsonFeedCheckpoint = z.output<typeof JsonFeedCheckpointSchema>;
