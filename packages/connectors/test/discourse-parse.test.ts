import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { discourseConnector, DiscourseConfigSchema, type DiscoursePostPayload } from '@tributary/connectors/discourse';
import type { RawItem } from '@tributary/core/connector';
import { isTributaryError } from '@tributary/core/errors';
import { buildRecord, type RecordDraft, type TributaryRecord } from '@tributary/core/record';
import { toSeed001View } from '@tributary/core/views';
import { BASE_URL, fixture } from './fixtures/discourse/factories.js';

type Json = Record<string, unknown>;
const context = { workspaceId: 'ws_1', sourceId: 'src_discourse', config: DiscourseConfigSchema.parse({ baseUrl: BASE_URL }) };
const origin = { workspaceId: 'ws_1', sourceId: 'src_discourse', connector: { name: 'discourse', version: discourseConnector.version }, receivedAt: '2021-02-20T00:00:00.000Z', parsedAt: '2021-02-20T00:00:00.000Z' };

function parse(payload: unknown, itemType = 'discourse.post'): RecordDraft[] {
  return discourseConnector.parse!({ externalId: 'x', itemType, payload }, context) as RecordDraft[];
}

function record(payload: unknown): TributaryRecord {
  const drafts = parse(payload);
  expect(drafts).toHaveLength(1);
  return buildRecord(drafts[0]!, origin);
}

/** The record as it stands after analysis set a sentiment, as seed 001's parsed data shows it. */
function analyzed(rec: TributaryRecord): TributaryRecord {
  return { ...rec, analysis: { ...rec.analysis, sentiment: { label: 'positive', score: 0.7 } } };
}

describe('discourse parse: seed 001', () => {
  const post = fixture<Json>('seed001_post.json');

  it('turns seed 001’s fetched post into its parsed layout', () => {
    const view = toSeed001View(analyzed(record({ post })));
    expect(Object.keys(view).sort()).toEqual(
      ['unique_identifier', 'core_attributes', 'review_attributes', 'conversation_attributes', 'metadata_attributes', 'user_attributes', 'context_info'].sort(),
    );
    expect(view.unique_identifier).toMatch(/^-?\d+$/);
    expect(view.core_attributes).toMatchObject({ tenant_info: 'ws_1', source_info: 'DiscoursePost', source_id: 'src_discourse' });
    expect(view.review_attributes).toEqual({});
    expect(view.conversation_attributes).toMatchObject({ sentiment_type: 'positive', sentiment_score: 7 });
    expect(view.user_attributes).toEqual({ email: null, feedback_platform_user_id: 79907, username: 'taher1' });
    expect(view.context_info).toEqual({ timestamp: '2021-01-11T03:24:05.977Z', url: `${BASE_URL}/t/handling-bouncing-e-mails/45343/173` });
  });

  it('maps every field of the draft', () => {
    const [draft] = parse({ post });
    expect(draft).toEqual({
      externalId: '872227',
      itemType: 'discourse.post',
      occurredAt: '2021-01-11T03:24:05.977Z',
      sourceUpdatedAt: '2021-01-11T03:25:21.625Z',
      author: {
        platformUserId: 79907,
        username: 'taher1',
        name: null,
        avatarUrl: `${BASE_URL}/user_avatar/meta.discourse.org/taher1/120/182563_2.png`,
        profileUrl: `${BASE_URL}/u/taher1`,
      },
      content: {
        text: 'I’ve setup email feedback forwarding as described in the post for SES but I’m not getting bounce notifications in discourse. Do i need to create a sns webhook? Or do I need to enable VERP? Please help.',
        html: post.cooked,
        title: null,
        url: `${BASE_URL}/t/handling-bouncing-e-mails/45343/173`,
      },
      attributes: {
        conversation: { topic_id: 45343, post_number: 173, reply_to_post_number: null, topic_slug: 'handling-bouncing-e-mails' },
        review: {},
        metadata: { reads: 37, score: 27.4, like_count: null, reply_count: 1, category_id: null, trust_level: 1, incoming_link_count: 0, post_type: 1 },
      },
    });
  });

  it('keeps volatile counters out of the content hash', () => {
    const before = record({ post });
    const after = record({ post: { ...post, reads: 500, score: 99.1, reply_count: 4 } });
    expect(after.contentHash).toBe(before.contentHash);
    const edited = record({ post: { ...post, cooked: '<p>Fixed it, thanks!</p>' } });
    expect(edited.contentHash).not.toBe(before.contentHash);
  });
});

