/**
 * The sentiment rules: lexicon valence, adjusted by boosters, negation, capitals, stretching, contrast,
 * questions and exclamation marks, summed and squashed into [-1, 1]. Internal to the sentiment analyzer.
 *
 * The rule set follows the ideas that VADER (Hutto & Gilbert, ICWSM 2014) made known — negation scope,
 * booster words, capitals, "but", punctuation emphasis, a soft normalization of the sum — implemented
 * here from scratch, with our own weights.
 */
import { BOOSTERS as BOOSTER_LIST, LIKE_AS_VERB, NEGATORS, PHRASES as PHRASE_LIST } from './lexicon-words.js';
import { CONTEXT_WORDS, contextValence, isWishedFor } from './context.js';
import { TokenKind, tokenize, type Token } from './tokens.js';

/** Weights of the rules. Exposed for the benchmark's tuning only; the analyzer uses {@link DEFAULT_TUNING}. */
export interface Tuning {
  /** Added to the magnitude of a word written in capitals among lower-case words. */
  caps: number;
  /** Added to the magnitude of a stretched word ("goooood"). */
  stretch: number;
  /** Multiplier for a negated word: flips and softens. */
  negation: number;
  /** How many words back a negator or booster reaches. */
  window: number;
  /** Weight of the words before "but" in its sentence, and of those after. */
  beforeBut: number;
  afterBut: number;
  /** Weight of a clause opened by "although", "though", "despite", "while", "whereas". */
  concessive: number;
  /** Added per "!" (up to four) in the direction of the sum. */
  exclamation: number;
  /** Weight of the words of a sentence that ends with "?". */
  question: number;
  /** The sum s maps to s / sqrt(s² + alpha). */
  alpha: number;
  /** Texts longer than this many words have their sum scaled by (lengthRef / words) ^ lengthPower. */
  lengthRef: number;
  lengthPower: number;
}

export const DEFAULT_TUNING: Readonly<Tuning> = {
  caps: 0.733,
  stretch: 0.3,
  negation: -0.74,
  window: 3,
  beforeBut: 0.5,
  afterBut: 1.5,
  concessive: 0.6,
  exclamation: 0.292,
  question: 0.8,
  alpha: 15,
  lengthRef: 8,
  lengthPower: 0.4,
};

// Maps, not the object literals: a word like "constructor" must not find Object.prototype members.
const BOOSTERS: ReadonlyMap<string, number> = new Map(Object.entries(BOOSTER_LIST));
const PHRASES: ReadonlyMap<string, number> = new Map(Object.entries(PHRASE_LIST));

const CONTRAST = new Set(['but', 'however', 'nevertheless', 'nonetheless', 'yet']);
const CONCESSIVE = new Set(['although', 'though', 'despite', 'while', 'whilst', 'whereas']);
const NEGATED_APOSTROPHE = /n't$/;
/** Laughter, cheers and sighs: not negated or scaled by the words before them. */
const INTERJECTIONS = new Set(['lol', 'lolz', 'lmao', 'rofl', 'haha', 'hahaha', 'hehe', 'heh', 'yay', 'hooray', 'yippee', 'woohoo', 'huzzah', 'ugh', 'argh', 'grr', 'ew', 'eww', 'yuck', 'meh', 'smh', 'fml', 'omg', 'whoa', 'aww', 'awww']);
const BARE_NO = -1.2;
/** Multiplier for praise of something missing ("would have been nice"): a mild complaint. */
const WISHED_FOR = -0.5;
/**
 * Words that do not use up the reach of a negator or booster: articles, copulas and opinion verbs
 * ("wouldn't be such a bad idea", "I don't think it is good").
 */
