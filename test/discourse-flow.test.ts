// Seed 001's data flow, end to end on the embedded default: a Discourse search pulled page by page,
// parsed into records, analyzed (sentiment, language), stored, rendered in seed 001's parsed layout,
// and summarized in the daily report.
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discourseConnector } from '@tributary/connectors/discourse';
import { sentimentAnalyzer } from '@tributary/core/analyzers/sentiment';
import { languageAnalyzer } from '@tributary/core/analyzers/language';
import { createPipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { dailyReport } from '@tributary/core/reports';
import { recordId } from '@tributary/core/record';
import { toSeed001View } from '@tributary/core/views';
import { fixture, searchPost, searchResponse } from '../packages/connectors/test/fixtures/discourse/factories.js';

const BASE = 'https://forum.example.test';
const seedPost = fixture<Record<string, unknown>>('seed001_post.json');
const texts = ['I love the new editor, it is fantastic!', 'The upload is broken again and I am really frustrated.', 'How do I change my avatar?'];

// Page 1: a full page (50) with seed 001's post; page 2: three more, then the search is exhausted.
const page1 = [{ ...seedPost, topic_id: 45343 }, ...Array.from({ length: 49 }, (_, i) => ({ ...searchPost(900_000 + i, new Date(Date.UTC(2021, 0, 15, 12) - i * 3_600_000).toISOString()), cooked: `<p>${texts[i % 3]}</p>` }))];
const page2 = Array.from({ length: 3 }, (_, i) => ({ ...searchPost(800_000 + i, new Date(Date.UTC(2021, 0, 5) + i * 60_000).toISOString()), cooked: `<p>${texts[i % 3]}</p>` }));

const requests: URL[] = [];
const server = setupServer(
  http.get(`${BASE}/search.json`, ({ request }) => {
    const url = new URL(request.url);
    requests.push(url);
    const page = Number(url.searchParams.get('page') ?? '1');
    if (page === 1) return HttpResponse.json(searchResponse(page1, true));
    if (page === 2) return HttpResponse.json(searchResponse(page2, false));
    return HttpResponse.json(searchResponse([], false));
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('seed 001 flow: Discourse search → records → analysis → report', () => {
  it('yields analyzed records in the seed 001 layout and a daily report', async () => {
    const pipeline = createPipeline({
      storage: createMemoryStorage(),
      queue: createMemoryQueue(),
      connectors: [discourseConnector],
      analyzers: [languageAnalyzer, sentimentAnalyzer],
    });
    const source = await pipeline.sources.create('1', {
      name: 'Discourse meta',
      connector: 'discourse',
      config: { baseUrl: BASE, searchTerm: 'test', after: '2021-01-01', before: '2021-02-20' },
    });
    await pipeline.start();
    const { runId } = await pipeline.trigger('1', source.id);
    await pipeline.drain({ timeoutMs: 20_000 });

    expect(await pipeline.getRun('1', runId)).toMatchObject({ status: 'succeeded', pages: 2, items: 53 });
    // the request of seed 001: search term, date range, page
    expect(requests[0]!.searchParams.get('page')).toBe('1');
    expect(requests[0]!.searchParams.get('q')).toContain('test after:2021-01-01 before:2021-02-20');

    const stored = await pipeline.storage.queryRecords({ workspaceId: '1', limit: 1000 });
    expect(stored.items).toHaveLength(53);
    expect(stored.items.every((r) => r.analysis.sentiment && r.analysis.language)).toBe(true);

    const record = await pipeline.storage.getRecord('1', recordId('1', source.id, '872227'));
    expect(record).not.toBeNull();
    const view = toSeed001View(record!);
    expect(view.core_attributes).toMatchObject({ language: 'English', tenant_info: '1', source_info: 'DiscoursePost' });
    expect(view.user_attributes).toMatchObject({ email: null, feedback_platform_user_id: 79907 });
    expect(view.context_info.timestamp).toBe('2021-01-11T03:24:05.977Z');
    expect(['positive', 'negative', 'neutral']).toContain(view.conversation_attributes.sentiment_type);
    expect(Number.isInteger(view.conversation_attributes.sentiment_score)).toBe(true);
    expect(view.unique_identifier).toMatch(/^-?\d+$/);

    // the analyzers read the texts the way a person would
    const byText = new Map(stored.items.map((r) => [r.content?.text, r.analysis.sentiment?.label]));
    expect(byText.get(texts[0])).toBe('positive');
    expect(byText.get(texts[1])).toBe('negative');

    const report = await dailyReport(pipeline.storage, { workspaceId: '1', from: '2021-01-01', to: '2021-02-20' });
    expect(report.rows.reduce((n, r) => n + r.count, 0)).toBe(53);
    const day = report.rows.find((r) => r.day === '2021-01-15');
    const onDay = stored.items.filter((r) => r.occurredAt.startsWith('2021-01-15'));
    expect(day?.count).toBe(onDay.length);
    const mean = onDay.reduce((s, r) => s + r.analysis.sentiment!.score, 0) / onDay.length;
    expect(day?.averageSentiment).toBeCloseTo(mean, 3);

    // a second pull finds the same posts again (lookback overlap) and stores nothing twice
    await pipeline.trigger('1', source.id);
    await pipeline.drain({ timeoutMs: 20_000 });
    expect((await pipeline.storage.queryRecords({ workspaceId: '1', limit: 1000 })).items).toHaveLength(53);
    await pipeline.stop();
    await pipeline.queue.dispose();
  });
});
