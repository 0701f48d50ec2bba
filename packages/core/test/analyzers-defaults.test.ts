import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeRecord, analyzedBy } from '@tributary/core/analysis';
import { AnalysisSchema, buildRecord } from '@tributary/core/record';
import { defaultAnalyzers } from '@tributary/core/analyzers/defaults';
import { redactRecord } from '@tributary/core/analyzers/moderation';

const origin = { workspaceId: 'ws', sourceId: 'forum', connector: { name: 'test', version: '1.0.0' }, receivedAt: '2026-01-05T10:01:00Z', parsedAt: '2026-01-05T10:01:00Z' };
const feedback = (text: string, title?: string) =>
  buildRecord({ externalId: text.slice(0, 20), itemType: 'forum.post', occurredAt: '2026-01-05T10:00:00Z', content: { title: title ?? null, text } }, origin);

describe('default analyzers', () => {
  it('are language, sentiment, keyphrases, category and moderation, in that order', () => {
    expect(defaultAnalyzers().map((a) => a.name)).toEqual(['language', 'sentiment', 'keyphrases', 'category', 'moderation']);
    for (const a of defaultAnalyzers()) expect(a.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('analyze a record with no configuration and no network', async () => {
    const fetchBefore = globalThis.fetch;
    globalThis.fetch = () => Promise.reject(new Error('no network in this test'));
    try {
      const record = feedback('Since the last update, uploading files crashes the app every time. Please fix it, it is really annoying!', 'File upload crashes');
      const analyzed = await analyzeRecord(record, defaultAnalyzers(), { now: () => new Date('2026-01-05T10:02:00Z') });
      const { analysis } = analyzed;
      expect(AnalysisSchema.parse(analysis)).toEqual(analysis);
      expect(analysis.language?.code).toBe('en');
      expect(analysis.sentiment?.label).toBe('negative');
      expect(analysis.topics?.[0]).toBe('file upload');
      expect(analysis.category?.label).toBe('bug_report');
      expect(analysis.moderation).toEqual({ flagged: false, toxicity: expect.any(Number), profanity: false, personalData: [] });
      expect(analyzed.provenance.analyzers.map((a) => a.name)).toEqual(['language', 'sentiment', 'keyphrases', 'category', 'moderation']);
      expect(analyzedBy(analyzed, defaultAnalyzers())).toBe(true);
    } finally {
      globalThis.fetch = fetchBefore;
    }
  });

  it('category reads the sentiment that runs before it', async () => {
    const { analysis } = await analyzeRecord(feedback('The onboarding took an hour and a half, absolutely terrible experience.'), defaultAnalyzers());
    expect(analysis.sentiment?.label).toBe('negative');
    expect(analysis.category?.label).toBe('complaint');
  });

  it('leave other languages to what works on them', async () => {
    const { analysis } = await analyzeRecord(feedback('Der Datei-Upload funktioniert seit dem letzten Update nicht mehr. Wie kann ich das beheben?'), defaultAnalyzers());
    expect(analysis.language?.code).toBe('de');
    expect(analysis.topics).toEqual([]);
    expect(analysis.category).toEqual({ label: 'question', confidence: 0.4 });
  });

  it('take options per analyzer and can leave one out', async () => {
    const analyzers = defaultAnalyzers({ keyphrases: false, moderation: { redact: true } });
    expect(analyzers.map((a) => a.name)).toEqual(['language', 'sentiment', 'category', 'moderation']);
    const analyzed = await analyzeRecord(feedback('Call me on +44 20 7946 0958 about my order, thanks'), analyzers);
    expect(analyzed.analysis.moderation).toMatchObject({ redacted: true, personalData: [{ kind: 'phone', count: 1 }] });
    expect(redactRecord(analyzed).content?.text).toBe('Call me on [phone] about my order, thanks');
  });

  it('print nothing and touch no files when imported', () => {
    const script = [
      "import fs from 'node:fs';",
      "import { syncBuiltinESMExports } from 'node:module';",
      'const touched = [];',
      "for (const name of ['readFileSync', 'readFile', 'openSync', 'existsSync', 'statSync']) { const original = fs[name]; fs[name] = (...args) => { touched.push(name); return original(...args); }; }",
      'syncBuiltinESMExports();',
      "for (const sub of ['defaults', 'keyphrases', 'category', 'moderation', 'remote']) await import('@tributary/core/analyzers/' + sub);",
      "if (touched.length) process.stderr.write('touched ' + touched.join(','));",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--conditions=@tributary/source', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });
});
