import { describe, expect, it } from 'vitest';
import { discourseConnector, DiscourseConfigSchema, type DiscourseConfigInput } from '@tributary/connectors/discourse';
import type { RawItem, WebhookRequest } from '@tributary/core/connector';
import { isTributaryError } from '@tributary/core/errors';
import { buildRecord, type RecordDraft } from '@tributary/core/record';
import { BASE_URL, fixture } from './fixtures/discourse/factories.js';

type Json = Record<string, unknown>;
const webhook = discourseConnector.webhook!;

function request(event: string | undefined, body: unknown, headers: Record<string, string> = {}): WebhookRequest {
  const h = new Headers({ 'content-type': 'application/json', 'x-discourse-instance': BASE_URL, 'x-discourse-event-id': '42', ...headers });
  if (event) {
    h.set('x-discourse-event', event);
    h.set('x-discourse-event-type', event === 'ping' ? 'ping' : event.split('_')[0]!);
  }
  return { method: 'POST', url: 'https://hooks.example.com/discourse', headers: h, rawBody: new TextEncoder().encode(JSON.stringify(body)), receivedAt: Date.now() };
}

function context(config: Partial<DiscourseConfigInput> = {}) {
  return { workspaceId: 'ws_1', sourceId: 'src_discourse', config: DiscourseConfigSchema.parse({ baseUrl: BASE_URL, ...config }) };
}

async function parse(event: string | undefined, body: unknown, config?: Partial<DiscourseConfigInput>) {
  return webhook.parse(request(event, body), body, context(config));
}

describe('discourse webhook', () => {
  const postBody = fixture<{ post: Json }>('webhook_post_created.json');

  it('declares the discourse signature scheme', () => {
    expect(webhook.signatureScheme).toBe('discourse');
  });

  it('takes the delivery id from X-Discourse-Event-Id', () => {
    expect(webhook.deliveryId!(request('post_created', postBody))).toBe('42');
    const without = request('post_created', postBody);
    without.headers.delete('x-discourse-event-id');
    expect(webhook.deliveryId!(without)).toBeUndefined();
  });

  it.each(['post_created', 'post_edited', 'post_recovered'])('turns %s into a discourse.post item that parses into a record', async (event) => {
    const result = await parse(event, postBody);
    expect(result.triggerFetch).toBeUndefined();
    expect(result.items).toEqual([{ externalId: '29', itemType: 'discourse.post', payload: { post: postBody.post } }]);
    const [draft] = (await discourseConnector.parse!(result.items[0] as RawItem, context())) as RecordDraft[];
    const rec = buildRecord(draft!, { workspaceId: 'ws_1', sourceId: 'src_discourse', connector: { name: 'discourse', version: discourseConnector.version } });
    expect(rec.content).toMatchObject({ title: 'Welcome to Discourse', text: 'isbghvlcoekamtypuwfxdqjznr', url: `${BASE_URL}/t/welcome-to-discourse/8/17` });
    expect(rec.author?.platformUserId).toBe(20);
  });

  it('keeps the post as it was sent, every field included, without copying it', async () => {
    const body = { post: { ...postBody.post, not_in_any_schema: { nested: [1, 2] } } };
    const [item] = (await parse('post_created', body)).items;
    expect((item!.payload as { post: unknown }).post).toBe(body.post);
    expect((item!.payload as { post: Json }).post.not_in_any_schema).toEqual({ nested: [1, 2] });
  });

  it('makes the same record from a pushed post as from a pulled one', async () => {
    const pushed = await parse('post_created', postBody);
    const { latest_posts: posts } = fixture<{ latest_posts: Json[] }>('posts_latest_response.json');
    const pulled = { externalId: '29', itemType: 'discourse.post', payload: { post: posts.find((post) => post.id === 29) } };
    const origin = { workspaceId: 'ws_1', sourceId: 'src_discourse', connector: { name: 'discourse', version: '0.1.0' } };
    const hash = async (item: RawItem) => buildRecord(((await discourseConnector.parse!(item, context())) as RecordDraft[])[0]!, origin).contentHash;
    expect(await hash(pushed.items[0]!)).toBe(await hash(pulled));
  });

  it('answers a ping with nothing', async () => {
    expect(await parse('ping', { ping: 'OK' })).toEqual({ items: [] });
  });

  it.each(['topic_created', 'topic_edited', 'topic_destroyed'])('turns %s into a triggered pull', async (event) => {
    const result = await parse(event, fixture('webhook_topic_created.json'));
    expect(result.items).toEqual([]);
    expect(result.triggerFetch?.reason).toContain(event);
  });

  it('ignores post_destroyed and unrelated events', async () => {
    expect(await parse('post_destroyed', postBody)).toEqual({ items: [] });
    expect(await parse('user_created', { user: { id: 3 } })).toEqual({ items: [] });
  });

  it('drops posts in private messages unless asked for them', async () => {
    const pm = { post: { ...postBody.post, topic_archetype: 'private_message' } };
    expect((await parse('post_created', pm)).items).toEqual([]);
    expect((await parse('post_created', pm, { includePrivateMessages: true })).items).toHaveLength(1);
  });

  it('infers the event from the body when the header is missing', async () => {
    expect((await parse(undefined, postBody)).items).toHaveLength(1);
    expect((await parse(undefined, { ping: 'OK' })).items).toEqual([]);
    expect((await parse(undefined, fixture('webhook_topic_created.json'))).triggerFetch).toBeDefined();
  });

  it('rejects a malformed post body with a validation error naming the field', async () => {
    const error = await parse('post_created', { post: { id: 'abc', created_at: '2021-01-01T00:00:00Z' } }).catch((e: unknown) => e);
    expect(isTributaryError(error, 'validation')).toBe(true);
    expect((error as { issues: { path: string }[] }).issues[0]!.path).toBe('post.id');
    const missing = await parse('post_edited', { topic: {} }).catch((e: unknown) => e);
    expect((missing as { issues: { path: string }[] }).issues[0]!.path).toBe('post');
    expect(isTributaryError(await parse(undefined, 'text').catch((e: unknown) => e), 'validation')).toBe(true);
  });
});