const TRANSPARENT = new Set(['a', 'an', 'the', 'is', 'are', 'was', 'were', 'be', 'been', 'being', "it's", 'it', 'think', 'believe', 'feel', 'find', 'found', 'seem', 'seems', 'seemed', 'that']);
/** Verbs that make a request or demand of a sentence or clause they open ("Fix the login!", "Bring back dark mode!"). */
const REQUEST_VERBS = new Set(['fix', 'add', 'remove', 'change', 'bring', 'restore', 'update', 'stop', 'make', 'return', 'refund', 'allow']);
const PLEASE = new Set(['please', 'pls', 'plz']);
/** Words that open an embedded clause, which a negator before them does not reach. */
const CLAUSE_OPENERS = new Set(['what', 'why', 'how', 'where', 'when', 'who', 'which', 'whether', 'whatever', 'whoever']);
/** Negators with nothing to negate lean negative by themselves. */
const LONE_NEGATOR: ReadonlyMap<string, number> = new Map(Object.entries({
  no: -0.8, not: -0.5, "n't": -0.5, never: -0.5, nothing: -0.5, lack: -0.8, lacks: -0.8, lacking: -0.8, lacked: -0.8, devoid: -0.8,
}));

export interface SentimentDetail {
  /** The squashed score in [-1, 1]. */
  score: number;
  /** The sum of the rules before squashing (after the length adjustment). */
  sum: number;
  /** How many tokens carried sentiment. */
  hits: number;
  /** Tokens read (words and symbols). */
  words: number;
}

/**
 * Scores a text. `lexicon` maps lower-case words, emoji and emoticons to valence in -4..4;
 * `symbolsOnly` ignores words (for text in a language the word lexicon does not cover).
 */
