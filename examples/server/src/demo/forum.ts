/**
 * @module demo/forum
 * A simulated Discourse forum: a few weeks of posts (with a bad release in the middle, so the
 * dashboard has a spike to show), new posts while it runs, and the parts of Discourse's API the
 * connector uses — `/search.json` (50 posts a page, `after:`/`before:`/`order:latest`),
 * `/posts.json?before=`, `/about.json`, `/session/current.json` — behind an API key and a rate
 * limit that answers 429 with `Retry-After` and Discourse's `extras.wait_seconds`, as a real forum does.
 */
import { FEEDBACK, INCIDENT_THEMES, MEMBERS, TOPIC_TITLES, type FeedbackText, type Theme } from './corpus.js';
import { between, pick, seededRandom } from './random.js';

const DAY_MS = 86_400_000;
/** Discourse's page size for `/search.json` and `/posts.json`. */
export const FORUM_PAGE_SIZE = 50;
/** Ids of posts created while the forum runs start here: above any history, and growing across restarts. */
const LIVE_ID_BASE = 1_000_000;

export interface ForumTopic {
  id: number;
  title: string;
  slug: string;
  theme: Theme;
  categoryId: number;
  tags: string[];
}

export interface ForumPost {
  id: number;
  topicId: number;
  postNumber: number;
  userId: number;
  username: string;
  name: string;
  createdAt: string;
  text: string;
  likeCount: number;
}

/** Options of {@link createForum}. */
export interface ForumOptions {
  /** End of the generated history (ms). Keep it across restarts so the history stays the same. @default now */
  epoch?: number;
  /** Days of history before `epoch`. @default 21 */
  historyDays?: number;
  /** Posts per ordinary day, on average. @default 7 */
  postsPerDay?: number;
  /** Days before `epoch` of the bad release (a burst of complaints); null for none. @default 3 */
  incidentDaysAgo?: number | null;
  /** Seed of the history. @default 42 */
  seed?: number;
  /** The `Api-Key` requests must carry; unset: anonymous access allowed. */
  apiKey?: string;
  /** Requests allowed per window, per client; false: no limit. @default { requests: 4, perMs: 2000 } */
  rateLimit?: { requests: number; perMs: number } | false;
  now?: () => number;
}

/** An HTTP answer of the simulator. */
export interface SimAnswer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** Counters, for the demo's log and the tests. */
export interface ForumStats {
  requests: number;
  rateLimited: number;
  unauthorized: number;
  byPath: Record<string, number>;
}

