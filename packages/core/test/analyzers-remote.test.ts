import { getEventListeners } from 'node:events';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyzeRecord } from '@tributary/core/analysis';
import { createManualClock, type ManualClock } from '@tributary/core/clock';
import { createLocalLimiter, type RateLimit, type RateLimiter } from '@tributary/core/dispatcher';
import { isTributaryError, type TributaryError } from '@tributary/core/errors';
import { buildRecord } from '@tributary/core/record';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { createLruCache, createRemoteAnalyzer, createStorageCache, type RemoteAnalyzerOptions } from '@tributary/core/analyzers/remote';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const FN = 'https://fn.example.test/analyze';
const OPENAI = 'https://llm.example.test/v1';
const signal = new AbortController().signal;
const input = (text: string) => ({ text, analysis: {}, record: {} as never });
const realTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Drives the manual clock (and the real event loop, for msw) until `promise` settles. */
async function settle<T>(promise: Promise<T>, clock: ManualClock, stepMs = 100): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5000 && !done; i++) {
    await realTick();
    if (!done) await clock.advance(stepMs);
  }
  return promise;
}

async function failure(promise: Promise<unknown>): Promise<TributaryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isTributaryError(error)) throw new Error(`expected a Tributary error, got ${String(error)}`);
  return error;
}

/** A serverless function that records what it received and answers with `answer`. */
function serverless(answer: (body: { text: string; provides: string[] }) => unknown) {
  const received: { text: string; provides: string[] }[] = [];
  server.use(
    http.post(FN, async ({ request }) => {
      const body = (await request.json()) as { text: string; provides: string[] };
      received.push(body);
      return HttpResponse.json(answer(body) as Record<string, unknown>);
    }),
  );
  return received;
}

const sentiment = { label: 'negative', score: -0.6, confidence: 0.8 };
const category = { label: 'bug_report', confidence: 0.9 };

function remote(options: Partial<RemoteAnalyzerOptions> = {}) {
  const clock = createManualClock();
  const analyzer = createRemoteAnalyzer({ url: FN, version: '1.0.0', provides: ['sentiment', 'category'], clock, random: () => 0.5, rateLimit: { perSecond: 100, burst: 100 }, ...options });
  return { clock, analyzer, analyze: (text: string) => settle(Promise.resolve(analyzer.analyze(input(text), { signal })), clock) };
}

describe('remote analyzer: serverless function', () => {
  it('posts the text and keeps only the keys it provides', async () => {
    const received = serverless(() => ({ sentiment, category, topics: ['not asked for'] }));
    const { analyze, analyzer } = remote();
    expect(await analyze('The export crashes')).toEqual({ sentiment, category });
    expect(received).toEqual([{ text: 'The export crashes', provides: ['sentiment', 'category'] }]);
    expect(analyzer).toMatchObject({ name: 'remote', version: '1.0.0', provides: ['sentiment', 'category'] });
  });

  it('leaves no abort listener on the caller\'s long-lived signal after its requests', async () => {
    serverless(() => ({ sentiment, category }));
    const { analyzer, clock } = remote();
    const consumer = new AbortController().signal;
    for (let i = 0; i < 10; i++) await settle(Promise.resolve(analyzer.analyze(input(`text ${i}`), { signal: consumer })), clock);
    // With `AbortSignal.any([signal, timeout])` each request left a dependent signal on `consumer`
    // (Node's internal `kDependantSignals` set, kept as long as `consumer` lives).
    const key = Object.getOwnPropertySymbols(consumer).find((s) => s.description === 'kDependantSignals');
    const dependents = key ? ((consumer as unknown as Record<symbol, Set<unknown> | undefined>)[key]?.size ?? 0) : 0;
    expect({ listeners: getEventListeners(consumer, 'abort').length, dependents }).toEqual({ listeners: 0, dependents: 0 });
  });

  it('sends no request for empty text', async () => {
    const received = serverless(() => ({ sentiment, category }));
    expect(await remote().analyze('   ')).toEqual({});
    expect(received).toHaveLength(0);
  });

  it('can redact personal data before the text leaves the process', async () => {
    const received = serverless(() => ({ sentiment, category }));
    await remote({ redactPersonalData: true }).analyze('Mail me at jane@example.com');
    expect(received[0]!.text).toBe('Mail me at [email]');
  });

  it('validates custom keys with a custom schema', async () => {
    serverless(() => ({ urgency: 'high' }));
    const { z } = await import('zod');
    const { analyze } = remote({ provides: ['urgency'], schema: z.object({ urgency: z.enum(['low', 'high']) }) });
    expect(await analyze('Down for everyone!')).toEqual({ urgency: 'high' });
  });
});