export function scoreText(text: string, lexicon: ReadonlyMap<string, number>, tuning: Readonly<Tuning> = DEFAULT_TUNING, symbolsOnly = false): SentimentDetail {
  const tokens = expandHyphens(tokenize(text), lexicon);
  const n = tokens.length;
  const valence = new Float64Array(n);
  const boost = new Float64Array(n);
  const negates = new Uint8Array(n);
  let capsWords = 0;
  let lowerWords = 0;
  let words = 0;

  for (let i = 0; i < n; i++) {
    const t = tokens[i]!;
    if (t.kind === TokenKind.Symbol) {
      words++;
      valence[i] = lexicon.get(t.key) ?? 0;
      continue;
    }
    if (t.kind !== TokenKind.Word) continue;
    words++;
    if (t.caps) capsWords++;
    else if (/\p{L}/u.test(t.key)) lowerWords++;
    if (symbolsOnly) continue;
    // Multi-word expressions first; their value sits on the last word, the others go quiet.
    const phrase = matchPhrase(tokens, i);
    if (phrase) {
      const [len, kind, value] = phrase;
      if (kind === 'boost') boost[i + len - 1] = value;
      else valence[i + len - 1] = value;
      for (let k = i; k < i + len - 1; k++) valence[k] = 0;
      i += len - 1;
      continue;
    }
    const key = t.key;
    if (NEGATORS.has(key) || NEGATED_APOSTROPHE.test(key)) {
      negates[i] = 1;
      // A bare "no" ("Oh no!", "No and no.") is itself a refusal.
      if (key === 'no' || key === 'nope') {
        const next = tokens[i + 1];
        if (!next || next.kind === TokenKind.Stop || next.kind === TokenKind.Pause || next.key === 'and' || next.key === 'no') valence[i] = BARE_NO;
      }
      continue;
    }
    const b = BOOSTERS.get(key) ?? (t.stretched ? BOOSTERS.get(shorten(key, '$1$1')) ?? BOOSTERS.get(shorten(key, '$1')) : undefined);
    if (b !== undefined) {
      // "super" or "pretty" alone carry their own valence; before a sentiment word they only scale it.
      const own = lexicon.get(key) ?? 0;
      const next = tokens[i + 1];
      const nextValence = next && next.kind === TokenKind.Word ? lookup(lexicon, next) ?? 0 : 0;
      if (own !== 0 && nextValence === 0) valence[i] = own;
      else boost[i] = b;
      continue;
    }
    // Hyphenated expressions are one token ("first-rate", "thought-provoking").
    const contextual = CONTEXT_WORDS.has(key) ? contextValence(tokens, i) : undefined;
    const v = contextual ?? PHRASES.get(key) ?? lookup(lexicon, t);
    if (v === undefined) continue;
    if (key === 'like' || key === 'likes' || key === 'liked') {
      const prev = tokens[i - 1];
      // "like" as a comparison ("looks like rain") carries no sentiment of its own.
      if (key === 'like' && !(prev && prev.kind === TokenKind.Word && LIKE_AS_VERB.has(prev.key))) continue;
    }
    // "a remote would have been nice", "it would be great if it synced": a complaint about what is missing.
    valence[i] = v > 0 && contextual === undefined && isWishedFor(tokens, i) ? v * WISHED_FOR : v;
  }

  // "guilt free", "hassle-free", "pain free": the absence of something bad is mildly good.
  for (let i = 1; i < n; i++) {
    if (tokens[i]!.key === 'free' && valence[i - 1]! < 0 && tokens[i - 1]!.kind === TokenKind.Word) {
      valence[i - 1] = -valence[i - 1]! * 0.5;
      valence[i] = 0;
    }
  }

  const capsDiff = capsWords > 0 && lowerWords > 0;
  const contributions = new Float64Array(n);
  const negatorUsed = new Uint8Array(n);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let v = valence[i]!;
    if (v === 0) continue;
    hits++;
    const t = tokens[i]!;
    const sign = v > 0 ? 1 : -1;
    if (t.kind === TokenKind.Symbol) {
      // Emoji and emoticons say what the writer feels; words around them do not negate or scale them.
      contributions[i] = v;
      continue;
    }
    if (capsDiff && t.caps) v += sign * tuning.caps;
    if (t.stretched) v += sign * tuning.stretch;
    if (negates[i] || INTERJECTIONS.has(t.key)) {
      // A bare "no" is not negated by the "no" before it ("NO NO NO"); laughter and sighs, like emoji,
      // say what the writer feels whatever precedes them ("it wouldn't be against me lol").
      contributions[i] = v;
      continue;
    }
    let negated = false;
    let shielded = false;
    let seen = 0;
    for (let j = i - 1; j >= 0 && seen < tuning.window; j--) {
      const p = tokens[j]!;
      if (p.kind === TokenKind.Pause || p.kind === TokenKind.Stop) break;
      if (!TRANSPARENT.has(p.key)) seen++;
      const bj = boost[j]!;
      if (bj !== 0) {
        let scaled = bj * (1 - 0.05 * (seen - 1));
        if (capsDiff && p.caps) scaled += (bj > 0 ? 1 : -1) * tuning.caps;
        v += sign * scaled;
        // A weakener never flips the word it weakens.
        if (v * sign < 0.1) v = sign * 0.1;
      }
      // A negator reaches the first sentiment word after it, not past it ("can't be bothered with the idiots"),
      // nor into a clause of its own ("can't remember what the original was").
      if ((valence[j] !== 0 && !negates[j]) || CLAUSE_OPENERS.has(p.key)) shielded = true;
      if (negates[j] && !negated && !shielded) {
        // "not only good" is not a negation; "never so good" and "never felt this good" intensify.
        const after = tokens[j + 1];
        if (after && after.key === 'only') continue;
        const second = tokens[j + 2]?.key;
        if (p.key === 'never' && (SO_THIS.has(after?.key ?? '') || second === 'so' || second === 'this')) {
          v *= 1.25;
          continue;
        }
        // "haven't been this sore", "couldn't be happier", "can't get any worse" intensify.
        if (intensifiesInstead(tokens, j, i)) {
          v *= 1.25;
          continue;
        }
        negated = true;
        negatorUsed[j] = 1;
      }
    }
    if (negated) v *= tuning.negation;
    contributions[i] = v;
  }

  // A negator with nothing to negate still leans negative ("no picture of health", "no longer").
  for (let i = 0; i < n; i++) {
    if (negates[i] && !negatorUsed[i] && valence[i] === 0) {
      const key = tokens[i]!.key;
      const w = LONE_NEGATOR.get(key) ?? (NEGATED_APOSTROPHE.test(key) ? LONE_NEGATOR.get("n't") : undefined);
      if (w !== undefined) contributions[i] = w;
    }
  }

  // Sentence-level rules: "but" shifts weight to what follows; questions weigh less. A sentence that
  // opens with "But" (often after "...") discounts the sentence before it. A lone word of praise after a
  // complaint is sarcasm ("Crashed again. Great.").
  let sum = 0;
  let previous = 0;
  let start = 0;
  for (let i = 0; i <= n; i++) {
    const t = tokens[i];
    if (i < n && t!.kind !== TokenKind.Stop) continue;
    if (i > start) {
      const [s, opensWithContrast] = sentenceSum(tokens, contributions, start, i, tuning);
      sum += opensWithContrast ? previous * tuning.beforeBut : previous;
      previous = previous < 0 && s > 0 && isLonePraise(tokens, start, i) ? s * tuning.negation : s;
    }
    start = i + 1;
  }
  sum += previous;

  const bangs = Math.min(countChar(text, '!'), 4);
  if (sum !== 0) sum += (sum > 0 ? 1 : -1) * bangs * tuning.exclamation;
  // With no sentiment word to go by, exclaiming news, plans or a greeting is enthusiasm ("Pizza time!", "Got
  // the tickets!"); an exclaimed request or demand is not ("Fix the login!!!", "Please add dark mode!").
  else if (bangs > 0 && hits === 0 && words > 0 && !symbolsOnly && !isRequest(tokens)) sum = bangs * tuning.exclamation;
  if (words > tuning.lengthRef) sum *= (tuning.lengthRef / words) ** tuning.lengthPower;
  const score = sum === 0 ? 0 : sum / Math.sqrt(sum * sum + tuning.alpha);
  return { score: Math.max(-1, Math.min(1, score)), sum, hits, words };
}