export interface Forum {
  readonly topics: readonly ForumTopic[];
  /** Oldest first. */
  readonly posts: readonly ForumPost[];
  readonly stats: ForumStats;
  /** Adds a post now (a member writing), with a text of the corpus unless given. */
  addPost(input?: Partial<Pick<ForumPost, 'text' | 'username'>> & { theme?: Theme }): ForumPost;
  topicOf(post: ForumPost): ForumTopic;
  /** The post as Discourse serializes it in `/posts.json` and in webhooks. */
  serialize(post: ForumPost): Record<string, unknown>;
  handle(request: { method: string; url: string; headers: Record<string, string | string[] | undefined> }): SimAnswer;
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const slugify = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
const header = (headers: Record<string, string | string[] | undefined>, name: string) => {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

/** Builds the forum and its history. */
export function createForum(options: ForumOptions = {}): Forum {
  const now = options.now ?? Date.now;
  const epoch = options.epoch ?? now();
  const random = seededRandom(options.seed ?? 42);
  const rateLimit = options.rateLimit === undefined ? { requests: 4, perMs: 2000 } : options.rateLimit;
  const stats: ForumStats = { requests: 0, rateLimited: 0, unauthorized: 0, byPath: {} };

  const themes = Object.keys(TOPIC_TITLES) as Theme[];
  const topics: ForumTopic[] = themes.flatMap((theme, t) =>
    TOPIC_TITLES[theme].map((title, i) => ({ id: 1000 + t * 10 + i, title, slug: slugify(title), theme, categoryId: 5 + (t % 4), tags: [theme] })),
  );
  const topicsById = new Map(topics.map((t) => [t.id, t]));
  const postCounts = new Map<number, number>();
  const posts: ForumPost[] = [];

  const draft = (rnd: () => number, createdAt: number, feedback: FeedbackText, username?: string): Omit<ForumPost, 'id'> => {
    const topic = pick(rnd, topics.filter((t) => t.theme === feedback.theme));
    const memberIndex = username ? Math.max(0, MEMBERS.findIndex(([u]) => u === username)) : between(rnd, 0, MEMBERS.length - 1);
    const [user, name] = username && !MEMBERS.some(([u]) => u === username) ? [username, username] : MEMBERS[memberIndex]!;
    const postNumber = (postCounts.get(topic.id) ?? 0) + 1;
    postCounts.set(topic.id, postNumber);
    return { topicId: topic.id, postNumber, userId: 100 + memberIndex, username: user, name, createdAt: new Date(createdAt).toISOString(), text: feedback.text, likeCount: between(rnd, 0, 12) };
  };

  // History: ordinary days, plus the bad release's burst of complaints about sync and login.
  const historyDays = options.historyDays ?? 21;
  const perDay = options.postsPerDay ?? 7;
  const incident = options.incidentDaysAgo === undefined ? 3 : options.incidentDaysAgo;
  const complaints = FEEDBACK.filter((f) => INCIDENT_THEMES.includes(f.theme) && (f.kind === 'complaint' || f.kind === 'bug'));
  const history: { at: number; feedback: FeedbackText }[] = [];
  const dayStart = (daysAgo: number) => Math.floor((epoch - daysAgo * DAY_MS) / DAY_MS) * DAY_MS;
  for (let daysAgo = historyDays; daysAgo >= 1; daysAgo--) {
    const weekend = new Date(dayStart(daysAgo)).getUTCDay() % 6 === 0;
    const count = Math.max(1, Math.round(perDay * (weekend ? 0.5 : 1) + (random() - 0.5) * 4));
    for (let i = 0; i < count; i++) history.push({ at: dayStart(daysAgo) + between(random, 7, 21) * 3_600_000 + between(random, 0, 3_599) * 1000, feedback: pick(random, FEEDBACK) });
    if (daysAgo === incident) {
      for (let i = 0; i < perDay * 4; i++) history.push({ at: dayStart(daysAgo) + between(random, 9, 20) * 3_600_000 + between(random, 0, 3_599) * 1000, feedback: pick(random, complaints) });
    }
  }
  history.sort((a, b) => a.at - b.at);
  for (const h of history) posts.push({ id: posts.length + 1, ...draft(random, h.at, h.feedback) });

  let lastLiveId = LIVE_ID_BASE + Math.floor((now() - epoch) / 1000);
  const windows = new Map<string, number[]>();

  const serialize = (post: ForumPost): Record<string, unknown> => {
    const topic = topicsById.get(post.topicId)!;
    return {
      id: post.id,
      name: post.name,
      username: post.username,
      avatar_template: `/user_avatar/forum.tidepool.test/${post.username}/{size}/1_2.png`,
      created_at: post.createdAt,
      updated_at: post.createdAt,
      cooked: `<p>${escapeHtml(post.text)}</p>`,
      raw: post.text,
      post_number: post.postNumber,
      post_type: 1,
      reply_count: 0,
      reply_to_post_number: post.postNumber > 1 ? 1 : null,
      reads: post.likeCount * 3 + 1,
      score: post.likeCount * 5,
      like_count: post.likeCount,
      topic_id: topic.id,
      topic_slug: topic.slug,
      topic_title: topic.title,
      topic_archetype: 'regular',
      category_id: topic.categoryId,
      user_id: post.userId,
      trust_level: 1 + (post.userId % 3),
    };
  };

  const searchResult = (post: ForumPost) => ({
    id: post.id,
    name: post.name,
    username: post.username,
    avatar_template: `/user_avatar/forum.tidepool.test/${post.username}/{size}/1_2.png`,
    created_at: post.createdAt,
    like_count: post.likeCount,
    blurb: escapeHtml(post.text),
    post_number: post.postNumber,
    topic_id: post.topicId,
  });

  const topicJson = (topic: ForumTopic) => ({
    id: topic.id,
    title: topic.title,
    fancy_title: escapeHtml(topic.title),
    slug: topic.slug,
    posts_count: postCounts.get(topic.id) ?? 0,
    category_id: topic.categoryId,
    tags: topic.tags,
    archetype: 'regular',
  });

  /** A sliding window per client; the answer Discourse gives past it. */
  const throttle = (client: string): SimAnswer | undefined => {
    if (!rateLimit) return undefined;
    const t = now();
    const recent = (windows.get(client) ?? []).filter((at) => at > t - rateLimit.perMs);
    if (recent.length >= rateLimit.requests) {
      windows.set(client, recent);
      stats.rateLimited++;
      const waitSeconds = Math.max(1, Math.ceil((recent[0]! + rateLimit.perMs - t) / 1000));
      return {
        status: 429,
        headers: { 'retry-after': String(waitSeconds) },
        body: { errors: [`You’ve performed this action too many times. Please wait ${waitSeconds} seconds before trying again.`], error_type: 'rate_limit', extras: { wait_seconds: waitSeconds, time_left: `${waitSeconds} seconds` } },
      };
    }
    recent.push(t);
    windows.set(client, recent);
    return undefined;
  };

  const search = (params: URLSearchParams): SimAnswer => {
    const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
    const terms: string[] = [];
    let after: string | undefined;
    let before: string | undefined;
    for (const token of (params.get('q') ?? '').split(/\s+/).filter(Boolean)) {
      if (token.startsWith('after:')) after = token.slice(6);
      else if (token.startsWith('before:')) before = token.slice(7);
      else if (!token.includes(':') && !token.startsWith('#')) terms.push(token.toLowerCase());
    }
    const matching = posts
      .filter((p) => (!after || p.createdAt >= after) && (!before || p.createdAt < before) && terms.every((term) => p.text.toLowerCase().includes(term)))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id - a.id));
    const slice = matching.slice((page - 1) * FORUM_PAGE_SIZE, page * FORUM_PAGE_SIZE);
    const more = matching.length > page * FORUM_PAGE_SIZE;
    const topicIds = [...new Set(slice.map((p) => p.topicId))];
    return {
      status: 200,
      body: {
        posts: slice.map(searchResult),
        topics: topicIds.map((id) => topicJson(topicsById.get(id)!)),
        users: [],
        categories: [],
        tags: [],
        groups: [],
        grouped_search_result: { more_posts: null, more_users: null, more_categories: null, term: params.get('q') ?? '', search_log_id: 1, more_full_page_results: more ? true : null, can_create_topic: false, error: null, post_ids: slice.map((p) => p.id) },
      },
    };
  };

