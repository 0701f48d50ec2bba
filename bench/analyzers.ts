/**
 * Speed of each built-in analyzer, and of the default set (called directly one after the other, and
 * through `analyzeRecord`, which adds its awaits and provenance), on the four VADER sets, on one thread. Also prints what the analyzers found (categories, top topics, flags), as a
 * sanity check on real text.
 *
 *   node --conditions=@tributary/source --import tsx bench/analyzers.ts [--rounds N]
 *
 * --rounds   timed passes over each set per analyzer; the best pass is reported (default 3), which
 *            filters out the pauses of a machine busy with other work
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeRecord } from '@tributary/core/analysis';
import { defaultAnalyzers } from '@tributary/core/analyzers/defaults';
import { buildRecord, type Analysis, type TributaryRecord } from '@tributary/core/record';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = resolve(root, '../shared/data/sentiment/vader');
const SETS = [
  { name: 'tweets', file: 'tweets_GroundTruth.txt' },
  { name: 'amazon', file: 'amazonReviewSnippets_GroundTruth.txt' },
  { name: 'movie', file: 'movieReviewSnippets_GroundTruth.txt' },
  { name: 'nyt', file: 'nytEditorialSnippets_GroundTruth.txt' },
] as const;
const GOAL_DOCS_PER_SECOND = 5000;

if (!existsSync(dataDir)) {
  console.log(`bench/analyzers: skipped, the VADER sets are not at ${dataDir} (they come with ../shared/data).`);
  process.exit(0);
}

const args = process.argv.slice(2);
const rounds = args.includes('--rounds') ? Math.max(1, Number(args[args.indexOf('--rounds') + 1]) || 3) : 3;
const signal = new AbortController().signal;
const analyzers = defaultAnalyzers();

interface Timing {
  set: string;
  analyzer: string;
  n: number;
  docsPerSecond: number;
}

const timings: Timing[] = [];
const findings: string[] = [];
for (const set of SETS) {
  const texts = readFileSync(join(dataDir, set.file), 'utf8')
    .split(/\r?\n/)
    .map((line) => line.split('\t').slice(2).join('\t'))
    .filter((text) => text.trim() !== '');
  const records = texts.map((text, i) =>
    buildRecord({ externalId: String(i), itemType: 'bench.text', occurredAt: '2026-01-01T00:00:00Z', content: { text } }, { workspaceId: 'bench', sourceId: set.name, connector: { name: 'bench', version: '1' } }),
  );
  for (const analyzer of analyzers) {
    const run = () => {
      for (const record of records) analyzer.analyze({ text: record.content!.text!, analysis: {}, record }, { signal });
    };
    timings.push({ set: set.name, analyzer: analyzer.name, n: texts.length, docsPerSecond: texts.length / best(run) });
  }
  const chained = () => {
    for (const record of records) {
      let analysis: Analysis = {};
      for (const analyzer of analyzers) analysis = { ...analysis, ...(analyzer.analyze({ text: record.content!.text!, analysis, record }, { signal }) as Partial<Analysis>) };
    }
  };
  timings.push({ set: set.name, analyzer: 'default set (direct calls)', n: texts.length, docsPerSecond: texts.length / best(chained) });
  let analyzed: TributaryRecord[] = [];
  const seconds = await bestAsync(async () => {
    analyzed = [];
    for (const record of records) analyzed.push(await analyzeRecord(record, analyzers, { signal }));
  });
  timings.push({ set: set.name, analyzer: 'default set (analyzeRecord)', n: texts.length, docsPerSecond: texts.length / seconds });
  findings.push(describe(set.name, analyzed.map((r) => r.analysis)));
}

const names = [...new Set(timings.map((t) => t.analyzer))];
const header = ['analyzer', ...SETS.map((s) => `${s.name} (${timings.find((t) => t.set === s.name)!.n})`), 'slowest'];
const rows = names.map((name) => {
  const mine = timings.filter((t) => t.analyzer === name);
  const slowest = Math.min(...mine.map((t) => t.docsPerSecond));
  return [name, ...SETS.map((s) => fmt(mine.find((t) => t.set === s.name)!.docsPerSecond)), `${fmt(slowest)}${slowest >= GOAL_DOCS_PER_SECOND ? '' : ' (below goal)'}`];
});
console.log(`Documents per second, one thread, best of ${rounds} passes (goal ≥ ${GOAL_DOCS_PER_SECOND.toLocaleString('en-US')}):\n`);
console.log(table([header, ...rows]));
console.log('\nWhat the default set found:\n');
console.log(findings.join('\n'));

/** Seconds of the fastest of `rounds` passes, after one warm-up pass. */
function best(run: () => void): number {
  run();
  let fastest = Infinity;
  for (let i = 0; i < rounds; i++) {
    const started = process.hrtime.bigint();
    run();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return fastest;
}

async function bestAsync(run: () => Promise<void>): Promise<number> {
  await run();
  let fastest = Infinity;
  for (let i = 0; i < rounds; i++) {
    const started = process.hrtime.bigint();
    await run();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return fastest;
}

function describe(set: string, results: readonly Analysis[]): string {
  const count = <K extends string>(keys: (K | undefined)[]) => {
    const m = new Map<K, number>();
    for (const k of keys) if (k !== undefined) m.set(k, (m.get(k) ?? 0) + 1);
    return [...m].sort((a, b) => b[1] - a[1]);
  };
  const pct = (x: number) => `${((100 * x) / results.length).toFixed(1)} %`;
  const categories = count(results.map((a) => a.category?.label)).map(([k, v]) => `${k} ${pct(v)}`);
  const topics = count(results.flatMap((a) => a.topics ?? []))
    .slice(0, 8)
    .map(([k, v]) => `${k} (${v})`);
  const flagged = results.filter((a) => a.moderation?.flagged).length;
  const profane = results.filter((a) => a.moderation?.profanity).length;
  const personal = results.filter((a) => (a.moderation?.personalData.length ?? 0) > 0).length;
  return [
    `${set}:`,
    `  categories: ${categories.join(', ')}`,
    `  top topics: ${topics.join(', ')}`,
    `  moderation: ${pct(flagged)} flagged, ${pct(profane)} with profanity, ${pct(personal)} with personal data`,
  ].join('\n');
}

function fmt(x: number): string {
  return Math.round(x / 100) * 100 >= 1000 ? (Math.round(x / 100) * 100).toLocaleString('en-US') : String(Math.round(x));
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w, c) => (c === 0 ? ':' : '') + '-'.repeat(w + 1) + (c === 0 ? '' : ':')).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