/** After "never" ("never so good", "never slept so well"), these make it emphasis. */
const SO_THIS = new Set(['so', 'this', 'that']);
const BEEN_THIS = new Set(['been', 'felt', 'seen']);
const CANNOT = new Set(["can't", 'cant', 'cannot', "couldn't", 'couldnt']);
const LINKING_VERBS = new Set(['be', 'been', 'being', 'get', 'got', 'seem', 'look', 'sound', 'feel']);
const CANNOT_FILLER = new Set(['be', 'been', 'have', 'get', 'got', 'any', 'ask', 'for', 'much', 'possibly', 'feel', 'look', 'sound', 'go']);

/**
 * Whether the negator at `j` strengthens the word at `i` instead of negating it: "haven't been this
 * sore" (negator, "been", "this"), "couldn't be happier", "can't get any worse" (cannot, a comparative,
 * only linking words between) and "can't recommend it enough", "can't say enough good things" (cannot, a verb
 * other than "be", "enough" in the clause; "it can't be fast enough" stays a negation).
 */
function intensifiesInstead(tokens: readonly Token[], j: number, i: number): boolean {
  if (BEEN_THIS.has(tokens[j + 1]?.key ?? '') && tokens[j + 2]?.key === 'this') return true;
  const negator = tokens[j]!.key;
  const before = tokens[j - 1]?.key;
  const cannot = CANNOT.has(negator) || (negator === 'not' && (before === 'could' || before === 'can'));
  if (!cannot) return false;
  if (!LINKING_VERBS.has(tokens[j + 1]?.key ?? '')) {
    for (let k = j + 2; k <= i + 3 && k < tokens.length && tokens[k]!.kind === TokenKind.Word; k++) if (tokens[k]!.key === 'enough') return true;
  }
  const target = tokens[i]!.key;
  const comparative = target === 'better' || target === 'worse' || (target.length > 4 && target.endsWith('ier'));
  if (!comparative) return false;
  for (let k = j + 1; k < i; k++) if (!CANNOT_FILLER.has(tokens[k]!.key)) return false;
  return true;
}

/** Words of praise that, alone in a sentence after a complaint, are said with a sigh. */
const SARCASTIC_PRAISE = new Set(['great', 'perfect', 'awesome', 'wonderful', 'fantastic', 'brilliant', 'lovely', 'nice', 'super', 'terrific', 'excellent', 'fabulous', 'marvelous', 'marvellous', 'splendid', 'fun', 'yay']);
const PRAISE_FILLER = new Set(['oh', 'just', 'how', 'so', 'well', 'real', 'really', 'very', "that's", 'thats', 'simply']);

/** A sentence of one word of praise ("Great.", "Oh perfect..."), not exclaimed. */
function isLonePraise(tokens: readonly Token[], start: number, end: number): boolean {
  const stop = tokens[end];
  if (stop && stop.key.includes('!')) return false;
  let praise = 0;
  for (let k = start; k < end; k++) {
    const t = tokens[k]!;
    if (t.kind !== TokenKind.Word) return false;
    if (SARCASTIC_PRAISE.has(t.key)) praise++;
    else if (!PRAISE_FILLER.has(t.key)) return false;
  }
  return praise === 1;
}

