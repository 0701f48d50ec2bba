import { z } from 'zod';
import type { ParseContext, WebhookParseResult, WebhookRequest, WebhookSpec } from '@tributary/core/connector';
import { createError, fromZodError } from '@tributary/core/errors';
import { COMPONENT } from './errors.js';
import { DiscoursePostChecks, postItem, type DiscoursePost } from './payload.js';
import type { DiscourseConfig } from './schemas.js';

/** Post events whose body carries the post as it now is. */
const POST_UPSERT_EVENTS = new Set(['post_created', 'post_edited', 'post_recovered']);

// Checked without a copy: the item carries the post as it was sent (see DiscoursePostChecks).
const PostBodyChecks = z.object({ post: DiscoursePostChecks });

/**
 * Parses a verified Discourse webhook delivery (`X-Discourse-Event` names the event):
 * - `post_created`, `post_edited`, `post_recovered` (`{ post }`) → one `discourse.post` item;
 * - topic events (`{ topic }`) → no items, but `triggerFetch`: they are thin notifications here;
 * - `ping`, `post_destroyed` (deletes are not modelled) and other events → nothing.
 * Posts in private messages are dropped unless `includePrivateMessages` is set.
 * @throws TributaryError `validation` when a post event's body is malformed
 */
export function parseDiscourseWebhook(
  request: WebhookRequest,
  body: unknown,
  context: Pick<ParseContext<Pick<DiscourseConfig, 'includePrivateMessages'>>, 'config'>,
): WebhookParseResult {
  const event = eventName(request, body);
  if (event === undefined || event === 'ping') return { items: [] };
  if (POST_UPSERT_EVENTS.has(event)) {
    const checked = PostBodyChecks.safeParse(body);
    if (!checked.success) throw fromZodError(COMPONENT, `${event} webhook body`, checked.error);
    const { post } = body as { post: DiscoursePost };
    if (post.topic_archetype === 'private_message' && !context.config.includePrivateMessages) return { items: [] };
    return { items: [postItem(post)] };
  }
  if (event.startsWith('topic_')) return { items: [], triggerFetch: { reason: `discourse ${event}` } };
  return { items: [] };
}

/** The event's name from `X-Discourse-Event`, or from the body's shape when a proxy dropped the header. */
function eventName(request: WebhookRequest, body: unknown): string | undefined {
  const header = request.headers.get('x-discourse-event')?.trim();
  if (header) return header;
  if (typeof body !== 'object' || body === null) {
    throw createError(COMPONENT, 'validation', 'webhook body must be a JSON object', { issues: [{ path: '', message: 'expected an object' }] });
  }
  if ('ping' in body) return 'ping';
  if ('post' in body) return 'post_created';
  if ('topic' in body) return 'topic_edited';
  return undefined;
}

/** How Discourse pushes: signed with `X-Discourse-Event-Signature` (verified by the core runtime). */
export const discourseWebhook: WebhookSpec<DiscourseConfig> = {
  signatureScheme: 'discourse',
  // Redeliveries from the admin panel repeat the event id.
  deliveryId: (request) => request.headers.get('x-discourse-event-id')?.trim() || undefined,
  parse: parseDiscourseWebhook,
};
