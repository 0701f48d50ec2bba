/**
 * The `webhook-id` of a message: its id, the same on every retry, so the receiver can deduplicate.
 * The id is part of the signed content and delimited there by `.`, so a `.` (as in
 * `rec_1:r1:record.processed`) is written `%2E`, and `%` itself `%25` so distinct ids stay distinct.
 * @example
 * standardWebhookId('msg_1') // 'msg_1'
 * standardWebhookId('rec_1:r1:record.alert') // 'rec_1:r1:record%2Ealert'
 */
export function standardWebhookId(messageId: string): string {
  return messageId.replace(/%/g, '%25').replace(/\./g, '%2E');
}