/** Whether the text asks for something: "please" anywhere, or a sentence or clause that opens with a request verb. */
function isRequest(tokens: readonly Token[]): boolean {
  let opening = true;
  for (const t of tokens) {
    if (t.kind === TokenKind.Stop || t.kind === TokenKind.Pause) opening = true;
    if (t.kind !== TokenKind.Word) continue;
    if (PLEASE.has(t.key) || (opening && REQUEST_VERBS.has(t.key))) return true;
    opening = false;
  }
  return false;
}

/** The weighted sum of one sentence, and whether it opens with a contrast word. */
function sentenceSum(tokens: readonly Token[], contributions: Float64Array, start: number, end: number, tuning: Readonly<Tuning>): [number, boolean] {
  let butAt = -1;
  let concessiveFrom = -1;
  let concessiveTo = -1;
  let first = -1;
  for (let i = start; i < end; i++) {
    const t = tokens[i]!;
    if (first < 0 && t.kind === TokenKind.Word) first = i;
    // "yet" contrasts only at the head of a clause ("Yet I like it"), not in "not yet".
    if (CONTRAST.has(t.key) && (t.key !== 'yet' || i === start || tokens[i - 1]!.kind === TokenKind.Pause)) butAt = i;
    else if (concessiveFrom < 0 && CONCESSIVE.has(t.key)) {
      concessiveFrom = i;
      concessiveTo = end;
      for (let k = i + 1; k < end; k++) {
        if (tokens[k]!.kind === TokenKind.Pause) {
          concessiveTo = k;
          break;
        }
      }
    }
  }
  const stop = tokens[end];
  const question = stop !== undefined && stop.key.includes('?') ? tuning.question : 1;
  const opensWithContrast = butAt >= 0 && butAt === first;
  let s = 0;
  for (let i = start; i < end; i++) {
    let c = contributions[i]!;
    if (c === 0) continue;
    if (butAt >= 0) c *= i < butAt ? tuning.beforeBut : tuning.afterBut;
    else if (i > concessiveFrom && i < concessiveTo) c *= tuning.concessive;
    s += c * question;
  }
  return [s, opensWithContrast];
}

const PHRASE_FIRST = new Set([...PHRASES.keys(), ...BOOSTERS.keys()].filter((p) => p.includes(' ')).map((p) => p.slice(0, p.indexOf(' '))));

/** A phrase starting at token i: [length, 'value' | 'boost', number]. */
function matchPhrase(tokens: readonly Token[], i: number): [number, 'value' | 'boost', number] | undefined {
  const first = tokens[i]!.key;
  if (!PHRASE_FIRST.has(first)) return undefined;
  let key = first;
  let best: [number, 'value' | 'boost', number] | undefined;
  for (let len = 2; len <= 4 && i + len - 1 < tokens.length; len++) {
    const t = tokens[i + len - 1]!;
    if (t.kind !== TokenKind.Word) break;
    key += ` ${t.key}`;
    const v = PHRASES.get(key);
    if (v !== undefined) best = [len, 'value', v];
    const b = BOOSTERS.get(key);
    if (b !== undefined) best = [len, 'boost', b];
  }
  return best;
}

/** The valence of a word, or of its stretched form shortened ("goooood" as "good", "loooove" as "love"). */
function lookup(lexicon: ReadonlyMap<string, number>, t: Token): number | undefined {
  const v = lexicon.get(t.key) ?? derived(lexicon, t.key);
  if (v !== undefined || !t.stretched) return v;
  const two = shorten(t.key, '$1$1');
  const one = shorten(t.key, '$1');
  return lexicon.get(two) ?? lexicon.get(one) ?? derived(lexicon, two) ?? derived(lexicon, one);
}

/**
 * "goooood" with letter runs cut to two ('$1$1': "good") or one ('$1': "god"). A loop rather than
 * `/(.)\1{2,}/`, whose backtracking runs out of stack on a run of megabytes of one letter.
 */
