import { z } from 'zod';

const isoDate = z.iso.date();
const isoDateTime = z.iso.datetime({ offset: true });

/** Discourse answers 50 posts to a page of `/search.json` and `/posts.json`. */
export const DISCOURSE_PAGE_SIZE = 50;

/**
 * Non-secret configuration of a Discourse source.
 * @example
 * ```ts
 * { baseUrl: 'https://meta.discourse.org', mode: 'search', searchTerm: 'test', after: '2021-01-01', before: '2021-02-20' }
 * ```
 */
export const DiscourseConfigSchema = z
  .object({
    /**
     * The forum's address, e.g. `https://meta.discourse.org`. A sub-folder install keeps its path
     * (`https://example.com/forum`); a trailing slash is dropped.
     */
    baseUrl: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, '')),
    /**
     * How posts are pulled. `search` walks `/search.json` (filtered by term, dates, category, tags);
     * `latest-posts` walks the whole forum's `/posts.json` backwards by post id (full history).
     * @default 'search'
     */
    mode: z.enum(['search', 'latest-posts']).default('search'),
    /** Words to search for (search mode). Without it every post matching the filters is pulled. */
    searchTerm: z.string().trim().min(1).optional(),
    /** Only posts created after this day, `YYYY-MM-DD` (search mode). Incremental runs never go earlier. */
    after: isoDate.optional(),
    /** Only posts created before this day, `YYYY-MM-DD` (search mode). */
    before: isoDate.optional(),
    /** Only this category (search mode): a slug (`support`, or `parent:child`) or a numeric id. */
    category: z.union([z.string().trim().min(1), z.number().int().positive()]).optional(),
    /** Only topics with any of these tags (search mode). */
    tags: z.array(z.string().trim().min(1)).min(1).optional(),
    /**
     * Most pages one run requests. A walk cut short here is resumed from the next page by the next run,
     * so nothing is skipped.
     * @default 100
     */
    maxPages: z.number().int().positive().default(100),
    /**
     * Days of overlap for incremental search runs: they search `after:` the newest post seen minus
     * this many days, because `after:` has day granularity in the forum's time zone.
     * @default 1
     */
    lookbackDays: z.number().int().min(0).default(1),
    /**
     * Which kind of key the credentials hold, to pick the request budget (admin keys: 60/min, user API
     * keys: 20/min). Unset means the conservative anonymous budget.
     */
    keyKind: z.enum(['admin', 'user']).optional(),
    /** Overrides the request budget, for forums whose administrators changed the default limits. */
    requestsPerMinute: z.number().int().positive().optional(),
    /**
     * Whether webhook deliveries of posts in private messages become items. Off by default: private
     * messages are not public feedback and may hold personal data.
     * @default false
     */
    includePrivateMessages: z.boolean().default(false),
  })
  .superRefine((config, ctx) => {
    if (config.after && config.before && config.after >= config.before) {
      ctx.addIssue({ code: 'custom', path: ['before'], message: 'must be a later day than `after`' });
    }
    if (config.mode === 'latest-posts') {
      // /posts.json has no filters: refuse them rather than silently pull the whole forum.
      for (const key of ['searchTerm', 'after', 'before', 'category', 'tags'] as const) {
        if (config[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'only applies to mode "search"' });
      }
    }
  });
/** Configuration of a Discourse source, defaults applied. */
export type DiscourseConfig = z.output<typeof DiscourseConfigSchema>;
/** Configuration of a Discourse source as written by a user. */
export type DiscourseConfigInput = z.input<typeof DiscourseConfigSchema>;

/** An admin API key, sent as the `Api-Key` and `Api-Username` headers. */
export const DiscourseApiKeySchema = z.object({
  apiKey: z.string().min(1),
  /** The user the key acts as. Required by keys granted to all users; single-user keys may omit it. */
  apiUsername: z.string().min(1).optional(),
});

/** A user API key (`/user-api-key/new` flow), sent as the `User-Api-Key` header. */
export const DiscourseUserApiKeySchema = z.object({
  userApiKey: z.string().min(1),
  /** The client id the key was issued to, sent as `User-Api-Client-Id` when set. */
  userApiClientId: z.string().min(1).optional(),
});

/** Credentials of a Discourse source; optional, since public forums need none. */
export const DiscourseCredentialsSchema = z.union([DiscourseApiKeySchema, DiscourseUserApiKeySchema]).optional();
/** Credentials of a Discourse source, or `undefined` for anonymous access. */
export type DiscourseCredentials = z.output<typeof DiscourseCredentialsSchema>;

/** Sync position of search mode. */
export const DiscourseSearchCheckpointSchema = z.object({
  mode: z.literal('search'),
  /** `created_at` of the newest post of the last completed walk; null before the first one completes. */
  newestCreatedAt: isoDateTime.nullable(),
  /** A walk that stopped part-way (maxPages or a failed run); the next run resumes it. */
  pending: z
    .object({
      /** The page to request next. */
      nextPage: z.number().int().min(2),
      /** The `after:` day the walk searches with, kept so the resumed pages line up. */
      after: isoDate.nullable(),
      /** Newest `created_at` yielded so far by this walk. */
      newestCreatedAt: isoDateTime,
    })
    .optional(),
});

/** Sync position of latest-posts mode. */
export const DiscourseLatestPostsCheckpointSchema = z.object({
  mode: z.literal('latest-posts'),
  /** Every post with an id up to this one has been yielded; null before the first walk completes. */
  highestPostId: z.number().int().nullable(),
  /** A backwards walk that stopped part-way; the next run resumes it. */
  pending: z
    .object({
      /** The `before=` to request next (posts with ids up to it). */
      before: z.number().int().positive(),
      /** Highest post id yielded by this walk, the watermark once it completes. */
      highestPostId: z.number().int(),
    })
    .optional(),
});

/** Sync position of a Discourse source. A checkpoint of the other mode is ignored (the walk restarts). */
export const DiscourseCheckpointSchema = z.discriminatedUnion('mode', [DiscourseSearchCheckpointSchema, DiscourseLatestPostsCheckpointSchema]);
export type DiscourseCheckpoint = z.output<typeof DiscourseCheckpointSchema>;
export type DiscourseSearchCheckpoint = z.output<typeof DiscourseSearchCheckpointSchema>;
export type DiscourseLatestPostsCheckpoint = z.output<typeof DiscourseLatestPostsCheckpointSchema>;