describe('remote analyzer: OpenAI-compatible endpoint', () => {
  function chat(content: string, extra: Record<string, unknown> = {}) {
    const received: { body: Record<string, unknown>; authorization: string | null }[] = [];
    server.use(
      http.post(`${OPENAI}/chat/completions`, async ({ request }) => {
        received.push({ body: (await request.json()) as Record<string, unknown>, authorization: request.headers.get('authorization') });
        return HttpResponse.json({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content, ...extra }, finish_reason: 'stop' }] });
      }),
    );
    return received;
  }
  const llm = (o: Partial<RemoteAnalyzerOptions['openAICompatible']> = {}, provides = ['sentiment', 'category', 'topics']) =>
    remote({ url: undefined, provides, openAICompatible: { baseUrl: `${OPENAI}/`, model: 'small-model', apiKey: 'sk-test', ...o } });

  it('asks for the keys with a JSON schema and parses the answer', async () => {
    const received = chat(JSON.stringify({ sentiment, category, topics: ['export'] }));
    expect(await llm().analyze('The export crashes')).toEqual({ sentiment, category, topics: ['export'] });
    const { body, authorization } = received[0]!;
    expect(authorization).toBe('Bearer sk-test');
    expect(body).toMatchObject({ model: 'small-model', temperature: 0, response_format: { type: 'json_schema', json_schema: { name: 'analysis', strict: true } } });
    const schema = (body.response_format as { json_schema: { schema: { required: string[]; properties: Record<string, unknown> } } }).json_schema.schema;
    expect(schema.required).toEqual(['sentiment', 'category', 'topics']);
    expect(schema.properties.category).toMatchObject({ properties: { label: { enum: ['complaint', 'question', 'feature_request', 'bug_report', 'praise', 'other'] } } });
    const messages = body.messages as { role: string; content: string }[];
    expect(messages[0]!.role).toBe('system');
    expect(messages[0]!.content).toContain('category: {label');
    expect(messages[1]).toEqual({ role: 'user', content: 'The export crashes' });
  });

  it('supports JSON mode and answers wrapped in a Markdown fence', async () => {
    const received = chat('```json\n{"sentiment": {"label": "positive", "score": 0.7, "confidence": 0.9}}\n```');
    expect(await llm({ responseFormat: 'json_object' }, ['sentiment']).analyze('Love it')).toEqual({ sentiment: { label: 'positive', score: 0.7, confidence: 0.9 } });
    expect(received[0]!.body.response_format).toEqual({ type: 'json_object' });
  });

  it('fails with a connector error on a refusal, a cut-off answer or prose', async () => {
    chat('', { refusal: 'I cannot help with that' });
    expect(await failure(llm().analyze('x'))).toMatchObject({ code: 'connector', message: expect.stringContaining('refused') });
    chat('Sure! The sentiment is positive.');
    expect(await failure(llm().analyze('y'))).toMatchObject({ code: 'connector', message: expect.stringContaining('not JSON') });
  });

  it('refuses at creation a key it cannot describe to the model', () => {
    expect(() => createRemoteAnalyzer({ version: '1', provides: ['urgency'], openAICompatible: { baseUrl: OPENAI, model: 'm' } })).toThrow(/no JSON schema for urgency/);
    expect(() => createRemoteAnalyzer({ version: '1', provides: ['urgency'], openAICompatible: { baseUrl: OPENAI, model: 'm', schemas: { urgency: { type: 'string' } } } })).not.toThrow();
    expect(() => createRemoteAnalyzer({ version: '1', provides: ['sentiment'] })).toThrow(/either `url`/);
    expect(() => createRemoteAnalyzer({ version: '1', provides: ['sentiment'], url: FN, openAICompatible: { baseUrl: OPENAI, model: 'm' } })).toThrow(/either `url`/);
  });
});