  const latestPosts = (params: URLSearchParams): SimAnswer => {
    const before = params.has('before') ? Number(params.get('before')) : Infinity;
    const page = posts
      .filter((p) => p.id <= before)
      .sort((a, b) => b.id - a.id)
      .slice(0, FORUM_PAGE_SIZE);
    return { status: 200, body: { latest_posts: page.map(serialize) } };
  };

  return {
    topics,
    posts,
    stats,
    addPost(input = {}) {
      const rnd = seededRandom(lastLiveId + 1);
      const pool = input.theme ? FEEDBACK.filter((f) => f.theme === input.theme) : FEEDBACK;
      const feedback = input.text ? { ...pick(rnd, pool), text: input.text } : pick(rnd, pool);
      lastLiveId = Math.max(lastLiveId + 1, LIVE_ID_BASE + Math.floor((now() - epoch) / 1000));
      const post = { id: lastLiveId, ...draft(rnd, now(), feedback, input.username) };
      posts.push(post);
      return post;
    },
    topicOf: (post) => topicsById.get(post.topicId)!,
    serialize,
    handle(request) {
      const url = new URL(request.url, 'http://forum.invalid');
      stats.requests++;
      stats.byPath[url.pathname] = (stats.byPath[url.pathname] ?? 0) + 1;
      if (request.method !== 'GET') return { status: 405, body: { errors: ['method not allowed'] } };
      const key = header(request.headers, 'api-key');
      if (options.apiKey !== undefined && key !== options.apiKey) {
        stats.unauthorized++;
        return { status: 403, body: { errors: ['You are not permitted to view the requested resource. The API username or key is invalid.'], error_type: 'invalid_access' } };
      }
      const throttled = throttle(key ?? 'anonymous');
      if (throttled) return throttled;
      switch (url.pathname) {
        case '/search.json':
          return search(url.searchParams);
        case '/posts.json':
          return latestPosts(url.searchParams);
        case '/about.json':
          return { status: 200, body: { about: { title: 'Tidepool Community', description: 'Questions, ideas and bug reports about Tidepool', version: '3.4.0' } } };
        case '/session/current.json':
          return key ? { status: 200, body: { current_user: { id: 1, username: header(request.headers, 'api-username') ?? 'system', admin: true } } } : { status: 404, body: { errors: ['not found'] } };
        default:
          return { status: 404, body: { errors: ['The requested URL or resource could not be found.'], error_type: 'not_found' } };
      }
    },
  };
}
