import { z } from 'zod';
import { BearerTokenCredentialsSchema } from '@tributary/core/auth';

const isoDateTime = z.iso.datetime({ offset: true });

/** GitHub answers at most 100 items a page; every list request asks for that many. */
export const GITHUB_PAGE_SIZE = 100;

/** The streams a source can pull. */
export const GithubStreamSchema = z.enum(['issues', 'comments']);
export type GithubStream = z.output<typeof GithubStreamSchema>;

/**
 * `2026-01-01` or any ISO date-time → `2026-01-01T00:00:00Z`, the form GitHub documents for `since`.
 */
export function toGithubTime(value: string | number): string {
  return new Date(typeof value === 'number' ? value : Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Non-secret configuration of a GitHub source: one repository.
 * @example
 * ```ts
 * { owner: 'octocat', repo: 'Hello-World', include: ['issues', 'comments'], since: '2025-01-01' }
 * ```
 */
export const GithubConfigSchema = z.object({
  /** The account that owns the repository (user or organization), e.g. `octocat`. */
  owner: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'must be a GitHub user or organization name'),
  /** The repository's name, e.g. `Hello-World`. */
  repo: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a GitHub repository name')
    .refine((name) => name !== '.' && name !== '..', 'must be a GitHub repository name'),
  /**
   * What to pull: issues (pull requests are skipped) and issue comments (comments on pull requests
   * are skipped). Webhooks deliver discussions as well, whatever this says.
   * @default ['issues', 'comments']
   */
  include: z
    .array(GithubStreamSchema)
    .min(1)
    .default(['issues', 'comments'])
    .transform((streams) => [...new Set(streams)]),
  /**
   * Backfill start: the first run pulls only items *updated* at or after this day or time (GitHub's
   * `since` filters on `updated_at`). Without it the first run pulls the whole history. Changing it
   * later does not re-pull: reset the source's checkpoint for that.
   * @example '2025-01-01'
   */
  since: z.union([isoDateTime, z.iso.date()]).transform(toGithubTime).optional(),
  /**
   * Seconds of overlap for incremental runs: they ask for items updated since the newest one seen
   * minus this, because GitHub's lists can show a fresh update a little late. Repeats are free: the
   * same item twice is one record, and an unchanged answer is a 304 that costs no rate limit.
   * @default 300
   */
  overlapSeconds: z.number().int().min(0).default(300),
  /**
   * Most pages one run requests per stream. A longer backfill continues from the checkpoint next run.
   * @default 100
   */
  maxPages: z.number().int().positive().default(100),
  /**
   * The REST API's root: `https://<host>/api/v3` for GitHub Enterprise Server.
   * @default 'https://api.github.com'
   */
  apiUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://api.github.com')
    .transform((url) => url.replace(/\/+$/, '')),
  /**
   * Set when the source has no token: GitHub then allows 60 requests an hour (per IP address) instead
   * of 5,000, and the request budget follows.
   * @default false
   */
  anonymous: z.boolean().default(false),
  /**
   * Overrides the request budget, e.g. 15000 for an installation token of an Enterprise Cloud
   * organization, or less to leave room for other users of the same token.
   */
  requestsPerHour: z.number().int().positive().optional(),
});
/** Configuration of a GitHub source, defaults applied. */
export type GithubConfig = z.output<typeof GithubConfigSchema>;
/** Configuration of a GitHub source as written by a user. */
export type GithubConfigInput = z.input<typeof GithubConfigSchema>;

/**
 * A token sent as `Authorization: Bearer`: a personal access token (classic with `repo` or
 * `public_repo`, or fine-grained with Issues: read, plus Discussions: read for discussion webhooks)
 * or a GitHub App installation token. Optional: public repositories can be read anonymously.
 */
export const GithubCredentialsSchema = BearerTokenCredentialsSchema.optional();
/** Credentials of a GitHub source, or `undefined` (the pipeline hands over `null`) for anonymous access. */
export type GithubCredentials = z.output<typeof GithubCredentialsSchema>;

/** Sync position of one stream. */
export const GithubStreamCheckpointSchema = z.object({
  /**
   * `updated_at` of the newest item seen: lists are sorted by `updated_at` ascending, so every item
   * updated before it has been yielded. Null before anything was seen.
   */
  updatedSince: isoDateTime.nullable(),
  /**
   * The ETag of the last run's complete answer (a single, short page), with the URL it belongs to.
   * The next run sends it as `If-None-Match` when it starts at the same URL: a 304 means nothing
   * changed, and GitHub does not count it against the rate limit.
   */
  etag: z.object({ url: z.string().min(1), value: z.string().min(1) }).optional(),
});
export type GithubStreamCheckpoint = z.output<typeof GithubStreamCheckpointSchema>;

/** Sync position of a GitHub source: one entry per stream pulled so far. */
export const GithubCheckpointSchema = z.object({
  issues: GithubStreamCheckpointSchema.optional(),
  comments: GithubStreamCheckpointSchema.optional(),
});
export type GithubCheckpoint = z.output<typeof GithubCheckpointSchema>;
