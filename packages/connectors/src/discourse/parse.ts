import { z } from 'zod';
import type { ParseContext, RawItem } from '@tributary/core/connector';
import { createError, fromZodError } from '@tributary/core/errors';
import type { RecordDraft } from '@tributary/core/record';
import { COMPONENT } from './errors.js';
import { decodeEntities, htmlToText } from './html-to-text.js';
import { DISCOURSE_POST_ITEM_TYPE, DiscoursePostSchema, type DiscoursePost, type DiscourseTopic } from './payload.js';
import type { DiscourseConfig } from './schemas.js';

/** Avatar size requested in `avatar_template`'s `{size}`. */
const AVATAR_SIZE = 120;
const isoDateTime = z.iso.datetime({ offset: true });

const PayloadSchema = z.object({
  post: DiscoursePostSchema,
  topic: z.looseObject({}).optional(),
});

/**
 * Turns a `discourse.post` raw item into one record draft. The payload is `{ post, topic? }` (as
 * `fetch` and the webhook produce it); a bare post is accepted too.
 * @throws TributaryError `validation` naming the offending field (e.g. `post.created_at`)
 */
export function parseDiscourseItem(item: RawItem, context: Pick<ParseContext<Pick<DiscourseConfig, 'baseUrl'>>, 'config'>): RecordDraft[] {
  if (item.itemType !== DISCOURSE_POST_ITEM_TYPE) {
    throw createError(COMPONENT, 'validation', `invalid Discourse item (itemType: expected "${DISCOURSE_POST_ITEM_TYPE}", got "${item.itemType}")`, {
      issues: [{ path: 'itemType', message: `expected "${DISCOURSE_POST_ITEM_TYPE}"` }],
    });
  }
  const payload = item.payload;
  const wrapped = typeof payload === 'object' && payload !== null && 'post' in payload ? payload : { post: payload };
  const parsed = PayloadSchema.safeParse(wrapped);
  if (!parsed.success) throw fromZodError(COMPONENT, 'Discourse post', parsed.error);
  return [postToDraft(parsed.data.post, parsed.data.topic, context.config.baseUrl)];
}

/** The record draft of one post; `topic` (from a search response) supplies the title and slug. */
export function postToDraft(post: DiscoursePost, topic: DiscourseTopic | undefined, baseUrl: string): RecordDraft {
  const base = baseUrl.replace(/\/+$/, '');
  const p = post as Record<string, unknown>;
  const t = topic ?? {};
  const topicId = num(p.topic_id) ?? num(t.id);
  const postNumber = num(p.post_number);
  const topicSlug = str(p.topic_slug) ?? str(t.slug);
  const username = str(p.username);
  const updatedAt = str(p.updated_at);
  const cooked = str(p.cooked);
  const tags = topicTags(t.tags);

  return {
    externalId: String(post.id),
    itemType: DISCOURSE_POST_ITEM_TYPE,
    occurredAt: post.created_at,
    ...(updatedAt && isoDateTime.safeParse(updatedAt).success ? { sourceUpdatedAt: updatedAt } : {}),
    author: {
      // Kept as Discourse gives it (a number), as seed 001's feedback_platform_user_id.
      platformUserId: num(p.user_id) ?? null,
      username: username ?? null,
      name: str(p.name) || null,
      avatarUrl: avatarUrl(str(p.avatar_template), base),
      profileUrl: username ? `${base}/u/${encodeURIComponent(username)}` : null,
    },
    content: {
      text: postText(p),
      html: cooked ?? null,
      title: str(t.title) ?? str(p.topic_title) ?? null,
      url: postUrl(base, topicSlug, topicId, postNumber),
    },
    attributes: {
      conversation: {
        topic_id: topicId ?? null,
        post_number: postNumber ?? null,
        reply_to_post_number: num(p.reply_to_post_number) ?? null,
        topic_slug: topicSlug ?? null,
      },
      review: {},
      // Counters change without the post being edited; metadata stays out of the content hash.
      metadata: {
        reads: num(p.reads) ?? null,
        score: num(p.score) ?? null,
        like_count: num(p.like_count) ?? null,
        reply_count: num(p.reply_count) ?? null,
        category_id: num(p.category_id) ?? num(t.category_id) ?? null,
        trust_level: num(p.trust_level) ?? null,
        incoming_link_count: num(p.incoming_link_count) ?? null,
        post_type: num(p.post_type) ?? null,
        ...(tags.length ? { tags } : {}),
      },
    },
  };
}

/** The post's text: from `cooked` HTML, else the `raw` markdown, else the search `blurb`. */
function postText(p: Record<string, unknown>): string {
  const cooked = str(p.cooked);
  if (cooked) return htmlToText(cooked);
  const raw = str(p.raw);
  if (raw) return raw.trim();
  const blurb = str(p.blurb);
  return blurb ? decodeEntities(blurb).replace(/\s+/g, ' ').trim() : '';
}

/** `/t/<slug>/<topic>/<post number>`; Discourse also routes `/t/<topic>/<post number>` when the slug is unknown. */
function postUrl(base: string, slug: string | undefined, topicId: number | undefined, postNumber: number | undefined): string | null {
  if (topicId === undefined) return null;
  const path = slug ? `/t/${slug}/${topicId}` : `/t/${topicId}`;
  return `${base}${path}${postNumber !== undefined ? `/${postNumber}` : ''}`;
}

/**
 * `avatar_template` made absolute at a fixed size. Templates are root-relative (a sub-folder install
 * already includes its folder), protocol-relative (a CDN) or absolute, so they resolve against the origin.
 */
function avatarUrl(template: string | undefined, base: string): string | null {
  if (!template) return null;
  const sized = template.replaceAll('{size}', String(AVATAR_SIZE));
  try {
    return new URL(sized, `${base}/`).toString();
  } catch {
    return null;
  }
}

/** Topic tags: plain names in older forums, `{ name }` objects in newer ones. */
function topicTags(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((tag) => (typeof tag === 'string' ? tag : str((tag as Record<string, unknown> | null)?.name))).filter((tag): tag is string => !!tag);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
