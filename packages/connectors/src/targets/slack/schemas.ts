import { z } from 'zod';
import { secretUrl } from '../../_targets/schema.js';
import { templateSchema } from '../../_targets/template.js';

/**
 * Configuration of the Slack incoming webhook target.
 * @example
 * ```ts
 * { webhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXX', template: { 'record.alert': ':rotating_light: {{headline}}' } }
 * ```
 */
export const SlackTargetConfigSchema = z.object({
  /**
   * The incoming webhook URL Slack gave you, `https://hooks.slack.com/services/…`. It is a credential
   * (anyone holding it can post to the channel), so it is marked secret.
   */
  webhookUrl: secretUrl('The Slack incoming webhook URL (a credential)'),
  /**
   * The message text (Slack mrkdwn), as a template or templates by message type (`'*'` for any other
   * type). `{{path}}` inserts a value escaped for Slack (`&`, `<`, `>`), so user content cannot
   * ping `<!channel>` or forge links; `{{{path}}}` inserts it as is. Paths: `headline` and `details`
   * (the default rendering), `type`, `id`, `workspaceId`, `createdAt`, `payload.…`.
   * Without a template: `*headline*` and the detail lines.
   * @example { 'record.alert': ':rotating_light: *{{headline}}*\n{{details}}' }
   * @example 'New {{type}}: {{payload.record.value}} {{payload.record.unit}}'
   */
  template: templateSchema().optional(),
  /**
   * Also send `blocks`: a section with the text and a context line with the message type and time.
   * `text` is always sent too, as the notification fallback.
   * @default false
   */
  blocks: z.boolean().default(false),
});

/** Configuration of the Slack target, defaults applied. */
export type SlackTargetConfig = z.output<typeof SlackTargetConfigSchema>;
/** Configuration of the Slack target as written by a user. */
export type SlackTargetConfigInput = z.input<typeof SlackTargetConfigSchema>;
