import { z } from 'zod';
import type { RawItem } from '@tributary/core/connector';
import { createError, fromZodError } from '@tributary/core/errors';
import type { RecordDraft } from '@tributary/core/record';
import { FeedAuthorSchema, FeedItemSchema, JSON_FEED_ITEM_TYPE } from './feed.js';
import { COMPONENT } from './http.js';
import { htmlToText } from './html-to-text.js';

const PayloadSchema = z.object({
  item: FeedItemSchema,
  feed: z.object({ title: z.string(), home_page_url: z.string().optional(), language: z.string().optional(), authors: z.array(FeedAuthorSchema).optional() }),
});

/**
 * Turns one feed item into a record draft. Pure: the same raw item always gives the same draft, with
 * no request and no clock, which is what lets stored raw payloads be parsed again after an upgrade.
 * @throws TributaryError `validation` naming the field (an item with neither date, say)
 */
export function parseJsonFeedItem(item: RawItem): RecordDraft[] {
  const parsed = PayloadSchema.safeParse(item.payload);
  if (!parsed.success) throw fromZodError(COMPONENT, `feed item ${item.externalId}`, parsed.error);
  const { item: entry, feed } = parsed.data;
  const occurredAt = entry.date_published ?? entry.date_modified;
  if (!occurredAt) {
    throw createError(COMPONENT, 'validation', `invalid feed item ${item.externalId} (date_published: an item needs date_published or date_modified)`, {
      issues: [{ path: 'item.date_published', message: 'required when date_modified is absent' }],
    });
  }
  const author = entry.authors?.[0] ?? entry.author ?? feed.authors?.[0];
  const text = entry.content_text ?? (entry.content_html ? htmlToText(entry.content_html) : entry.summary);
  const language = entry.language ?? feed.language;
  return [
    {
      externalId: entry.id,
      itemType: JSON_FEED_ITEM_TYPE,
      occurredAt,
      ...(entry.date_modified ? { sourceUpdatedAt: entry.date_modified } : {}),
      ...(language ? { language } : {}),
      ...(author ? { author: { name: author.name ?? null, profileUrl: author.url ?? null, avatarUrl: author.avatar ?? null } } : {}),
      content: { title: entry.title ?? null, text: text ?? '', html: entry.content_html ?? null, url: entry.url ?? entry.external_url ?? null },
      attributes: { metadata: { feed: feed.title, summary: entry.summary ?? null } },
      ...(entry.tags?.length ? { tags: entry.tags } : {}),
    },
  ];
}
