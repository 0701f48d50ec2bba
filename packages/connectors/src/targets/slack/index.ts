/**
 * @module @tributary/connectors/targets/slack
 * The Slack incoming webhook target: posts `{ text, blocks? }` to the webhook URL, rendering
 * `record.processed`, `record.notification` and `record.alert` messages into a short readable text
 * (or a template of yours). Slack's answers:
 * - `200 ok`: accepted;
 * - `429` with `Retry-After` (about one message per second per webhook): the whole target pauses;
 * - `400 invalid_payload`, `404 channel_not_found` / `no_service`, `410 channel_is_archived` and the
 *   like: permanent, the message goes to the dead letters;
 * - `403 invalid_token` / `action_prohibited`: retried, not permanent (a workspace admin or a new
 *   webhook URL can fix it);
 * - 5xx and no answer: retried.
 * Slack does not deduplicate: an attempt that times out after Slack posted the message is posted
 * again by the retry.
 * @example
 * ```ts
 * import { slackTarget } from '@tributary/connectors/targets/slack';
 * const config = slackTarget.configSchema.parse({ webhookUrl: process.env.SLACK_WEBHOOK_URL, blocks: true });
 * ```
 */
import { defineTarget, type Target } from '@tributary/core/target';
import { classifyResponse, discardBody } from '../../_targets/classify.js';
import { jsonBody, jsonHeaders, sendRequest } from '../../_targets/request.js';
import { renderSlackMessage } from './render.js';
import { SlackTargetConfigSchema, type SlackTargetConfig } from './schemas.js';

export { SlackTargetConfigSchema, type SlackTargetConfig, type SlackTargetConfigInput } from './schemas.js';
export { escapeSlack, renderSlackMessage, renderSlackText, type SlackWebhookBody } from './render.js';

/** The target's version. */
export const SLACK_TARGET_VERSION = '0.1.0';

/**
 * Error strings of Slack's webhooks that mean this message (or this webhook) will never be accepted,
 * whatever status carries them.
 */
export const SLACK_PERMANENT_ERRORS: ReadonlySet<string> = new Set([
  'invalid_payload',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_attachments',
  'too_many_attachments',
  'missing_text_or_fallback_or_attachments',
  'no_text',
  'user_not_found',
  'channel_not_found',
  'channel_is_archived',
  'no_service',
  'no_service_id',
  'no_team',
  'team_disabled',
  'posting_to_general_channel_denied',
]);

/** The Slack incoming webhook target. */
export const slackTarget: Target<SlackTargetConfig> = defineTarget<SlackTargetConfig>({
  name: 'slack',
  version: SLACK_TARGET_VERSION,
  configSchema: SlackTargetConfigSchema,
  async send(message, { config, fetch, signal }) {
    const serialized = jsonBody(renderSlackMessage(message, config));
    if (serialized.result) return serialized.result;
    const secrets = [config.webhookUrl];
    const sent = await sendRequest(
      { fetch, signal },
      { url: config.webhookUrl, method: 'POST', headers: jsonHeaders(message.idempotencyKey, `tributary-slack-target/${SLACK_TARGET_VERSION}`), body: serialized.body, secrets },
    );
    if (sent.result) return sent.result;
    const result = await classifyResponse(sent.response, { now: Date.now(), secrets });
    if (result.ok) {
      discardBody(sent.response);
      return result;
    }
    // Slack answers a bare error string (`no_service`), sometimes behind a status we would retry.
    const code = result.error?.trim();
    if (code && SLACK_PERMANENT_ERRORS.has(code) && result.status !== 429) {
      const { retryAfterMs: _ignored, ...rest } = result;
      return { ...rest, permanent: true };
    }
    return result;
  },
});
