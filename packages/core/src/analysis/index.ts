/**
 * @module @tributary/core/analysis
 * The analyzer interface and the runner that applies analyzers to records. Every record remembers
 * the name and version of each analyzer that produced its analysis, so a new version can re-analyze.
 */
import type { Analysis, ComponentVersion, TributaryRecord } from '../record/schema.js';

/** What an analyzer reads. */
export interface AnalyzerInput {
  /** Title and text joined, HTML already stripped. */
  text: string;
  /** Analysis produced by the analyzers that ran before this one (language first, typically). */
  analysis: Analysis;
  record: TributaryRecord;
}

/** An analyzer: pure and versioned. */
export interface Analyzer {
  readonly name: string;
  /** Semver; bump it when results change, so stored records get re-analyzed. */
  readonly version: string;
  /** Keys of the analysis it writes, e.g. `['sentiment']`. */
  readonly provides: readonly string[];
  analyze(input: AnalyzerInput, context: { signal: AbortSignal }): Partial<Analysis> | Promise<Partial<Analysis>>;
}

/** Identity function that types an analyzer literal. */
export function defineAnalyzer(analyzer: Analyzer): Analyzer {
  return analyzer;
}

/** The text analyzers read from a record: its title and text (measurements have none). */
export function analyzableText(record: TributaryRecord): string {
  const parts = [record.content?.title, record.content?.text].filter((p): p is string => !!p && p.trim() !== '');
  return parts.join('\n');
}

/** True when the record's analysis was made by exactly these analyzer versions. */
export function analyzedBy(record: TributaryRecord, analyzers: readonly Analyzer[]): boolean {
  const have = record.provenance.analyzers;
  return have.length === analyzers.length && analyzers.every((a) => have.some((h) => h.name === a.name && h.version === a.version));
}

/**
 * Runs analyzers in order and returns the record with its analysis and provenance updated.
 * Analysis keys an analyzer does not produce are kept from before (e.g. alerts set by reports).
 */
export async function analyzeRecord(record: TributaryRecord, analyzers: readonly Analyzer[], options: { signal?: AbortSignal; now?: () => Date } = {}): Promise<TributaryRecord> {
  const signal = options.signal ?? new AbortController().signal;
  const text = analyzableText(record);
  let analysis: Analysis = { ...record.analysis };
  const used: ComponentVersion[] = [];
  for (const analyzer of analyzers) {
    const result = await analyzer.analyze({ text, analysis, record }, { signal });
    analysis = { ...analysis, ...result };
    used.push({ name: analyzer.name, version: analyzer.version });
  }
  return {
    ...record,
    analysis,
    provenance: { ...record.provenance, analyzers: used, analyzedAt: (options.now?.() ?? new Date()).toISOString() },
  };
}