function shorten(word: string, to: '$1$1' | '$1'): string {
  const keep = to === '$1$1' ? 2 : 1;
  let out = '';
  let from = 0;
  for (let i = 0; i <= word.length; i++) {
    if (i < word.length && word.charCodeAt(i) === word.charCodeAt(from)) continue;
    const run = i - from;
    out += run >= 3 ? word.slice(from, from + keep) : word.slice(from, i);
    from = i;
  }
  return out;
}

const derivedCache = new WeakMap<ReadonlyMap<string, number>, Map<string, number | null>>();

/**
 * The valence of an inflected or derived form of a known word: "luckiest" from "lucky", "pleasantly"
 * from "pleasant", "crashed" from "crash". Only regular suffixes; results are cached per lexicon.
 */
function derived(lexicon: ReadonlyMap<string, number>, word: string): number | undefined {
  if (word.length < 5 || NOT_DERIVED.has(word)) return undefined;
  let cache = derivedCache.get(lexicon);
  if (!cache) derivedCache.set(lexicon, (cache = new Map()));
  const hit = cache.get(word);
  if (hit !== undefined) return hit ?? undefined;
  if (cache.size > 100_000) cache.clear();
  let found: number | undefined;
  for (const [suffix, replacements, factor] of SUFFIXES) {
    if (!word.endsWith(suffix)) continue;
    const stem = word.slice(0, -suffix.length);
    if (stem.length < 3) continue;
    for (const r of replacements) {
      const base = r === '<' ? undoubled(stem) : stem + r;
      if (base === undefined) continue;
      const v = lexicon.get(base);
      if (v !== undefined) {
        found = v * factor;
        break;
      }
    }
    if (found !== undefined) break;
  }
  cache.set(word, found ?? null);
  return found;
}

/**
 * Words that look derived from a sentiment word but are not: "likely" is not "like"; "cleaning" is a chore,
 * not praise; sentence adverbs ("honestly", "naturally", "originally") comment on the statement; "lights"
 * and "lighting" are lamps, not lightness; "fined" is a penalty; "striking" and "arresting" can praise but
 * more often strike and arrest; "treated" is handled, not "a treat".
 */
const NOT_DERIVED = new Set([
  'likely', 'unlikely', 'kindly', 'kinds', 'cleaning', 'surely', 'naturally', 'originally', 'honestly', 'admittedly', 'notably',
  'exclusively', 'readily', 'importantly', 'respectively', 'curiously', 'lights', 'lighting', 'lighted', 'fined', 'striking',
  'arresting', 'treated', 'treating',
]);

/** Suffix, what may replace it to reach the base ('<' = undo a doubled consonant), factor on the base valence. */
const SUFFIXES: ReadonlyArray<readonly [string, readonly string[], number]> = [
  ["'s", [''], 1],
  ['iest', ['y'], 1.1],
  ['est', ['', 'e', '<'], 1.1],
  ['ier', ['y'], 1],
  ['ily', ['y'], 1],
  ['ly', ['', 'le'], 0.9],
  ['ies', ['y'], 1],
  ['ses', ['s'], 1],
  ['xes', ['x'], 1],
  ['ches', ['ch'], 1],
  ['shes', ['sh'], 1],
  ['s', [''], 1],
  ['ied', ['y'], 1],
  ['ed', ['', 'e', '<'], 1],
  ['ing', ['', 'e', '<'], 1],
];

function undoubled(stem: string): string | undefined {
  const n = stem.length;
  return n >= 4 && stem[n - 1] === stem[n - 2] ? stem.slice(0, -1) : undefined;
}

function countChar(text: string, ch: string): number {
  let count = 0;
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) count++;
  return count;
}

/** Splits hyphenated words the lexicon does not know ("over-hyped" stays if known, else "over", "hyped"). */
function expandHyphens(tokens: Token[], lexicon: ReadonlyMap<string, number>): Token[] {
  let out: Token[] | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const split = t.kind === TokenKind.Word && t.key.includes('-') && !lexicon.has(t.key) && !PHRASES.has(t.key);
    if (split && !out) out = tokens.slice(0, i);
    if (!out) continue;
    if (!split) {
      out.push(t);
      continue;
    }
    for (const part of t.key.split('-')) if (part) out.push({ kind: TokenKind.Word, key: part, caps: t.caps, stretched: t.stretched });
  }
  return out ?? tokens;
}
