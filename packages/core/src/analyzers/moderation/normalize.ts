import { EMBEDDED_ROOTS, NOT_TERMS, TERMS, type TermKind } from './lexicon.js';

/** One word of a text, with the lexicon term it stands for, if any. */
export interface Word {
  /** Lower case, accents and look-alike characters undone ("sh1t" → "shit"). */
  word: string;
  term?: string;
  kind?: TermKind;
}

/** Digits and symbols used as letters. */
const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's', '!': 'i', '|': 'l', '€': 'e' };
/** Characters standing for a hidden letter: "f*ck", "f#ck", "sh_t". */
const WILDCARD = /[*#_%]/;
const TOKEN = /[\p{L}\p{N}@$*#_%|!€]+(?:['’][\p{L}]+)?/gu;
const EXCEPTION_SET = new Set(NOT_TERMS);
const SUFFIXES = ['ing', 'in', 'ers', 'er', 'ed', 'es', 's', 'y', 'ty', 'ier', 'iest', 'head', 'heads', 'face', 'bag', 'hole'];
const RANK: Readonly<Record<TermKind, number>> = { mild: 0, insult: 1, profanity: 2, slur: 3 };
/** Longest run of spaced-out letters read as one word ("m o t h e r f u c k e r" is 12). */
const MAX_SPELLED = 24;

/**
 * Splits a text into words and recognizes lexicon terms however they are disguised: look-alike
 * characters ("sh1t", "b!tch", "a$$hole"), hidden letters ("f*ck", "f**k"), stretched letters
 * ("fuuuuck"), letters spaced out ("f u c k", "f.u.c.k"), accents ("fück") and inflections ("fucking",
 * "idiots").
 */
export function normalizeWords(text: string): Word[] {
  const folded = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const raw: { token: string; start: number; end: number }[] = [];
  for (const m of folded.matchAll(TOKEN)) {
    let token = m[0].replace(/['’]/g, '');
    // "*sigh*" is emphasis, not a hidden letter; "idiot!!!" ends with punctuation.
    if (token.length > 2 && token.startsWith('*') && token.endsWith('*')) token = token.slice(1, -1);
    token = token.replace(/[!|]+$/, '');
    if (token) raw.push({ token, start: m.index, end: m.index + m[0].length });
  }
  const words: Word[] = [];
  for (let i = 0; i < raw.length; i++) {
    // Letters spaced out: three or more one-character tokens, each a short gap apart. The run is capped
    // at the longest spelled-out word worth finding: uncapped, a long run ("1 1 1 …", "a.b.c.…") would be
    // joined again from each of its positions, which is quadratic.
    if (raw[i]!.token.length === 1) {
      let j = i;
      while (j + 1 < raw.length && j - i < MAX_SPELLED && raw[j + 1]!.token.length === 1 && raw[j + 1]!.start - raw[j]!.end <= 2) j++;
      if (j - i >= 2) {
        const joined = raw.slice(i, j + 1).map((r) => r.token).join('');
        const hit = resolve(joined);
        if (hit) {
          words.push({ word: hit.term, ...hit });
          i = j;
          continue;
        }
      }
    }
    const token = raw[i]!.token;
    const hit = resolve(token);
    words.push(hit ? { word: hit.term, ...hit } : { word: deleet(token) });
  }
  return words;
}

/**
 * Resolved tokens. Most tokens of a text are common words seen before, and resolving one tries
 * several spellings; the memo is emptied when full so memory stays bounded.
 */
const memo = new Map<string, { term: string; kind: TermKind } | null>();

/** The lexicon term a token stands for, if any. */
function resolve(token: string): { term: string; kind: TermKind } | undefined {
  let hit = memo.get(token);
  if (hit === undefined) {
    if (memo.size >= 50_000) memo.clear();
    hit = resolveNew(token) ?? null;
    memo.set(token, hit);
  }
  return hit ?? undefined;
}

function resolveNew(token: string): { term: string; kind: TermKind } | undefined {
  if (/^\d+$/.test(token) || token.length < 2) return undefined;
  if (WILDCARD.test(token)) return wildcard(token);
  const plain = deleet(token);
  if (EXCEPTION_SET.has(plain)) return undefined;
  const candidates = new Set([plain, collapse(plain, 2), collapse(plain, 1)]);
  if (token.includes('1')) candidates.add(deleet(token.replace(/1/g, 'l')));
  for (const c of candidates) {
    const hit = lookup(c);
    if (hit) return hit;
  }
  return undefined;
}

function lookup(word: string): { term: string; kind: TermKind } | undefined {
  const exact = TERMS.get(word);
  if (exact) return { term: word, kind: exact };
  for (const suffix of SUFFIXES) {
    if (word.length - suffix.length < 3 || !word.endsWith(suffix)) continue;
    const stem = word.slice(0, -suffix.length);
    for (const s of [stem, collapse(stem, 1)]) {
      const kind = TERMS.get(s);
      // Three-letter insults are too often the start of innocent words ("rated", "pigment"), and slurs
      // take only a plural ending ("spiced" is not a slur).
      if (!kind || (s.length <= 3 && kind === 'insult') || (kind === 'slur' && suffix !== 's' && suffix !== 'es')) continue;
      return { term: s, kind };
    }
  }
  for (const root of EMBEDDED_ROOTS) {
    if (word.includes(root)) return { term: root, kind: TERMS.get(root)! };
  }
  return undefined;
}

/** Matches "f*ck", "f**k", "b***h" against lexicon words of the same length. */
function wildcard(token: string): { term: string; kind: TermKind } | undefined {
  const shape = deleet(token.replace(/[*#_%]/g, '?'));
  const letters = shape.replace(/\?/g, '').length;
  if (!/^[a-z]/.test(shape) || letters < 1 || letters < shape.length / 3) return undefined;
  let best: { term: string; kind: TermKind } | undefined;
  for (const [term, kind] of TERMS) {
    if (term.length !== shape.length) continue;
    let ok = true;
    for (let i = 0; i < term.length && ok; i++) ok = shape[i] === '?' || shape[i] === term[i];
    if (ok && (!best || RANK[kind] > RANK[best.kind])) best = { term, kind };
  }
  return best;
}

function deleet(token: string): string {
  if (!/[a-z]/.test(token)) return token;
  let out = '';
  for (const ch of token) out += LEET[ch] ?? ch;
  return out;
}

/**
 * Shortens every run of one letter to at most `max` ("fuuuck" → "fuck"). A loop rather than
 * `/(.)\1+/`, whose backtracking runs out of stack on a token of megabytes of one letter.
 */
function collapse(word: string, max: 1 | 2): string {
  let out = '';
  let from = 0;
  for (let i = 0; i <= word.length; i++) {
    if (i < word.length && word.charCodeAt(i) === word.charCodeAt(from)) continue;
    out += word.slice(from, from + Math.min(i - from, max));
    from = i;
  }
  return out;
}
