import { topicKey } from './canonical.js';
import { tokenize, type Token } from './tokenize.js';
import { GENERIC_TOPICS, PREDICATE_ADJECTIVES } from './words.js';

/** A keyphrase and how much it stands out in its text. */
export interface Keyphrase {
  /** Lower case, plurals made singular, e.g. `upload of file`. */
  phrase: string;
  /** Frequency weighted by position (earlier counts more) and length (longer is more specific). */
  score: number;
  /** The topic key the phrase groups under, e.g. `file upload`. */
  topic: string;
}

/** Settings of {@link extractKeyphrases}. */
export interface ExtractSettings {
  maxKeyphrases: number;
  maxTopics: number;
}

/** A run of words a phrase may come from, and where "of" joined two of them. */
interface Run {
  tokens: Token[];
  /** Index of the first token after each "of". */
  joins: number[];
  /** Index of the run's first token in the text, for the position weight. */
  start: number;
}

interface Candidate {
  phrase: string;
  topic: string;
  words: number;
  count: number;
  weight: number;
  /** Phrases inside this one, which it makes redundant when they never occur on their own. */
  parts: string[];
}

/** More words make a more specific phrase, with diminishing returns. */
const LENGTH_BOOST = [0, 1, 1.5, 1.8] as const;

/**
 * Extracts keyphrases and topics from one text. Deterministic: ties are broken alphabetically.
 * Phrases are 1–3 words between stopwords and punctuation (one "of" may join two words); a phrase
 * found only inside a longer one is dropped in favour of the longer.
 */
export function extractKeyphrases(text: string, settings: ExtractSettings): { keyphrases: Keyphrase[]; topics: string[] } {
  const tokens = tokenize(text);
  const candidates = new Map<string, Candidate>();
  const total = Math.max(1, tokens.length);
  for (const run of runs(tokens)) {
    forEachSpan(run, (span, ofAt, offset, parts) => {
      const phrase = phraseOf(span, ofAt);
      let c = candidates.get(phrase);
      if (!c) {
        c = { phrase, topic: topicKey(span, ofAt), words: span.length, count: 0, weight: 0, parts: parts() };
        candidates.set(phrase, c);
      }
      c.count++;
      // 1 at the start of the text (where titles and first sentences state the subject), 0.5 at the end.
      c.weight += 1 - (0.5 * (run.start + offset)) / total;
    });
  }
  const covered = new Map<string, number>();
  for (const c of candidates.values()) for (const part of c.parts) covered.set(part, Math.max(covered.get(part) ?? 0, c.count));
  const kept = [...candidates.values()]
    // A phrase never found on its own, or a word too vague to say anything ("app", "time"), is left out.
    .filter((c) => (covered.get(c.phrase) ?? 0) < c.count && !(c.words === 1 && GENERIC_TOPICS.has(c.phrase)))
    .map((c) => ({ phrase: c.phrase, topic: c.topic, score: round(c.weight * LENGTH_BOOST[c.words as 1 | 2 | 3]) }))
    .sort(byScore);

  const topicScores = new Map<string, number>();
  for (const k of kept) {
    if (k.topic.length < 3 || GENERIC_TOPICS.has(k.topic)) continue;
    topicScores.set(k.topic, (topicScores.get(k.topic) ?? 0) + k.score);
  }
  const topics: string[] = [];
  for (const t of [...topicScores].map(([phrase, score]) => ({ phrase, score })).sort(byScore)) {
    if (topics.length >= settings.maxTopics) break;
    // "file" after "file upload" says nothing new.
    const words = t.phrase.split(' ');
    if (topics.some((chosen) => words.every((w) => chosen.split(' ').includes(w)))) continue;
    topics.push(t.phrase);
  }
  return { keyphrases: kept.slice(0, settings.maxKeyphrases), topics };
}

