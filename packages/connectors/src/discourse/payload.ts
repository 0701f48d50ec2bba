import { z } from 'zod';

/** The item type of every Discourse post item. */
export const DISCOURSE_POST_ITEM_TYPE = 'discourse.post';

/**
 * The least a post must carry to become a record. Everything else Discourse sends varies by endpoint
 * (search results lack `user_id` and `updated_at`, webhooks add `topic_title`), so it is read leniently.
 */
export const DiscoursePostSchema = z.looseObject({
  id: z.number().int().positive(),
  created_at: z.iso.datetime({ offset: true }),
});

/**
 * The checks of {@link DiscoursePostSchema} without its copy of the post. That schema transforms
 * nothing, so a post that passes these is the post it would output, field for field: callers check
 * with this and keep the post as sent. Its `z.object` builds two fields where `z.looseObject` copies
 * every one, which the webhook path paid on every delivery.
 */
export const DiscoursePostChecks = z.object(DiscoursePostSchema.shape);

/** A post as Discourse serializes it; only `id` and `created_at` are guaranteed. */
export type DiscoursePost = z.output<typeof DiscoursePostSchema>;

/** A topic from the `topics` array of a search response. */
export type DiscourseTopic = Record<string, unknown> & { id?: unknown };

/**
 * The payload of a `discourse.post` raw item: the post verbatim, plus the topic it belongs to when the
 * response carried one (search results), so parsing needs no further request.
 */
export interface DiscoursePostPayload {
  post: DiscoursePost;
  topic?: DiscourseTopic;
}

/** A raw item for one post. */
export function postItem(post: DiscoursePost, topic?: DiscourseTopic): { externalId: string; itemType: string; payload: DiscoursePostPayload } {
  return { externalId: String(post.id), itemType: DISCOURSE_POST_ITEM_TYPE, payload: topic ? { post, topic } : { post } };
}