describe('remote analyzer: bad answers', () => {
  it.each([
    ['a score out of range', { sentiment: { ...sentiment, score: 5 }, category }, 'sentiment.score'],
    ['an unknown label', { sentiment, category: { label: 'rant', confidence: 1 } }, 'category.label'],
    ['a missing key', { sentiment }, 'category'],
    ['not an object', ['sentiment'], ''],
  ])('fails with a connector error on %s, without retrying', async (_, answer, path) => {
    const received = serverless(() => answer);
    const error = await failure(remote().analyze('text'));
    expect(error.code).toBe('connector');
    expect(error.retryable).toBe(true);
    if (path) expect(error.issues.map((i) => i.path)).toContain(path);
    expect(received).toHaveLength(1);
  });

  it('fails with a connector error when the body is not JSON', async () => {
    server.use(http.post(FN, () => new HttpResponse('<html>oops</html>', { headers: { 'content-type': 'text/html' } })));
    expect(await failure(remote().analyze('text'))).toMatchObject({ code: 'connector', message: expect.stringContaining('not JSON') });
  });

  it('makes analyzeRecord fail, so the analyze stage retries the message', async () => {
    serverless(() => ({ nonsense: true }));
    const { analyzer, clock } = remote();
    const record = buildRecord(
      { externalId: '1', itemType: 'post', occurredAt: '2026-01-01T00:00:00Z', content: { text: 'hello' } },
      { workspaceId: 'ws', sourceId: 's', connector: { name: 't', version: '1' } },
    );
    expect(await failure(settle(analyzeRecord(record, [analyzer]), clock))).toMatchObject({ code: 'connector' });
  });
});

describe('remote analyzer: caching by content hash', () => {
  it('answers the same text from the cache without a request', async () => {
    const received = serverless(() => ({ sentiment, category }));
    const { analyze } = remote();
    const first = await analyze('Same text');
    expect(await analyze('Same text')).toEqual(first);
    expect(received).toHaveLength(1);
    await analyze('Other text');
    expect(received).toHaveLength(2);
  });

  it('shares one request between identical texts in flight', async () => {
    const received = serverless(() => ({ sentiment, category }));
    const { analyzer, clock } = remote();
    const both = Promise.all([analyzer.analyze(input('Twice'), { signal }), analyzer.analyze(input('Twice'), { signal })]);
    expect(await settle(both, clock)).toEqual([
      { sentiment, category },
      { sentiment, category },
    ]);
    expect(received).toHaveLength(1);
  });

  it('keys the cache by version, so a new version asks again', async () => {
    const received = serverless(() => ({ sentiment, category }));
    const cache = createLruCache(10);
    await remote({ cache }).analyze('Text');
    await remote({ cache }).analyze('Text');
    expect(received).toHaveLength(1);
    await remote({ cache, version: '1.1.0' }).analyze('Text');
    expect(received).toHaveLength(2);
  });

  it('uses a pluggable cache, such as storage documents, and survives a broken one', async () => {
    const received = serverless(() => ({ sentiment, category }));
    const storage = createMemoryStorage();
    await remote({ cache: createStorageCache(storage) }).analyze('Stored');
    await remote({ cache: createStorageCache(storage) }).analyze('Stored');
    expect(received).toHaveLength(1);
    expect((await storage.listDocuments('analysis-cache', '_global')).items).toHaveLength(1);

    const broken = { get: () => Promise.reject(new Error('down')), set: () => Promise.reject(new Error('down')) };
    expect(await remote({ cache: broken }).analyze('Stored')).toEqual({ sentiment, category });
    await remote({ cache: false }).analyze('Stored');
    expect(received).toHaveLength(3);
  });

  it('forgets the least recently used entry', async () => {
    const cache = createLruCache(2);
    cache.set('a', { topics: ['a'] });
    cache.set('b', { topics: ['b'] });
    cache.get('a');
    cache.set('c', { topics: ['c'] });
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([{ topics: ['a'] }, undefined, { topics: ['c'] }]);
  });
});

