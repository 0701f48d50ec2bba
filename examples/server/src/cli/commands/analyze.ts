/**
 * @module cli/commands/analyze
 * `tributary analyze`: NDJSON `{id, text}` on stdin → NDJSON `{id, analysis, analyzers}` on stdout,
 * with the server's analyzers (the default set: language, sentiment, keyphrases, category,
 * moderation). Streaming in bounded memory: one line at a time is read (longer than
 * `--max-line-bytes` is reported and skipped), and output waits for a slow reader. Lines that are not
 * JSON or lack an id or a text are reported on stderr with their line number and skipped.
 */
import { analyzeRecord, type Analyzer } from '@tributary/core/analysis';
import type { TributaryRecord } from '@tributary/core/record';
import { readNdjson } from '@tributary/connectors/file';
import { loadRegistry } from '../../registry.js';
import { EXIT, UsageError, intOption, parseCommand, stringOption } from '../args.js';
import { createLineWriter, say } from '../output.js';
import { createProgress } from '../progress.js';
import { analyzeSpec } from '../specs.js';


/** Picks the analyzers the user named. @throws UsageError */
function pick(all: Analyzer[], names: string | undefined): Analyzer[] {
  if (!names) return all;
  const wanted = names.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = wanted.filter((n) => !all.some((a) => a.name === n));
  if (unknown.length > 0) throw new UsageError(`unknown analyzer ${unknown.join(', ')}: available are ${all.map((a) => a.name).join(', ')}`, 'analyze');
  // The registry's order, whatever the order given: later analyzers read what earlier ones found.
  return all.filter((a) => wanted.includes(a.name));
}

type Input = { id: string | number; text: string; title?: string; language?: string };

/** Why a parsed line cannot be analyzed, or the input it holds. */
function toInput(value: unknown): Input | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected a JSON object {"id", "text"}';
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' && typeof v.id !== 'number') return 'missing "id" (a string or a number)';
  if (typeof v.id === 'string' && v.id.length === 0) return '"id" is empty';
  if (typeof v.text !== 'string') return 'missing "text" (a string)';
  if (v.title !== undefined && typeof v.title !== 'string') return '"title" must be a string';
  if (v.language !== undefined && (typeof v.language !== 'string' || !/^[a-z]{2,3}$/.test(v.language))) return '"language" must be an ISO 639-1 code such as "en"';
  return { id: v.id, text: v.text, ...(typeof v.title === 'string' ? { title: v.title } : {}), ...(typeof v.language === 'string' ? { language: v.language } : {}) };
}

/**
 * The record the analyzers read. Built directly rather than through `buildRecord`: its validation of
 * every field (two schema parses) would cost more than the analysis, and only the text, title and
 * declared language come from the input, already checked by {@link toInput}.
 */
function toRecord(input: Input, at: string): TributaryRecord {
  const externalId = String(input.id);
  return {
    schemaVersion: 1,
    id: externalId,
    workspaceId: 'cli',
    sourceId: 'stdin',
    externalId,
    kind: 'feedback',
    itemType: 'cli.text',
    occurredAt: at,
    ...(input.language ? { language: input.language } : {}),
    content: { text: input.text, ...(input.title ? { title: input.title } : {}) },
    attributes: { review: {}, conversation: {}, metadata: {} },
    tags: [],
    receivedAt: at,
    contentHash: '',
    revision: 1,
    analysis: {},
    provenance: { connector: { name: 'cli', version: '1' }, analyzers: [], parsedAt: at },
  } as TributaryRecord;
}

export async function analyzeCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(analyzeSpec, argv);
  const maxLineBytes = intOption(values, 'max-line-bytes', 'analyze', 1024 * 1024, 16);
  const quiet = values.quiet === true;
  const registry = await loadRegistry({ fileRoot: process.cwd() });
  const analyzers = pick(registry.analyzers, stringOption(values, 'analyzers'));
  if (analyzers.length === 0) {
    say('tributary analyze: no analyzer is installed');
    return EXIT.failure;
  }

  const out = createLineWriter(process.stdout);
  const progress = createProgress({ label: 'analyze', unit: 'texts', quiet });
  const signal = new AbortController().signal;
  const occurredAt = new Date().toISOString();
  let analyzed = 0;
  let skipped = 0;
  for await (const entry of readNdjson(process.stdin, { maxLineBytes })) {
    const input = entry.kind === 'row' ? toInput(entry.value) : entry.message;
    if (typeof input === 'string') {
      skipped++;
      progress.clear();
      say(`line ${entry.line}: ${input}; skipped`);
      continue;
    }
    const result = await analyzeRecord(toRecord(input, occurredAt), analyzers, { signal });
    const wait = out.line(JSON.stringify({ id: input.id, analysis: result.analysis, analyzers: result.provenance.analyzers }));
    if (wait) await wait;
    analyzed++;
    if ((analyzed & 255) === 0) progress.update(analyzed);
  }
  await out.flush();
  if (quiet) progress.clear();
  else progress.done(`analyze: ${analyzed.toLocaleString('en-US')} analyzed${skipped ? `, ${skipped.toLocaleString('en-US')} invalid line${skipped === 1 ? '' : 's'} skipped` : ''}`);
  return EXIT.ok;
}