describe('discourse parse: example responses', () => {
  it('parses the search example with its topic', () => {
    const response = fixture<{ posts: Json[]; topics: Json[] }>('search_query_response.json');
    const payload: DiscoursePostPayload = { post: response.posts[0] as DiscoursePostPayload['post'], topic: response.topics[0] };
    const rec = record(payload);
    expect(rec.externalId).toBe('16');
    expect(rec.content).toMatchObject({
      title: '2a6aa74e-e341-5e3c-1eaa-78c6331f305f',
      url: `${BASE_URL}/t/2a6aa74e-e341-5e3c-1eaa-78c6331f305f/13/1`,
    });
    expect(rec.content?.text).toMatch(/^ecf65fcd-1e16-7c4c-4244-a467b46c610becf65fcd/);
    expect(rec.author).toMatchObject({ username: 'discourse1', platformUserId: null, avatarUrl: `${BASE_URL}/letter_avatar_proxy/v2/letter/d/da6949/120.png` });
    expect(rec.attributes.metadata).toMatchObject({ like_count: 0, category_id: 1 });
    expect(toSeed001View(analyzed(rec)).context_info.timestamp).toBe('2016-10-29T14:14:20.516Z');
  });

  it('parses every post of the latest-posts example into a record with seed 001’s keys', () => {
    const { latest_posts: posts } = fixture<{ latest_posts: Json[] }>('posts_latest_response.json');
    expect(posts.length).toBeGreaterThan(0);
    for (const post of posts) {
      const view = toSeed001View(analyzed(record({ post })));
      expect(view.core_attributes.source_info).toBe('DiscoursePost');
      expect(view.user_attributes.feedback_platform_user_id).toBe(post.user_id);
      expect(view.context_info.timestamp).toBe(post.created_at);
      expect(view.conversation_attributes).toMatchObject({ topic_id: post.topic_id, post_number: post.post_number, sentiment_type: 'positive' });
    }
  });

  it('reads topic_title and raw from a latest post', () => {
    const { latest_posts: posts } = fixture<{ latest_posts: Json[] }>('posts_latest_response.json');
    const welcome = posts.find((post) => post.id === 12)!;
    const [draft] = parse({ post: welcome });
    expect(draft!.content?.title).toBe(welcome.topic_title);
    expect(draft!.content?.text).toContain('Congratulations!\n\nIf you can see this topic, you were recently promoted to regular (trust level 3).');
    expect(draft!.content?.text).toContain('Edit the title of any topic\nChange the category of any topic');
    const [fromRaw] = parse({ post: { ...welcome, cooked: undefined } });
    expect(fromRaw!.content?.text).toBe(String(welcome.raw).trim());
  });

  it('falls back to the blurb when a post has neither cooked nor raw', () => {
    const [draft] = parse({ post: { id: 5, created_at: '2021-01-01T00:00:00Z', blurb: 'Tom &amp; Jerry  said…' } });
    expect(draft!.content).toMatchObject({ text: 'Tom & Jerry said…', html: null, url: null });
  });

  it('accepts a bare post as payload', () => {
    const post = fixture<Json>('seed001_post.json');
    expect(parse(post)).toEqual(parse({ post }));
  });

  const sharedDir = new URL('../../../../shared/data/discourse/', import.meta.url);
  const shared = existsSync(sharedDir);
  describe.skipIf(!shared)('all posts of ../shared/data/discourse', () => {
    it('parses the full examples', () => {
      const latest = JSON.parse(readFileSync(new URL('posts_latest_response.json', sharedDir), 'utf8')) as { latest_posts: Json[] };
      const search = JSON.parse(readFileSync(new URL('search_query_response.json', sharedDir), 'utf8')) as { posts: Json[]; topics: Json[] };
      const payloads = [...latest.latest_posts.map((post) => ({ post })), ...search.posts.map((post) => ({ post, topic: search.topics.find((t) => t.id === post.topic_id) }))];
      expect(payloads).toHaveLength(26);
      for (const payload of payloads) {
        const view = toSeed001View(analyzed(record(payload)));
        expect(view.user_attributes.feedback_platform_user_id).toBe(payload.post.user_id ?? null);
        expect(view.context_info.timestamp).toBe(payload.post.created_at);
      }
    });
  });
  if (!shared) it.skip('../shared/data/discourse is absent (cloned alone?): full-example parse skipped; the committed fixtures still ran', () => {});
});

describe('discourse parse: malformed posts', () => {
  function validationError(payload: unknown, itemType?: string): { path: string } {
    try {
      parse(payload, itemType);
    } catch (error) {
      expect(isTributaryError(error, 'validation')).toBe(true);
      const issue = (error as { issues: { path: string }[] }).issues[0]!;
      expect((error as Error).message).toContain(issue.path);
      return issue;
    }
    throw new Error('expected a validation error');
  }

  it('names a missing id', () => {
    expect(validationError({ post: { created_at: '2021-01-01T00:00:00Z' } }).path).toBe('post.id');
  });

  it('names a missing or unreadable created_at', () => {
    expect(validationError({ post: { id: 1 } }).path).toBe('post.created_at');
    expect(validationError({ post: { id: 1, created_at: 'yesterday' } }).path).toBe('post.created_at');
  });

  it('rejects a payload that is not a post, and other item types', () => {
    expect(validationError(null).path).toBe('post');
    expect(validationError({ post: { id: 1, created_at: '2021-01-01T00:00:00Z' } }, 'discourse.topic').path).toBe('itemType');
  });

  it('skips an unreadable updated_at rather than failing', () => {
    const [draft] = parse({ post: { id: 1, created_at: '2021-01-01T00:00:00Z', updated_at: 'later' } });
    expect(draft!.sourceUpdatedAt).toBeUndefined();
  });
});

// Raw items as `fetch` produces them parse too (round trip through the payload shape).
describe('discourse parse: items from fetch', () => {
  it('parses a RawItem whose payload holds post and topic', () => {
    const response = fixture<{ posts: Json[]; topics: Json[] }>('search_query_response.json');
    const item: RawItem = { externalId: '16', itemType: 'discourse.post', payload: { post: response.posts[0], topic: response.topics[0] } };
    const [draft] = discourseConnector.parse!(item, context) as RecordDraft[];
    expect(draft!.externalId).toBe(item.externalId);
  });
});