function byScore(a: { phrase: string; score: number }, b: { phrase: string; score: number }): number {
  return b.score - a.score || (a.phrase < b.phrase ? -1 : a.phrase > b.phrase ? 1 : 0);
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** Splits the tokens into runs of words that may form phrases. */
function runs(tokens: readonly Token[]): Run[] {
  const out: Run[] = [];
  let run: Run = { tokens: [], joins: [], start: 0 };
  let pendingOf = false;
  const flush = (next: number) => {
    trimTrailingVerbs(run);
    if (run.tokens.length > 0) out.push(run);
    run = { tokens: [], joins: [], start: next };
    pendingOf = false;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'content' || (t.kind === 'verb' && run.tokens.length > 0 && !pendingOf)) {
      if (run.tokens.length === 0) run.start = i;
      if (pendingOf) run.joins.push(run.tokens.length);
      pendingOf = false;
      run.tokens.push(t);
    } else if (t.kind === 'of' && run.tokens.length > 0 && !pendingOf) {
      pendingOf = true;
    } else if (!(t.kind === 'det' && pendingOf)) {
      flush(i + 1);
    }
  }
  flush(tokens.length);
  return out;
}

/**
 * A past participle that ends a run is a verb ("the app crashed"), not a modifier ("saved passwords"):
 * dropped, with any "of" it leaves dangling.
 */
function trimTrailingVerbs(run: Run): void {
  while (run.tokens.length > 0 && isPastParticiple(run.tokens[run.tokens.length - 1]!.norm)) {
    run.tokens.pop();
    if (run.joins[run.joins.length - 1] === run.tokens.length) run.joins.pop();
  }
}

const NOT_PARTICIPLES = new Set(['bed', 'red', 'shed', 'sled', 'embed', 'hundred', 'kindred', 'sacred', 'naked', 'wicked', 'ted', 'ned', 'fred']);

function isPastParticiple(word: string): boolean {
  return word.length > 3 && word.endsWith('ed') && !word.endsWith('eed') && !NOT_PARTICIPLES.has(word);
}

/** Called for each candidate span; `parts` lists the phrases inside it (computed only when asked). */
type SpanVisitor = (span: Token[], ofAt: number, offset: number, parts: () => string[]) => void;

/** The candidate phrases of a run: plain 1–3 word spans, and "A of B" with 3 words at most. */
function forEachSpan(run: Run, visit: SpanVisitor): void {
  const { tokens, joins } = run;
  const joined = (from: number, to: number) => joins.length > 0 && joins.some((j) => j > from && j < to);
  for (let i = 0; i < tokens.length; i++) {
    for (let n = 1; n <= 3 && i + n <= tokens.length; n++) {
      if (joined(i, i + n)) break;
      const span = tokens.slice(i, i + n);
      if (usable(span)) visit(span, -1, i, () => subPhrases(span));
    }
  }
  for (const j of joins) {
    for (let a = 1; a <= 2; a++) {
      for (let b = 1; a + b <= 3; b++) {
        if (j - a < 0 || j + b > tokens.length || joined(j - a, j) || joined(j, j + b)) continue;
        const span = tokens.slice(j - a, j + b);
        if (usable(span)) visit(span, a, j - a, () => [...withSubPhrases(span.slice(0, a)), ...withSubPhrases(span.slice(a))]);
      }
    }
  }
}

/**
 * A phrase neither starts with a verb nor ends with a participle or an adjective: "detailed report" and
 * "slow sync" are phrases, "detailed" and "slow" alone are not.
 */
function usable(span: readonly Token[]): boolean {
  const last = span[span.length - 1]!.norm;
  return span[0]!.kind !== 'verb' && !isPastParticiple(last) && !PREDICATE_ADJECTIVES.has(last);
}

function phraseOf(tokens: readonly Token[], ofAt: number): string {
  const words = tokens.map((t) => t.lemma);
  if (ofAt > 0) words.splice(ofAt, 0, 'of');
  return words.join(' ');
}

/** A plain span's own phrase (when usable) and every phrase inside it. */
function withSubPhrases(span: readonly Token[]): string[] {
  return usable(span) ? [phraseOf(span, -1), ...subPhrases(span)] : subPhrases(span);
}

/** Every shorter contiguous phrase inside a plain span. */
function subPhrases(span: readonly Token[]): string[] {
  const out: string[] = [];
  for (let n = span.length - 1; n >= 1; n--) {
    for (let i = 0; i + n <= span.length; i++) {
      const part = span.slice(i, i + n);
      if (usable(part)) out.push(phraseOf(part, -1));
    }
  }
  return out;
}
