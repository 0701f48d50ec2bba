import { z } from 'zod';
import type { ParseContext, WebhookParseResult, WebhookRequest, WebhookSpec } from '@tributary/core/connector';
import { createError, fromZodError } from '@tributary/core/errors';
import { COMPONENT } from './errors.js';
import { repositoryName } from './http.js';
import { discussionCommentItem, discussionItem, GithubObjectSchema, isPullRequest, issueCommentItem, issueItem } from './payload.js';
import type { GithubConfig } from './schemas.js';

/** The events this connector turns into items (`X-GitHub-Event`). */
export const GITHUB_WEBHOOK_EVENTS = ['issues', 'issue_comment', 'discussion', 'discussion_comment'] as const;

const EventBodySchema = z.looseObject({
  action: z.string().optional(),
  repository: z.looseObject({ full_name: z.string().optional() }).nullish(),
});
const IssuesBodySchema = z.looseObject({ issue: GithubObjectSchema });
const IssueCommentBodySchema = z.looseObject({ comment: GithubObjectSchema, issue: GithubObjectSchema });
const DiscussionBodySchema = z.looseObject({ discussion: GithubObjectSchema });
const DiscussionCommentBodySchema = z.looseObject({ comment: GithubObjectSchema, discussion: GithubObjectSchema });

function read<T>(schema: z.ZodType<T>, body: unknown, event: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw fromZodError(COMPONENT, `${event} webhook body`, parsed.error);
  return parsed.data;
}

/**
 * Parses a verified GitHub webhook delivery (`X-GitHub-Event` names the event):
 * - `issues` (any action but `deleted`) → one `github.issue` item with the issue as it now is;
 * - `issue_comment` (`created`, `edited`) → one `github.issue_comment` item, with the issue;
 * - `discussion` (any action but `deleted`) → one `github.discussion` item;
 * - `discussion_comment` (`created`, `edited`) → one `github.discussion_comment` item, with the discussion.
 *
 * No items for: `ping`; `deleted` actions (deletes are not modelled: the record keeps the last version
 * seen); pull requests and comments on them (as in pulls); events of another repository than the
 * source's (an organization webhook delivers every repository's); any other event.
 * A form-encoded delivery (`payload=<json>`) is read like a JSON one.
 * @throws TributaryError `validation` when the body of a handled event is malformed
 */
export function parseGithubWebhook(
  request: WebhookRequest,
  body: unknown,
  context: Pick<ParseContext<Pick<GithubConfig, 'owner' | 'repo'>>, 'config'>,
): WebhookParseResult {
  const event = request.headers.get('x-github-event')?.trim();
  if (!event || event === 'ping' || !(GITHUB_WEBHOOK_EVENTS as readonly string[]).includes(event)) return { items: [] };
  const payload = unwrapForm(body);
  const { action, repository } = read(EventBodySchema, payload, event);
  if (action === 'deleted') return { items: [] };
  const fullName = repository?.full_name;
  if (fullName !== undefined && fullName.toLowerCase() !== repositoryName(context.config).toLowerCase()) return { items: [] };

  switch (event) {
    case 'issues': {
      const { issue } = read(IssuesBodySchema, payload, event);
      return { items: isPullRequest(issue) ? [] : [issueItem(issue)] };
    }
    case 'issue_comment': {
      const { comment, issue } = read(IssueCommentBodySchema, payload, event);
      return { items: isPullRequest(issue) ? [] : [issueCommentItem(comment, issue)] };
    }
    case 'discussion': {
      const { discussion } = read(DiscussionBodySchema, payload, event);
      return { items: [discussionItem(discussion)] };
    }
    default: {
      const { comment, discussion } = read(DiscussionCommentBodySchema, payload, event);
      return { items: [discussionCommentItem(comment, discussion)] };
    }
  }
}

/**
 * GitHub sends `application/x-www-form-urlencoded` deliveries as one `payload` field holding the JSON.
 * The core runtime unwraps it already; callers that decode form bodies generically (the contract kit,
 * a host's own handler) hand over `{ payload }`, so it is unwrapped here too.
 */
function unwrapForm(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) {
    throw createError(COMPONENT, 'validation', 'webhook body must be a JSON object', { issues: [{ path: '', message: 'expected an object' }] });
  }
  const payload = (body as Record<string, unknown>).payload;
  if (typeof payload !== 'string' || Object.keys(body).length !== 1) return body;
  try {
    return JSON.parse(payload) as unknown;
  } catch (cause) {
    throw createError(COMPONENT, 'validation', 'webhook payload field is not JSON', { cause, issues: [{ path: 'payload', message: 'expected JSON' }] });
  }
}

/** How GitHub pushes: signed with `X-Hub-Signature-256` (verified by the core runtime). */
export const githubWebhook: WebhookSpec<GithubConfig> = {
  signatureScheme: 'github',
  // Redeliveries (from the settings page or the API) repeat the delivery's GUID.
  deliveryId: (request) => request.headers.get('x-github-delivery')?.trim() || undefined,
  parse: parseGithubWebhook,
};
