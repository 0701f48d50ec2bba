import { z } from 'zod';

const isoDateTime = z.iso.datetime({ offset: true });

/** An author, as JSON Feed 1.1 describes one. */
export const FeedAuthorSchema = z.looseObject({ name: z.string().optional(), url: z.string().optional(), avatar: z.string().optional() });

/** One feed item. Only `id` is required by the spec; the rest is read when present. */
export const FeedItemSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  url: z.string().optional(),
  external_url: z.string().optional(),
  title: z.string().optional(),
  content_html: z.string().optional(),
  content_text: z.string().optional(),
  summary: z.string().optional(),
  date_published: isoDateTime.optional(),
  date_modified: isoDateTime.optional(),
  authors: z.array(FeedAuthorSchema).optional(),
  /** JSON Feed 1.0's single author, still common. */
  author: FeedAuthorSchema.optional(),
  tags: z.array(z.string()).optional(),
  language: z.string().optional(),
});
export type FeedItem = z.output<typeof FeedItemSchema>;

/** A feed page: its items and, when there are more, the URL of the next page. */
export const FeedPageSchema = z.looseObject({
  version: z.string().startsWith('https://jsonfeed.org/version/1'),
  title: z.string(),
  home_page_url: z.string().optional(),
  next_url: z.string().optional(),
  language: z.string().optional(),
  authors: z.array(FeedAuthorSchema).optional(),
  items: z.array(z.unknown()),
});
export type FeedPage = z.output<typeof FeedPageSchema>;

/** What a raw item carries: the item verbatim plus the feed facts parsing needs, so parse stays pure. */
export interface FeedItemPayload {
  item: unknown;
  feed: { title: string; home_page_url?: string; language?: string; authors?: unknown[] };
}

/** The item type of every record this connector makes. */
export const JSON_FEED_ITEM_TYPE = 'json-feed.item';

/**
 * The time an item last changed (modified, else published), read leniently from the raw item: fetch
 * only orders items, while parse validates them and reports the bad ones.
 */
export function itemTime(item: unknown): string | null {
  const { date_modified: modified, date_published: published } = (item ?? {}) as Record<string, unknown>;
  for (const time of [modified, published]) if (typeof time === 'string' && !Number.isNaN(Date.parse(time))) return time;
  return null;
}