describe('remote analyzer: pacing, timeouts and retries', () => {
  it('takes a slot from the given limiter, under its key and limit, for every request', async () => {
    serverless(() => ({ sentiment, category }));
    const calls: [string, RateLimit][] = [];
    const inner = createLocalLimiter();
    const limiter: RateLimiter = { ...inner, acquire: (key, limit, o) => (calls.push([key, limit]), inner.acquire(key, limit, o)) };
    const { analyze } = remote({ limiter, limiterKey: 'llm', rateLimit: { perSecond: 3, burst: 2 } });
    await analyze('a');
    await analyze('b');
    await analyze('a');
    expect(calls).toEqual([
      ['llm', { perSecond: 3, burst: 2 }],
      ['llm', { perSecond: 3, burst: 2 }],
    ]);
  });

  it('never exceeds the rate limit', async () => {
    const times: number[] = [];
    const clock = createManualClock();
    server.use(http.post(FN, () => (times.push(clock.now()), HttpResponse.json({ sentiment, category }))));
    const analyzer = createRemoteAnalyzer({ url: FN, version: '1', provides: ['sentiment', 'category'], clock, rateLimit: { perSecond: 2, burst: 1 } });
    await settle(Promise.all(['a', 'b', 'c', 'd'].map((t) => analyzer.analyze(input(t), { signal }))), clock, 50);
    expect(times).toHaveLength(4);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(500);
    await analyzer.dispose();
  });

  it('times out a request that does not answer, retrying first', async () => {
    let calls = 0;
    server.use(http.post(FN, async () => (calls++, await delay('infinite'), HttpResponse.json({}))));
    const error = await failure(remote({ timeoutMs: 1000, maxAttempts: 2 }).analyze('slow'));
    expect(error.code).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(calls).toBe(2);
  });

  it('honours Retry-After on a 429 by pausing the limiter key', async () => {
    const times: number[] = [];
    const clock = createManualClock();
    server.use(
      http.post(FN, () => {
        times.push(clock.now());
        return times.length === 1 ? new HttpResponse('slow down', { status: 429, headers: { 'retry-after': '3' } }) : HttpResponse.json({ sentiment, category });
      }),
    );
    const pauses: [string, number][] = [];
    const inner = createLocalLimiter({ clock });
    const limiter: RateLimiter = { ...inner, pause: (key, ms) => (pauses.push([key, ms]), inner.pause(key, ms)) };
    const analyzer = createRemoteAnalyzer({ url: FN, version: '1', provides: ['sentiment', 'category'], clock, limiter, limiterKey: 'fn', rateLimit: { perSecond: 100, burst: 100 } });
    expect(await settle(Promise.resolve(analyzer.analyze(input('t'), { signal })), clock)).toEqual({ sentiment, category });
    expect(pauses).toEqual([['fn', 3000]]);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(3000);
  });

  it('retries 5xx with backoff, then gives up with the status as the code', async () => {
    let calls = 0;
    server.use(http.post(FN, () => (++calls, new HttpResponse('down', { status: 503 }))));
    const error = await failure(remote({ maxAttempts: 3 }).analyze('t'));
    expect(calls).toBe(3);
    expect(error).toMatchObject({ code: 'unavailable', retryable: true });
    expect(error.message).toContain('[analyzer:remote]');

    let again = 0;
    server.use(http.post(FN, () => (++again === 1 ? new HttpResponse('oops', { status: 500 }) : HttpResponse.json({ sentiment, category }))));
    expect(await remote().analyze('u')).toEqual({ sentiment, category });
    expect(again).toBe(2);
  });

  it('does not retry a refusal, and does not sleep through a long Retry-After', async () => {
    let calls = 0;
    server.use(http.post(FN, () => (++calls, new HttpResponse('bad key', { status: 401 }))));
    expect(await failure(remote().analyze('t'))).toMatchObject({ code: 'unauthorized' });
    expect(calls).toBe(1);

    server.use(http.post(FN, () => (++calls, new HttpResponse('quota', { status: 429, headers: { 'retry-after': '3600' } }))));
    expect(await failure(remote().analyze('t'))).toMatchObject({ code: 'rate_limited', retryAfterMs: 3_600_000 });
    expect(calls).toBe(2);
  });

  it('keeps API keys out of errors', async () => {
    server.use(http.post(`${OPENAI}/chat/completions`, () => new HttpResponse('no', { status: 403 })));
    const error = await failure(remote({ url: undefined, openAICompatible: { baseUrl: OPENAI, model: 'm', apiKey: 'sk-secret' } }).analyze('t'));
    expect(JSON.stringify({ message: error.message, context: error.context })).not.toContain('sk-secret');
  });
});
